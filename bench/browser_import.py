"""Import company as the screens do it: a real ``partida serve`` on loopback, the upload, the
preview, the import, until the new company's Summary answers.

The requests are those the browser makes (a CSRF token from each form, the multipart upload
streamed from disk, the job polled as the progress page polls it), sent with ``http.client`` so
that the time measured is the server's, not a browser's. The server is started before the clock
starts; its peak memory is its ``VmHWM`` once the Summary answers.
"""

import http.client
import json
import os
import re
import signal
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

from bench.load import start_server
from bench.proc import Measure

TOKEN_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
POLL_SECONDS = 0.2


class Browserlike:
    """One visitor: a cookie jar and the requests of the Import company screens."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, headers=None, length=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)
        headers = dict(headers or {})
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        if length is not None:
            headers["Content-Length"] = str(length)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _equals, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        connection.close()
        return response.status, response.getheader("Location"), data

    def token(self, path: str) -> str:
        status, _location, page = self.request("GET", path)
        found = TOKEN_RE.search(page)
        if status != 200 or not found:
            raise RuntimeError(f"GET {path} answered {status} with no form")
        return found.group(1).decode()

    def upload(self, backup: Path) -> str:
        token = self.token("/import/")
        boundary = uuid.uuid4().hex
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{backup.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()

        def body():
            yield head
            with open(backup, "rb") as f:
                while chunk := f.read(1 << 20):
                    yield chunk
            yield tail

        status, location, _page = self.request(
            "POST",
            "/import/",
            body=body(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            length=len(head) + backup.stat().st_size + len(tail),
        )
        if status != 302 or not location:
            raise RuntimeError(f"the upload answered {status}")
        return location

    def confirm(self, preview: str) -> str:
        token = self.token(preview)
        form = urlencode({"csrfmiddlewaretoken": token, "new_name": "Imported", "import": ""})
        form_type = {"Content-Type": "application/x-www-form-urlencoded"}
        status, location, _page = self.request("POST", preview, body=form, headers=form_type)
        if status != 302 or not location:
            raise RuntimeError(f"confirming the import answered {status}")
        return location

    def wait(self, job: str) -> str:
        while True:
            status, _location, data = self.request("GET", f"{job}?format=json")
            state = json.loads(data)
            if state["state"] == "done":
                return state["company_url"]
            if state["state"] not in ("waiting", "running"):
                raise RuntimeError(f"the import ended {state['state']}: {state['error']}")
            time.sleep(POLL_SECONDS)


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def browser_import(backup: Path, env: dict[str, str], log: Path) -> Measure:
    """Import ``backup`` through the screens of a server on ``env``'s data folder."""
    process, port = start_server(env, log)
    try:
        visitor = Browserlike(port)
        start = time.perf_counter()
        job = visitor.confirm(visitor.upload(backup))
        summary = visitor.wait(job)
        status, _location, _page = visitor.request("GET", summary)
        seconds = time.perf_counter() - start
        if status != 200:
            raise RuntimeError(f"the new company's Summary answered {status}")
        return Measure(seconds=round(seconds, 3), peak_mb=peak_mb(process.pid), returncode=0)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
