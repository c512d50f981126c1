"""The real ``age`` command (Debian's ``age`` package), driven through a pseudo-terminal.

age reads a passphrase from the terminal only, never from a pipe or the environment, so the
tests give it one: ``pty.fork`` makes the child's terminal ours, and we type the passphrase
when age asks for it (``age -p`` asks twice: "Enter passphrase" then "Confirm passphrase").
"""

from __future__ import annotations

import os
import pty
import select
import shutil
from pathlib import Path

import pytest

AGE = shutil.which("age")


def run_age(args: list[str], passphrase: str, timeout: float = 60.0) -> tuple[int, str]:
    """Run ``age *args`` with ``passphrase`` typed at each prompt: (exit status, what it said)."""
    if AGE is None:  # a missing tool fails the run, never skips it
        pytest.fail(
            "The age command was not found: install Debian's age package "
            "(scripts/test does this when run as root).",
            pytrace=False,
        )
    pid, fd = pty.fork()
    if pid == 0:  # the child: age, on the pseudo-terminal
        os.execv(AGE, [AGE, *args])
    said = pending = b""
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], timeout)
            if not ready:
                os.kill(pid, 9)
                raise AssertionError(f"age said nothing for {timeout} s: {said!r}")
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed its terminal: it has ended
                break
            if not chunk:
                break
            said += chunk
            pending += chunk
            if pending.rstrip().endswith(b":") and b"passphrase" in pending.lower():
                os.write(fd, passphrase.encode("utf-8") + b"\n")
                pending = b""
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), said.decode("utf-8", "replace")


def age_decrypt(encrypted: Path, plain: Path, passphrase: str) -> None:
    status, said = run_age(["-d", "-o", str(plain), str(encrypted)], passphrase)
    assert status == 0, said


def age_encrypt(plain: Path, encrypted: Path, passphrase: str) -> None:
    status, said = run_age(["-p", "-o", str(encrypted), str(plain)], passphrase)
    assert status == 0, said
