"""``python -m bench``: build (once) the demo companies, measure, print and save the table.

    .venv/bin/python -m bench [--engine sqlite|postgresql] [--sizes small,medium,large]
                              [--rounds N]

Every measured step is a subprocess of its own (``nice -n 10``), so its wall time and its peak
resident memory (``os.wait4``) are its own. A round runs every Partida and floor step once;
each step's fastest of ``--rounds`` rounds counts. dumpdata and loaddata run once, after.
Results: ``bench/results/<engine>.json`` and ``bench/results/<engine>.png``; scratch files
under ``bench/cache/work``.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from bench.browser_import import browser_import
from bench.encrypted import backup_once, import_once
from bench.engines import CACHE, ENGINES, Company
from bench.load import summary_load
from bench.proc import ROOT, Measure, check, python_module, run
from bench.report import goals, plot, table, write_json

RESULTS = ROOT / "bench" / "results"


def say(text: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {text}", file=sys.stderr, flush=True)


def warm(folder: Path) -> None:
    """Read every file once, so no step pays for a cold page cache that another did not."""
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as f:
                while f.read(8 << 20):
                    pass


class RoundSteps:
    """The measured steps on one company, in the order every round runs them.

    Each step runs once per call. The plain imports read the backup the round's own backup
    wrote, the encrypted import the encrypted backup, the floor restore the floor backup.
    """

    def __init__(self, engine, company: Company, work: Path, log: Path) -> None:
        self.engine, self.company, self.work, self.log = engine, company, work, log
        self.manager = work / "partida.manager"
        self.encrypted = work / "encrypted.manager"
        self.floor_archive: Path | None = None

    def steps(self) -> list[tuple[str, str, Callable[[], Measure]]]:
        """(method, what it is, the step)."""
        return [
            ("partida_backup", "partida backup", self.backup),
            ("partida_import", "partida import", self.import_plain),
            ("partida_backup_encrypted", "partida backup --encrypt", self.backup_encrypted),
            ("partida_import_encrypted", "partida import of it", self.import_encrypted),
            ("browser_import", "Import company from the screens", self.screen_import),
            ("floor_backup", "floor backup", self.floor_backup),
            ("floor_restore", "floor restore", self.floor_restore),
            ("insert_floor", "insert floor", self.insert_floor),
        ]

    def backup(self) -> Measure:
        return backup_once(self.company, self.manager, self.log, encrypt=False)

    def import_plain(self) -> Measure:
        return import_once(self.engine, self.manager, self.work, self.log, encrypt=False)

    def backup_encrypted(self) -> Measure:
        return backup_once(self.company, self.encrypted, self.log, encrypt=True)

    def import_encrypted(self) -> Measure:
        return import_once(self.engine, self.encrypted, self.work, self.log, encrypt=True)

    def screen_import(self) -> Measure:
        target = self.engine.target(self.work)
        measure = browser_import(self.manager, target.env(), self.log)
        self.engine.drop(target)
        return measure

    def floor_backup(self) -> Measure:
        measure, self.floor_archive = self.engine.floor_backup(self.company, self.work, self.log)
        return measure

    def floor_restore(self) -> Measure:
        return self.engine.floor_restore(self.floor_archive, self.work, self.log)

    def insert_floor(self) -> Measure:
        """The inserts' own time, as the floor's process reports it (see bench/insert_floor.py);
        its wall time, which includes reading and preparing the file, is kept beside."""
        target = self.engine.target(self.work)
        report = self.work / "insert-floor.json"
        command = python_module("bench.insert_floor", str(self.manager))
        measure = run(command, target.env(), self.log, output=report)
        process = check(measure, "insert floor", self.log)
        self.engine.drop(target)
        found = json.loads(report.read_text().splitlines()[-1])
        return Measure(
            seconds=found["insert_seconds"],
            peak_mb=process.peak_mb,
            returncode=process.returncode,
            process_seconds=process.seconds,
            rows=found["rows"],
        )


def fastest_of_rounds(steps: list, rounds: int, size: str) -> dict[str, Measure]:
    """Every step once a round, ``rounds`` times; each method's fastest run.

    Interleaved, so that a slower spell of the machine (another process, a flush) slows one
    run of every method rather than all the runs of one.
    """
    runs: dict[str, list[Measure]] = {method: [] for method, _what, _step in steps}
    for round_number in range(1, rounds + 1):
        for method, what, step in steps:
            say(f"{size}, round {round_number} of {rounds}: {what}")
            runs[method].append(step())
    return {method: min(measures, key=lambda m: m.seconds) for method, measures in runs.items()}


def peer_steps(engine, company: Company, work: Path, args, log: Path) -> dict:
    """dumpdata, then loaddata of what it wrote: once each, they are slow."""
    size = company.size
    methods = {}
    say(f"{size}: dumpdata (at most {args.peer_cap} s)")
    dump = work / "dumpdata.json"
    command = python_module("bench.peer", "dump", company.key, str(dump))
    measure = run(command, company.env(), log, timeout=args.peer_cap)
    if measure.ok:
        measure.bytes = dump.stat().st_size
    methods["dumpdata"] = measure.as_json()
    if measure.ok:
        say(f"{size}: loaddata (at most {args.peer_cap} s)")
        target = engine.target(work)
        command = python_module("bench.peer", "load", str(dump))
        methods["loaddata"] = run(command, target.env(), log, timeout=args.peer_cap).as_json()
        engine.drop(target)
    return methods


def measure_size(engine, company: Company, args, log: Path) -> dict:
    work = CACHE / "work" / engine.name / company.size
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    warm(company.home)
    steps = RoundSteps(engine, company, work, log)
    fastest = fastest_of_rounds(steps.steps(), args.rounds, company.size)

    from partida.archive.reader import ArchiveReader

    manifest = ArchiveReader(steps.manager).manifest
    rows = sum(manifest.tables.values())
    if fastest["insert_floor"].rows != rows:
        # A floor that inserted other rows than the file's would be a floor of something else.
        raise RuntimeError(f"insert floor wrote {fastest['insert_floor'].rows} of {rows} rows")
    methods = {method: measure.as_json() for method, measure in fastest.items()}
    if company.size in args.peer_sizes:
        methods |= peer_steps(engine, company, work, args, log)
    shutil.rmtree(work, ignore_errors=True)
    return {
        "rows": rows,
        "tables": manifest.tables,
        "attachment_count": manifest.attachment_count,
        "attachment_bytes": manifest.attachment_bytes,
        "build": company.build,
        "methods": methods,
    }


def reuse_peers(results: dict, path: Path) -> None:
    """dumpdata and loaddata from the last run, for sizes where they were not run now."""
    if not path.exists():
        return
    last = json.loads(path.read_text())
    for size, data in results["sizes"].items():
        old = last.get("sizes", {}).get(size, {})
        if old.get("rows") != data["rows"]:
            continue
        for method in ("dumpdata", "loaddata"):
            if method not in data["methods"] and method in old.get("methods", {}):
                earlier = old["methods"][method]
                data["methods"][method] = {
                    **earlier,
                    "measured": earlier.get("measured", last["date"]),
                }


def machine() -> dict:
    import zstandard

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "zstandard": zstandard.__version__,
        "platform": platform.platform(),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=sorted(ENGINES), default="sqlite")
    parser.add_argument(
        "--sizes",
        default="small,medium,large",
        help="comma-separated: small, medium, large (default: all three)",
    )
    parser.add_argument(
        "--peer-sizes",
        default="small,medium,large",
        help="sizes on which dumpdata and loaddata run (default: all)",
    )
    parser.add_argument(
        "--peer-cap",
        type=float,
        default=900,
        help="seconds after which dumpdata or loaddata is stopped (900)",
    )
    parser.add_argument(
        "--requests", type=int, default=200, help="Summary requests per company (200)"
    )
    parser.add_argument(
        "--reuse-peers",
        action="store_true",
        help="keep dumpdata/loaddata of sizes not run now from the last results",
    )
    parser.add_argument(
        "--rounds",
        "--repeat",
        dest="rounds",
        type=int,
        default=1,
        help="rounds, each running every Partida and floor step once; each step's fastest "
        "counts (1)",
    )
    args = parser.parse_args(argv)
    args.sizes = [s for s in args.sizes.split(",") if s]
    args.peer_sizes = [s for s in args.peer_sizes.split(",") if s]
    for size in args.sizes + args.peer_sizes:
        if size not in ("small", "medium", "large"):
            parser.error(f"unknown size {size!r}: choose small, medium or large")
    order = ["small", "medium", "large"]
    args.sizes.sort(key=order.index)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (CACHE / "logs").mkdir(parents=True, exist_ok=True)
    log = CACHE / "logs" / f"{args.engine}.log"
    log.write_text("")
    say(f"engine {args.engine}; log in {log}")
    engine = ENGINES[args.engine]()
    results = {
        "engine": args.engine,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "rounds": args.rounds,
        "sizes": {},
    }
    try:
        companies = {}
        for size in args.sizes:
            say(f"{size}: demo company (built once, then cached)")
            companies[size] = engine.company(size, log)
            say(f"{size}: ready (built in {companies[size].build['build_seconds']:.0f} s)")
        for size in args.sizes:
            results["sizes"][size] = measure_size(engine, companies[size], args, log)
        biggest = companies[args.sizes[-1]]
        say(f"{biggest.size}: Summary screen, {args.requests} requests each")
        results["summary_load"] = {
            "size": biggest.size,
            **summary_load(
                biggest.env(),
                CACHE / "logs" / "serve.log",
                biggest.key,
                biggest.empty_key,
                args.requests,
            ),
        }
    finally:
        engine.close()
    if args.reuse_peers:
        reuse_peers(results, RESULTS / f"{args.engine}.json")
    results["goals"] = goals(results)
    text = table(results)
    results["table"] = text.splitlines()
    write_json(results, RESULTS / f"{args.engine}.json")
    plot(results, RESULTS / f"{args.engine}.png")
    print(text)
    return 0
