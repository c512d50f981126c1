"""Running one measured step: a subprocess whose wall time and peak memory are its own."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NICE = ["nice", "-n", "10"]


@dataclass
class Measure:
    seconds: float
    peak_mb: float  # peak resident set size of the process and the children it waited for
    returncode: int | None
    timed_out: bool = False
    bytes: int | None = None  # size of what the step wrote, when it writes a file
    # A step that times itself (seconds is then its own clock's): the process's wall time.
    process_seconds: float | None = None
    rows: int | None = None  # rows the step wrote, when it counts them

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def as_json(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value is not None}


def partida_command(*args: str) -> list[str]:
    """The ``partida`` command, run by this interpreter."""
    code = "import sys; from partida.cli import main; sys.exit(main())"
    return [sys.executable, "-c", code, *args]


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def environment(home: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        PARTIDA_HOME=str(home),
        LANGUAGE="en",
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="partida.settings",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


def run(
    command: list[str],
    env: dict[str, str] | None = None,
    log: Path | None = None,
    timeout: float | None = None,
    nice: bool = True,
    cwd: Path | None = None,
    output: Path | None = None,
) -> Measure:
    """Run ``command`` to its end (or ``timeout``); its wall time and peak RSS via wait4.

    Its standard output goes to ``output`` when given (for a step that reports in it), else
    to the log with its standard error.
    """
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    stdout = open(output, "wb") if output else out  # noqa: SIM115 (closed below)
    try:
        start = time.perf_counter()
        process = subprocess.Popen(
            (NICE if nice else []) + command,
            env=env,
            stdout=stdout,
            stderr=out if log else subprocess.DEVNULL,
            start_new_session=True,
            cwd=cwd,
        )
        timed_out = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if timeout is not None and time.perf_counter() - start > timeout:
                timed_out = True
                os.killpg(process.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
    finally:
        if log:
            out.close()
        if output:
            stdout.close()
    return Measure(
        seconds=round(seconds, 3),
        peak_mb=round(usage.ru_maxrss / 1024, 1),
        returncode=process.returncode,
        timed_out=timed_out,
    )


def check(measure: Measure, what: str, log: Path | None = None) -> Measure:
    if not measure.ok:
        tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
        raise RuntimeError(f"{what} failed (status {measure.returncode}):\n{tail}")
    return measure


def tree_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
