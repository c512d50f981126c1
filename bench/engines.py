"""The demo companies of each size, built once and cached, and the raw floor, per engine.

SQLite: ``bench/cache/sqlite/<size>/home`` is a data folder (``PARTIDA_HOME``) holding the
database and the files of one demo company (and of an empty company, for the Summary).

PostgreSQL: a throw-away cluster per run (``partida.devtools.postgres.start_cluster``); the
cache holds each size's files (``home``) and a ``pg_dump`` of its database, restored into the
new cluster at the start of a run (not measured).
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.proc import (
    ROOT,
    Measure,
    check,
    environment,
    partida_command,
    python_module,
    run,
    tree_size,
)

CACHE = ROOT / "bench" / "cache"
ZSTD = "zstd -3 -T0"
UNZSTD = "zstd -d -T0"


@dataclass
class Company:
    size: str
    home: Path
    database_url: str | None
    key: str
    empty_key: str
    build: dict

    @property
    def name(self) -> str:
        return f"Bench {self.size}"

    def env(self) -> dict[str, str]:
        return environment(self.home, self.database_url)


@dataclass
class Target:
    """An empty, migrated place to import into."""

    home: Path
    database_url: str | None

    def env(self) -> dict[str, str]:
        return environment(self.home, self.database_url)


def build_demo(size: str, home: Path, database_url: str | None, log: Path) -> dict:
    """Make the demo company of ``size`` and an empty company; time the demo."""
    env = environment(home, database_url)
    measure = check(
        run(partida_command("demo", "--size", size, "--name", f"Bench {size}"), env, log),
        f"partida demo --size {size}",
        log,
    )
    key = peer_output(env, "key", f"Bench {size}")
    empty = peer_output(env, "create-empty", "Bench empty")
    return {
        "key": key,
        "empty_key": empty,
        "account_days": True,
        "build_seconds": measure.seconds,
        "build_peak_mb": measure.peak_mb,
    }


def copy_demo(sqlite: Path, home: Path, database_url: str, log: Path) -> dict:
    """The large demo made once on SQLite, carried to PostgreSQL by a backup and an import.

    Generating the large demo takes about half an hour; this takes minutes. The company is
    the same, under new keys (an import renames them).
    """
    source = json.loads((sqlite / "build.json").read_text())
    manager = home.parent / "seed.manager"
    home.mkdir(parents=True, exist_ok=True)
    check(
        run(
            partida_command("backup", source["key"], "-o", str(manager)),
            environment(sqlite / "home"),
            log,
        ),
        "partida backup (seed)",
        log,
    )
    env = environment(home, database_url)
    measure = check(run(partida_command("import", str(manager)), env, log), "import (seed)", log)
    manager.unlink()
    return {
        "key": peer_output(env, "key", "Bench large"),
        "empty_key": peer_output(env, "create-empty", "Bench empty"),
        "build_seconds": source["build_seconds"],
        "build_peak_mb": source["build_peak_mb"],
        "account_days": True,
        "copied_from_sqlite_seconds": measure.seconds,
    }


def peer_output(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        python_module("bench.peer", *args), env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"bench.peer {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def tar_blobs(home: Path, archive: Path, log: Path, *extra: str) -> Measure:
    """``tar`` with ``zstd -3`` of the attachment files (and ``extra`` -C folder file pairs)."""
    command = ["tar", "-I", ZSTD, "-cf", str(archive), *extra, "-C", str(home / "files"), "blobs"]
    return check(run(command, log=log), "tar", log)


def combine(*measures: Measure) -> Measure:
    return Measure(
        seconds=round(sum(m.seconds for m in measures), 3),
        peak_mb=max(m.peak_mb for m in measures),
        returncode=0,
    )


class SQLite:
    name = "sqlite"

    def __init__(self) -> None:
        self.cache = CACHE / "sqlite"
        self.cache.mkdir(parents=True, exist_ok=True)
        self.imports = 0
        self.empty_migrated = False

    def close(self) -> None:
        pass

    def company(self, size: str, log: Path) -> Company:
        folder = self.cache / size
        marker = folder / "build.json"
        if not marker.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            build = build_demo(size, folder / "home", None, log)
            marker.write_text(json.dumps(build, indent=2))
        build = json.loads(marker.read_text())
        if not build.get("account_days"):
            # A demo cached before the Summary kept daily totals: make them, once.
            peer_output(environment(folder / "home"), "rebuild-days", build["key"])
            build["account_days"] = True
            marker.write_text(json.dumps(build, indent=2))
        return Company(size, folder / "home", None, build["key"], build["empty_key"], build)

    def empty_template(self) -> Path:
        home = self.cache / "empty" / "home"
        if not self.empty_migrated:  # once a run: the schema may have changed since
            home.mkdir(parents=True, exist_ok=True)
            peer_output(environment(home), "migrate")
            self.empty_migrated = True
        return home

    def target(self, work: Path) -> Target:
        """A copy of a migrated, empty data folder."""
        self.imports += 1
        home = work / f"target-{self.imports}"
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(self.empty_template(), home)
        os.sync()  # the step before's writes reach the disk before this step's clock starts
        return Target(home, None)

    def drop(self, target: Target) -> None:
        shutil.rmtree(target.home, ignore_errors=True)

    def floor_backup(self, company: Company, work: Path, log: Path) -> tuple[Measure, Path]:
        """SQLite's online backup of the database file, then tar + zstd -3 with the files."""
        copy = work / "floor-db"
        shutil.rmtree(copy, ignore_errors=True)
        copy.mkdir()
        db = copy / "partida.sqlite3"
        first = check(
            run(
                python_module(
                    "bench.floor", "sqlite-backup", str(company.home / "partida.sqlite3"), str(db)
                ),
                environment(company.home),
                log,
            ),
            "sqlite backup",
            log,
        )
        archive = work / "floor.tar.zst"
        second = tar_blobs(company.home, archive, log, "-C", str(copy), "partida.sqlite3")
        shutil.rmtree(copy)
        measure = combine(first, second)
        measure.bytes = archive.stat().st_size
        return measure, archive

    def floor_restore(self, archive: Path, work: Path, log: Path) -> Measure:
        """Untar: the database file and the files come back."""
        folder = work / "floor-restore"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        measure = check(
            run(["tar", "-I", UNZSTD, "-xf", str(archive), "-C", str(folder)], log=log),
            "untar",
            log,
        )
        shutil.rmtree(folder)
        return measure


