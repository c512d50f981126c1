"""``python -m bench.encrypted``: encrypted against plain backup and import, same process, same run.

    .venv/bin/python -m bench.encrypted [--engine sqlite|postgresql] [--sizes medium] [--repeat 3]

Each step is a subprocess of its own (``bench.proc.run``: wall time and peak memory of its
own), plain and encrypted taking turns, the fastest of ``--repeat`` counting. The encrypted
steps use the real key derivation (scrypt, work factor 18: about a second and 256 MiB, once per
command) and give the passphrase in ``PARTIDA_BACKUP_PASSPHRASE``, as a script would. Results:
``bench/results/<engine>-encrypted.json``. The whole benchmark (``python -m bench``) measures
the same two steps beside the others.
"""

import argparse
import datetime
import json
import shutil

from bench.engines import CACHE, ENGINES
from bench.proc import ROOT, check, partida_command, run

RESULTS = ROOT / "bench" / "results"
PASSPHRASE = "bench: correct horse battery staple"
#: The goal: an encrypted backup or import within this many times the plain one's time.
GOAL = 1.15


def encrypted_env(env: dict[str, str]) -> dict[str, str]:
    return {**env, "PARTIDA_BACKUP_PASSPHRASE": PASSPHRASE}


def backup_once(company, path, log, encrypt: bool):
    """One ``partida backup`` (``--encrypt`` when ``encrypt``) of the company to ``path``."""
    env = encrypted_env(company.env()) if encrypt else company.env()
    path.unlink(missing_ok=True)
    extra = ("--encrypt",) if encrypt else ()
    command = partida_command("backup", company.key, "-o", str(path), *extra)
    measure = check(run(command, env, log), f"backup{' --encrypt' if encrypt else ''}", log)
    measure.bytes = path.stat().st_size
    return measure


def import_once(engine, path, work, log, encrypt: bool):
    """One ``partida import`` of ``path`` into a new, empty target."""
    target = engine.target(work)
    env = encrypted_env(target.env()) if encrypt else target.env()
    measure = check(run(partida_command("import", str(path)), env, log), "import", log)
    engine.drop(target)
    return measure


def backup_steps(company, work, log, repeat: int) -> dict:
    plain, encrypted = work / "plain.manager", work / "encrypted.manager"
    runs: dict[str, list] = {"partida_backup": [], "partida_backup_encrypted": []}
    for _ in range(repeat):
        runs["partida_backup"].append(backup_once(company, plain, log, encrypt=False))
        runs["partida_backup_encrypted"].append(backup_once(company, encrypted, log, encrypt=True))
    return {method: min(measures, key=lambda m: m.seconds) for method, measures in runs.items()}


def import_steps(engine, work, log, repeat: int) -> dict:
    plain, encrypted = work / "plain.manager", work / "encrypted.manager"
    runs: dict[str, list] = {"partida_import": [], "partida_import_encrypted": []}
    for _ in range(repeat):
        runs["partida_import"].append(import_once(engine, plain, work, log, encrypt=False))
        runs["partida_import_encrypted"].append(
            import_once(engine, encrypted, work, log, encrypt=True)
        )
    return {method: min(measures, key=lambda m: m.seconds) for method, measures in runs.items()}


def ratios(methods: dict) -> dict:
    out = {}
    for step in ("backup", "import"):
        plain, encrypted = methods[f"partida_{step}"], methods[f"partida_{step}_encrypted"]
        out[step] = {
            "plain_seconds": plain.seconds,
            "encrypted_seconds": encrypted.seconds,
            "ratio": round(encrypted.seconds / plain.seconds, 3),
            "plain_peak_mb": plain.peak_mb,
            "encrypted_peak_mb": encrypted.peak_mb,
            "goal_met": encrypted.seconds <= GOAL * plain.seconds,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.encrypted")
    parser.add_argument("--engine", choices=sorted(ENGINES), default="sqlite")
    parser.add_argument("--sizes", default="medium", help="comma-separated (default: medium)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step (3)")
    args = parser.parse_args(argv)
    (CACHE / "logs").mkdir(parents=True, exist_ok=True)
    log = CACHE / "logs" / f"{args.engine}-encrypted.log"
    log.write_text("")
    engine = ENGINES[args.engine]()
    results = {
        "engine": args.engine,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "goal": f"encrypted <= {GOAL}x plain",
        "sizes": {},
    }
    lines = [
        f"{'size':8} {'step':7} {'plain s':>8} {'encrypted s':>12} {'ratio':>6} "
        f"{'plain MB':>9} {'encr. MB':>9}"
    ]
    try:
        for size in [s for s in args.sizes.split(",") if s]:
            company = engine.company(size, log)
            work = CACHE / "work" / f"{engine.name}-encrypted" / size
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            methods = backup_steps(company, work, log, args.repeat)
            methods |= import_steps(engine, work, log, args.repeat)
            found = ratios(methods)
            results["sizes"][size] = {
                "methods": {name: m.as_json() for name, m in methods.items()},
                "ratios": found,
            }
            for step, r in found.items():
                lines.append(
                    f"{size:8} {step:7} {r['plain_seconds']:8.2f} {r['encrypted_seconds']:12.2f} "
                    f"{r['ratio']:6.2f} {r['plain_peak_mb']:9.0f} {r['encrypted_peak_mb']:9.0f}"
                )
            shutil.rmtree(work, ignore_errors=True)
    finally:
        engine.close()
    results["table"] = lines
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.engine}-encrypted.json").write_text(json.dumps(results, indent=1) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
