"""The archive package stays pure Python, typed and lint-clean."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_no_django_import() -> None:
    code = (
        "import sys, partida.archive; "
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    for path in (ROOT / "partida" / "archive").glob("*.py"):
        assert not re.search(r"^\s*(import|from)\s+django", path.read_text(), re.M), path


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if not found:
        pytest.skip(f"{name} not installed")
    return found


def test_mypy_strict() -> None:
    r = subprocess.run(
        [tool("mypy"), "--strict", "--no-incremental", "--cache-dir=/dev/null", "partida/archive"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff() -> None:
    paths = ["partida/archive", "tests/archive"]
    r = subprocess.run([tool("ruff"), "check", *paths], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout
    r = subprocess.run(
        [tool("ruff"), "format", "--check", *paths], cwd=ROOT, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout
