"""A real ``partida serve`` for the tests that use the program as a person does."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path


class Server:
    """``partida serve --port 0`` in its own process, with ``home`` as its data folder."""

    def __init__(self, home: Path, database_url: str | None = None, **env: str) -> None:
        environment = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PARTIDA_TEST_DB")
        }
        environment.update(PARTIDA_HOME=str(home), LANGUAGE="es", PYTHONUNBUFFERED="1", **env)
        if database_url:
            environment["DATABASE_URL"] = database_url
        self.process = subprocess.Popen(
            [sys.executable, "-m", "partida", "serve", "--port", "0"],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        assert "http://127.0.0.1:" in line, line + self.process.stderr.read()
        self.url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process.stdout.close()
        self.process.stderr.close()
