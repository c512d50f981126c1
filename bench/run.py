"""``python -m bench``: build (once) the demo companies, measure, print and save the table.

    .venv/bin/python -m bench [--engine sqlite|postgresql] [--sizes small,medium,large]

Every measured step is a subprocess of its own (``nice -n 10``), so its wall time and its peak
resident memory (``os.wait4``) are its own. Results: ``bench/results/<engine>.json`` and
``bench/results/<engine>.png``; scratch files under ``bench/cache/work``.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import sqlite3
import sys
from pathlib import Path

from bench.browser_import import browser_import
from bench.encrypted import encrypted_steps
from bench.engines import CACHE, ENGINES, Company
from bench.load import summary_load
from bench.proc import ROOT, check, partida_command, python_module, run
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


def best(measures):
    return min(measures, key=lambda m: m.seconds)


def measure_size(engine, company: Company, args, log: Path) -> dict:
    work = CACHE / "work" / engine.name / company.size
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    warm(company.home)
    methods = {}
    size = company.size

    say(f"{size}: partida backup")
    manager = work / "partida.manager"
    runs = []
    for _ in range(args.repeat):
        manager.unlink(missing_ok=True)
        command = partida_command("backup", company.key, "-o", str(manager))
        runs.append(check(run(command, company.env(), log), "partida backup", log))
    backup = best(runs)
    backup.bytes = manager.stat().st_size
    methods["partida_backup"] = backup.as_json()

    from partida.archive.reader import ArchiveReader

    manifest = ArchiveReader(manager).manifest
    rows = sum(manifest.tables.values())

    say(f"{size}: partida import")
    runs = []
    for _ in range(args.repeat):
        target = engine.target(work)
        command = partida_command("import", str(manager))
        runs.append(check(run(command, target.env(), log), "partida import", log))
        engine.drop(target)
    methods["partida_import"] = best(runs).as_json()

    say(f"{size}: partida backup --encrypt, and partida import of it")
    methods |= encrypted_steps(engine, company, work, log, args.repeat)

    say(f"{size}: Import company from the screens")
    runs = []
    for _ in range(args.repeat):
        target = engine.target(work)
        runs.append(browser_import(manager, target.env(), log))
        engine.drop(target)
    methods["browser_import"] = best(runs).as_json()

    say(f"{size}: floor backup and restore")
    runs = []
    for _ in range(args.repeat):
        floor, archive = engine.floor_backup(company, work, log)
        runs.append(floor)
    methods["floor_backup"] = best(runs).as_json()
    runs = [engine.floor_restore(archive, work, log) for _ in range(args.repeat)]
    methods["floor_restore"] = best(runs).as_json()

    if size in args.peer_sizes:
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
        "--repeat",
        type=int,
        default=1,
        help="runs of each Partida and floor step; the fastest counts (1)",
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
