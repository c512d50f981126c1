"""A local trial of the cloud edition in one command (scripts/cloud-trial).

Starts, on 127.0.0.1 only and in a temporary folder: a PostgreSQL cluster, moto's
S3-compatible server and an SMTP server that prints what it receives; then a customer with a
demo company, a background worker, and the cloud edition's web server. Ctrl+C stops and
removes everything.
"""

import datetime
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from partida.devtools.postgres import free_port, start_cluster
from partida.devtools.s3 import start_s3_server

EMAIL = "demo@example.com"
PASSWORD = "demo-password"


def partida(env, *args, **kwargs):
    return subprocess.run([sys.executable, "-m", "partida", *args], env=env, check=True, **kwargs)


def stop_on_terminate(_signum, _frame):
    raise KeyboardInterrupt


def main(port: int = 8000) -> int:
    signal.signal(signal.SIGTERM, stop_on_terminate)  # clean up as for Ctrl+C
    folder = Path(tempfile.mkdtemp(prefix="partida-cloud-trial-"))
    cluster = start_cluster(stop_at_exit=False)
    store = None
    children: list[subprocess.Popen] = []
    try:
        import psycopg

        with psycopg.connect(cluster.url, autocommit=True) as connection:
            connection.execute('CREATE DATABASE "partida"')
        store = start_s3_server(folder, "partida")
        smtp_port = free_port()
        children.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "aiosmtpd",
                    "-n",
                    "-c",
                    "aiosmtpd.handlers.Debugging",
                    "-l",
                    f"127.0.0.1:{smtp_port}",
                ]
            )
        )
        env = {
            **os.environ,
            **store.environment,
            "PARTIDA_EDITION": "cloud",
            "PARTIDA_HOME": str(folder / "home"),
            "DATABASE_URL": cluster.database_url("partida"),
            "PARTIDA_SECRET_KEY": secrets.token_urlsafe(50),
            "PARTIDA_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            "PARTIDA_LISTEN": f"127.0.0.1:{port}",
        }
        until = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
        partida(
            env,
            "customers",
            "add",
            EMAIL,
            "--active-until",
            until,
            "--name",
            "Demo",
            input=PASSWORD + "\n",
            text=True,
        )
        partida(env, "demo", "--name", "Demo Cloud S.L.", "--size", "small", "--customer", EMAIL)
        children.append(subprocess.Popen([sys.executable, "-m", "partida", "worker"], env=env))
        print(
            f"\nCloud trial: http://127.0.0.1:{port}/portal/ — sign in as {EMAIL} with the "
            f"password {PASSWORD}. Ctrl+C stops it and removes everything.\n",
            flush=True,
        )
        server = subprocess.Popen([sys.executable, "-m", "partida", "serve", "--cloud"], env=env)
        children.append(server)
        try:
            return server.wait()
        except KeyboardInterrupt:
            return 0
    finally:
        for child in reversed(children):
            child.send_signal(signal.SIGINT)
        for child in reversed(children):
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
        if store:
            store.stop()
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8000))