class PostgreSQL:
    name = "postgresql"

    def __init__(self) -> None:
        from partida.devtools.postgres import start_cluster

        self.cache = CACHE / "postgresql"
        self.cache.mkdir(parents=True, exist_ok=True)
        self.cluster = start_cluster()
        self.imports = 0
        self.empty_ready = False

    def close(self) -> None:
        self.cluster.stop()

    def tool(self, name: str, *args: str) -> list[str]:
        port = str(self.cluster.port)
        return [
            str(self.cluster.bindir / name),
            "-h",
            "127.0.0.1",
            "-p",
            port,
            "-U",
            "postgres",
            *args,
        ]

    def sql(self, statement: str) -> None:
        subprocess.run(
            self.tool("psql", "-d", "postgres", "-qc", statement), check=True, capture_output=True
        )

    def company(self, size: str, log: Path) -> Company:
        folder = self.cache / size
        marker = folder / "build.json"
        database = f"bench_{size}"
        url = self.cluster.database_url(database)
        self.sql(f"CREATE DATABASE {database}")
        if not marker.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            sqlite = CACHE / "sqlite" / size
            if size == "large" and (sqlite / "build.json").exists():
                build = copy_demo(sqlite, folder / "home", url, log)
            else:
                build = build_demo(size, folder / "home", url, log)
            subprocess.run(
                self.tool("pg_dump", "-Fc", "-f", str(folder / "db.dump"), database), check=True
            )
            marker.write_text(json.dumps(build, indent=2))
        else:
            subprocess.run(
                self.tool("pg_restore", "--no-owner", "-d", database, str(folder / "db.dump")),
                check=True,
            )
            subprocess.run(self.tool("psql", "-d", database, "-qc", "ANALYZE"), check=True)
        build = json.loads(marker.read_text())
        return Company(size, folder / "home", url, build["key"], build["empty_key"], build)

    def target(self, work: Path) -> Target:
        """A new database made from a migrated, empty template, and an empty data folder."""
        if not self.empty_ready:
            self.sql("CREATE DATABASE bench_empty")
            home = work / "empty-home"
            home.mkdir(parents=True, exist_ok=True)
            peer_output(environment(home, self.cluster.database_url("bench_empty")), "migrate")
            self.empty_ready = True
        self.imports += 1
        database = f"bench_target_{self.imports}"
        self.sql(f"CREATE DATABASE {database} TEMPLATE bench_empty")
        home = work / f"target-{self.imports}"
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir()
        # The step before wrote a company into the cluster: flush it now, or its checkpoint
        # falls inside this step's time (measured on the large company: the screen import,
        # run right after the command-line import, took 1.20x to 1.24x its time; with this
        # flush before each, 1.00x).
        self.sql("CHECKPOINT")
        os.sync()
        return Target(home, self.cluster.database_url(database))

    def drop(self, target: Target) -> None:
        shutil.rmtree(target.home, ignore_errors=True)
        database = target.database_url.rsplit("/", 1)[1]
        self.sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")

    def floor_backup(self, company: Company, work: Path, log: Path) -> tuple[Measure, Path]:
        """``pg_dump -Fc`` of the database, then tar + zstd -3 of the files."""
        dump = work / "floor.dump"
        database = company.database_url.rsplit("/", 1)[1]
        first = check(
            run(self.tool("pg_dump", "-Fc", "-f", str(dump), database), log=log), "pg_dump", log
        )
        archive = work / "floor-blobs.tar.zst"
        second = tar_blobs(company.home, archive, log)
        measure = combine(first, second)
        measure.bytes = dump.stat().st_size + archive.stat().st_size
        return measure, work

    def floor_restore(self, folder: Path, work: Path, log: Path) -> Measure:
        """``pg_restore`` into a new database, and untar the files."""
        self.imports += 1
        database = f"bench_floor_{self.imports}"
        self.sql(f"CREATE DATABASE {database}")
        first = check(
            run(
                self.tool("pg_restore", "--no-owner", "-d", database, str(folder / "floor.dump")),
                log=log,
            ),
            "pg_restore",
            log,
        )
        restored = work / "floor-restore"
        shutil.rmtree(restored, ignore_errors=True)
        restored.mkdir()
        second = check(
            run(
                [
                    "tar",
                    "-I",
                    UNZSTD,
                    "-xf",
                    str(folder / "floor-blobs.tar.zst"),
                    "-C",
                    str(restored),
                ],
                log=log,
            ),
            "untar",
            log,
        )
        shutil.rmtree(restored)
        self.sql(f"DROP DATABASE {database} WITH (FORCE)")
        return combine(first, second)


ENGINES = {"sqlite": SQLite, "postgresql": PostgreSQL}
__all__ = ["ENGINES", "Company", "Target", "tree_size"]
