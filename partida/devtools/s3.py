"""moto's standalone S3-compatible server on 127.0.0.1, for tests and the local cloud trial."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from partida.devtools.postgres import free_port

ACCESS_KEYS = {"PARTIDA_S3_ACCESS_KEY_ID": "testing", "PARTIDA_S3_SECRET_ACCESS_KEY": "testing"}
REGION = "us-east-1"


class S3Unavailable(RuntimeError):
    pass


@dataclass
class S3Server:
    endpoint: str
    bucket: str
    process: subprocess.Popen
    environment: dict[str, str] = field(default_factory=dict)

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEYS["PARTIDA_S3_ACCESS_KEY_ID"],
            aws_secret_access_key=ACCESS_KEYS["PARTIDA_S3_SECRET_ACCESS_KEY"],
            region_name=REGION,
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def wait_until_answering(process: subprocess.Popen, url: str, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answered, if only to say no
        except OSError:
            time.sleep(0.2)
    process.kill()
    lines = log.read_text(errors="replace").strip().splitlines()
    raise S3Unavailable(
        "moto's S3 server did not start on 127.0.0.1: "
        + (lines[-1] if lines else "it wrote nothing")
        + "."
    )


def start_s3_server(
    folder: Path, bucket: str, seconds: float = 60, checks_keys: bool = False
) -> S3Server:
    """Start the server on a free loopback port with one empty bucket; stop it with .stop().

    ``checks_keys``: the server refuses every request after the one that creates the bucket,
    as a store does for keys it does not know (moto's ``INITIAL_NO_AUTH_ACTION_COUNT``).
    """
    port = free_port()
    log = folder / "moto.log"
    environment = dict(os.environ)
    if checks_keys:
        environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "1"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
        )
    endpoint = f"http://127.0.0.1:{port}"
    wait_until_answering(process, endpoint + "/moto-api/", log, seconds)
    server = S3Server(endpoint, bucket, process)
    server.client().create_bucket(Bucket=bucket)
    server.environment = {
        "PARTIDA_S3_ENDPOINT_URL": endpoint,
        "PARTIDA_S3_BUCKET": bucket,
        "PARTIDA_S3_REGION": REGION,
        **ACCESS_KEYS,
    }
    return server
