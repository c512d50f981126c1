"""An interrupted backup never leaves a file that looks like a backup."""

import os
import resource
import signal
import subprocess
import sys
import time

import pytest

from tests.backups.test_cli import demo, partida  # noqa: F401 (fixture)

pytestmark = pytest.mark.both_engines


def backup_process(home, folder, **popen):
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(PARTIDA_HOME=str(home), LANGUAGE="en")
    return subprocess.Popen(
        [sys.executable, "-m", "partida", "backup", "Demo S.L.", "-o", str(folder)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def test_a_killed_backup_leaves_no_backup_file(demo, tmp_path):  # noqa: F811
    home, _backup = demo
    folder = tmp_path / "out"
    folder.mkdir()
    process = backup_process(home, folder)
    deadline = time.monotonic() + 60
    while not list(folder.glob(".*.partial")):
        assert process.poll() is None, "the backup ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not [p for p in folder.iterdir() if p.name.endswith(".manager")]


def limit_file_size():
    """Files this process writes may not grow past 200 kB: a disk that fills up midway."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


def test_a_full_disk_fails_with_one_sentence_and_leaves_nothing(demo, tmp_path):  # noqa: F811
    home, _backup = demo
    folder = tmp_path / "out"
    folder.mkdir()
    process = backup_process(home, folder, preexec_fn=limit_file_size)
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 1
    message = err.strip().splitlines()[-1]
    assert (
        message.startswith("The backup could not be written to") and "nothing was kept" in message
    )
    assert list(folder.iterdir()) == []
