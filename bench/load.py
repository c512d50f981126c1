"""The Summary screen under load: a real server on loopback, a bounded loop of requests."""

import http.client
import re
import statistics
import subprocess
import time
from pathlib import Path

from bench.proc import NICE, partida_command

URL_RE = re.compile(rb"http://127\.0\.0\.1:(\d+)/")


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, int]:
    out = open(log, "wb")  # noqa: SIM115 (the server's log, open while it runs)
    process = subprocess.Popen(
        NICE + partida_command("serve", "--port", "0"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=out,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    line = b""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if match := URL_RE.search(line):
            return process, int(match.group(1))
        if not line and process.poll() is not None:
            break
    process.kill()
    raise RuntimeError(f"partida serve did not start: {line!r}, see {log}")


def get(port: int, path: str) -> float:
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    seconds = time.perf_counter() - start
    if response.status != 200 or b"</html>" not in body:
        raise RuntimeError(f"GET {path}: status {response.status}")
    return seconds


def timings(port: int, path: str, requests: int, warmup: int = 10) -> dict:
    for _ in range(warmup):
        get(port, path)
    start = time.perf_counter()
    times = [get(port, path) for _ in range(requests)]
    total = time.perf_counter() - start
    times.sort()
    return {
        "requests": requests,
        "seconds": round(total, 3),
        "mean_ms": round(1000 * statistics.fmean(times), 2),
        "median_ms": round(1000 * statistics.median(times), 2),
        "p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))], 2),
    }


def summary_load(env: dict[str, str], log: Path, company: str, empty: str, requests: int) -> dict:
    """The large and the empty company's Summary, ``requests`` each, over one live server."""
    process, port = start_server(env, log)
    try:
        empty_times = timings(port, f"/c/{empty}/", requests)
        company_times = timings(port, f"/c/{company}/", requests)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return {
        "empty": empty_times,
        "company": company_times,
        "ratio": round(company_times["mean_ms"] / empty_times["mean_ms"], 2),
    }
