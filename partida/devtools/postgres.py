"""A throw-away PostgreSQL cluster in a temporary folder, for tests, benchmarks and local trials.

PostgreSQL refuses to run as root, so when we are root the cluster belongs to an unprivileged
user (``postgres`` if it exists, else one made for the purpose). It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

MINIMUM_MAJOR = 15
INSTALL_HINT = (
    "PostgreSQL {minimum} or newer is needed but was not found: install it with "
    "'apt-get install postgresql' (scripts/test does this by itself when run as root)."
)


class PostgresUnavailable(RuntimeError):
    pass


def find_bindir() -> Path:
    """The newest PostgreSQL server's bin folder, at least version 15."""
    candidates = []
    for bindir in glob.glob("/usr/lib/postgresql/*/bin"):
        try:
            major = int(Path(bindir).parent.name)
        except ValueError:
            continue
        if major >= MINIMUM_MAJOR and (Path(bindir) / "initdb").exists():
            candidates.append((major, Path(bindir)))
    if candidates:
        return max(candidates)[1]
    initdb = shutil.which("initdb")
    if initdb:
        version = subprocess.run([initdb, "--version"], capture_output=True, text=True).stdout
        major = int(version.split()[-1].split(".")[0])
        if major >= MINIMUM_MAJOR:
            return Path(initdb).resolve().parent
    raise PostgresUnavailable(INSTALL_HINT.format(minimum=MINIMUM_MAJOR))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unprivileged_user() -> str | None:
    """The user to run the server as, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "partida-pg"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "partida-pg"],
        check=True,
    )
    return "partida-pg"


@dataclass
class Cluster:
    folder: Path
    port: int
    bindir: Path
    user: str | None

    @property
    def url(self) -> str:
        return self.database_url("postgres")

    def database_url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def stop(self) -> None:
        if (self.folder / "data" / "postmaster.pid").exists():
            self.run(
                "pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop", check=False
            )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster(stop_at_exit: bool = True) -> Cluster:
    """Create and start a new cluster; its superuser ``postgres`` needs no password."""
    bindir = find_bindir()
    user = unprivileged_user()
    folder = Path(tempfile.mkdtemp(prefix="partida-pg-"))
    os.chmod(folder, 0o755)
    if user:
        record = pwd.getpwnam(user)
        os.chown(folder, record.pw_uid, record.pw_gid)
    cluster = Cluster(folder=folder, port=free_port(), bindir=bindir, user=user)
    data = folder / "data"
    try:
        cluster.run(
            "initdb",
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {cluster.port} -k {folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=100 -c shared_buffers=256MB"
        )
        cluster.run(
            "pg_ctl",
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )
    except subprocess.CalledProcessError as error:
        log = (folder / "log").read_text() if (folder / "log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise PostgresUnavailable(
            f"PostgreSQL could not start: {error.stderr.strip() or log.strip()}"
        ) from error
    if stop_at_exit:
        atexit.register(cluster.stop)
    return cluster
