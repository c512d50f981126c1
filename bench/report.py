"""The table, the goals of issue 13 (and the earlier ones still standing), the JSON and the plot
of a run."""

import json
import math
import textwrap
from pathlib import Path

METHODS = [
    ("partida_backup", "Partida backup"),
    ("floor_backup", "floor backup"),
    ("dumpdata", "dumpdata"),
    ("partida_backup_encrypted", "encrypted backup"),
    ("partida_import", "Partida import"),
    ("partida_import_encrypted", "encrypted import"),
    ("browser_import", "screen import"),
    ("floor_restore", "floor restore"),
    ("insert_floor", "insert floor"),
    ("loaddata", "loaddata"),
]
FLOOR_OF = {
    "partida_backup": "floor_backup",
    "partida_import": "floor_restore",
    "browser_import": "floor_restore",
}
#: The imports' second floor: the file's rows, prepared before the clock, only inserted.
INSERT_FLOOR_OF = {"partida_import": "insert_floor", "browser_import": "insert_floor"}
#: "Partida import" of the large company in the committed bench/results/sqlite.json and
#: postgresql.json of 2026-12-01, the last results before issue 13, which asks to halve it.
IMPORT_BASELINE_SECONDS = {"sqlite": 157.55, "postgresql": 134.02}
#: Issue 13: the largest company's backup within this many times the raw floor's time. pg_dump
#: does what a backup does on PostgreSQL; SQLite's floor copies pages and parses nothing.
BACKUP_OF_FLOOR = {"sqlite": 1.3, "postgresql": 1.1}
#: The methods as the goals name them.
GOAL_NAMES = {
    "partida_backup": "partida backup",
    "partida_import": "partida import",
    "browser_import": "Import company from the screens",
    "floor_backup": "the raw floor backup",
    "insert_floor": "the insert floor",
}
COLOURS = {
    "partida_backup": (31, 119, 180),
    "partida_import": (31, 119, 180),
    "browser_import": (148, 103, 189),
    "floor_backup": (44, 160, 44),
    "floor_restore": (44, 160, 44),
    "insert_floor": (23, 190, 207),
    "dumpdata": (214, 39, 40),
    "loaddata": (214, 39, 40),
}
COLOURS |= {"partida_backup_encrypted": (255, 127, 14), "partida_import_encrypted": (255, 127, 14)}
DASHED = {
    "partida_import",
    "partida_import_encrypted",
    "browser_import",
    "floor_restore",
    "insert_floor",
    "loaddata",
}


def finished(result: dict | None) -> bool:
    return bool(result) and result.get("returncode") == 0 and not result.get("timed_out")


def per_row_ratio(sizes: dict, peer: str, ours: str) -> dict | None:
    """How many times faster per row Partida is than Django's peer: on the largest size where
    the peer finished; if it finished nowhere, a lower bound from its time cap."""
    measured = bound = None
    for size, data in sizes.items():
        methods = data["methods"]
        if ours not in methods or peer not in methods:
            continue
        theirs = methods[peer]
        ratio = round(theirs["seconds"] / methods[ours]["seconds"], 1)
        if finished(theirs):
            measured = {"size": size, "ratio": ratio, "bound": False}
        elif theirs.get("timed_out"):
            bound = {"size": size, "ratio": ratio, "bound": True}
    return measured or bound


class Goals:
    """The goals of a run, in order: ``add(goal, measured, met)``, met None when unknown."""

    def __init__(self) -> None:
        self.found: list[dict] = []

    def add(self, goal: str, measured: str, met: bool | None) -> None:
        self.found.append({"goal": goal, "measured": measured, "met": met})

    def within(self, size: str, sizes: dict, ours: str, floor: str, limit: float) -> None:
        """``ours`` within ``limit`` times ``floor``'s time on ``size``."""
        goal = f"{size}: {GOAL_NAMES[ours]} within {limit}x {GOAL_NAMES[floor]}'s time"
        methods = sizes.get(size, {}).get("methods", {})
        mine, theirs = methods.get(ours), methods.get(floor)
        if not (finished(mine) and finished(theirs)):
            self.add(goal, "not measured", None)
            return
        ratio = mine["seconds"] / theirs["seconds"]
        measured = f"{ratio:.2f}x ({mine['seconds']:.2f} s vs {theirs['seconds']:.2f} s)"
        self.add(goal, measured, ratio <= limit)

    def faster_than_baseline(self, sizes: dict, engine: str) -> None:
        baseline = IMPORT_BASELINE_SECONDS[engine]
        goal = f"large: partida import at least 2x faster than before issue 13 ({baseline} s)"
        mine = sizes.get("large", {}).get("methods", {}).get("partida_import")
        if not finished(mine):
            self.add(goal, "large not measured", None)
            return
        speedup = baseline / mine["seconds"]
        self.add(goal, f"{speedup:.2f}x faster ({mine['seconds']:.1f} s)", speedup >= 2)

    def memory(self, big: str, sizes: dict, ours: str, required: bool) -> None:
        """Peak memory under 150 MB on the largest size, and flat: within 10% of medium's.
        Without a medium size measured, flatness is unknown when ``required``, else left out."""
        mine = sizes[big]["methods"].get(ours)
        if mine is None:
            return
        name, peak = ours.replace("_", " "), mine["peak_mb"]
        self.add(f"{big}: {name} peak memory < 150 MB", f"{peak:.0f} MB", peak < 150)
        goal = f"{big}: {name} peak memory within 10% of medium's"
        if "medium" in sizes and big != "medium":
            medium = sizes["medium"]["methods"][ours]["peak_mb"]
            measured = f"{peak:.0f} MB vs {medium:.0f} MB ({100 * (peak / medium - 1):+.0f}%)"
            self.add(goal, measured, peak <= 1.1 * medium)
        elif required:
            self.add(goal, "medium and a larger size not both measured", None)


def goals(results: dict) -> list[dict]:
    sizes = results["sizes"]
    big = "large" if "large" in sizes else list(sizes)[-1]
    found = Goals()
    issue_13_goals(found, results, big)
    earlier_goals(found, results, big)
    return found.found


def issue_13_goals(found: Goals, results: dict, big: str) -> None:
    sizes, engine = results["sizes"], results["engine"]
    found.within(big, sizes, "partida_backup", "floor_backup", BACKUP_OF_FLOOR[engine])
    found.within("medium", sizes, "partida_backup", "floor_backup", 2)
    found.within(big, sizes, "partida_import", "insert_floor", 1.5)
    found.faster_than_baseline(sizes, engine)
    found.memory(big, sizes, "partida_import", required=True)


def earlier_goals(found: Goals, results: dict, big: str) -> None:
    """The goals of issues 5 and 9 that issue 13 leaves standing."""
    sizes = results["sizes"]
    methods = sizes[big]["methods"]
    found.memory(big, sizes, "partida_backup", required=False)
    if "partida_backup" in methods and "floor_backup" in methods:
        ours, floor = methods["partida_backup"]["bytes"], methods["floor_backup"]["bytes"]
        found.add(
            f"{big}: .manager no larger than the floor's compressed output",
            f"{ours / 2**20:.1f} MB vs {floor / 2**20:.1f} MB",
            ours <= floor,
        )
    peer_goals(found, sizes)
    for size in ("medium", "large"):
        if size in sizes:
            found.within(size, sizes, "browser_import", "partida_import", 1.2)
    encrypted_goals(found, sizes)
    load = results.get("summary_load")
    if load:
        found.add(
            f"{load['size']}: Summary within 5x of an empty company's",
            f"{load['ratio']}x ({load['company']['mean_ms']} ms vs {load['empty']['mean_ms']} ms,"
            f" {load['company']['requests']} requests each)",
            load["ratio"] <= 5,
        )


def peer_goals(found: Goals, sizes: dict) -> None:
    for peer, ours in (("dumpdata", "partida_backup"), ("loaddata", "partida_import")):
        ratio = per_row_ratio(sizes, peer, ours)
        goal = f"{ours.replace('_', ' ')} >= 20x faster per row than {peer}"
        if ratio is None:
            found.add(goal, "not run", None)
            continue
        qualifier = "at least " if ratio["bound"] else ""
        found.add(
            goal,
            f"{qualifier}{ratio['ratio']}x on {ratio['size']}",
            ratio["ratio"] >= 20 if not ratio["bound"] or ratio["ratio"] >= 20 else None,
        )


def encrypted_goals(found: Goals, sizes: dict) -> None:
    for size, data in sizes.items():
        for step in ("backup", "import"):
            plain = data["methods"].get(f"partida_{step}")
            encrypted = data["methods"].get(f"partida_{step}_encrypted")
            if plain and encrypted and finished(plain) and finished(encrypted):
                ratio = encrypted["seconds"] / plain["seconds"]
                found.add(
                    f"{size}: encrypted {step} <= 1.15x the plain {step}'s time",
                    f"{ratio:.2f}x ({encrypted['seconds']:.1f} s vs {plain['seconds']:.1f} s; "
                    f"{encrypted['peak_mb']:.0f} MB vs {plain['peak_mb']:.0f} MB peak)",
                    ratio <= 1.15,
                )


def cell(result: dict | None, key: str, fmt: str) -> str:
    if not result or key not in result:
        return "-"
    return format(result[key], fmt)


def title(results: dict) -> str:
    rounds = results.get("rounds")
    how = ""
    if rounds:
        plural = "s" if rounds != 1 else ""
        how = f"; fastest of {rounds} interleaved round{plural}, dumpdata and loaddata run once"
    return (
        f"Partida benchmarks on {results['engine']} ({results['machine']['cpus']} CPUs, "
        f"{results['date']}{how})"
    )


HEADER = (
    f"{'size':<7} {'method':<16} {'time s':>9} {'rows/s':>10} {'× raw floor':>11} "
    f"{'× insert floor':>14} {'peer/Partida':>12} {'peak MB':>8} {'file MB':>9}"
)


def times(result: dict, other: dict | None) -> str:
    return f"{result['seconds'] / other['seconds']:.2f}" if finished(other) else ""


def method_line(size: str, label: str, method: str, methods: dict, rows: int) -> str:
    result = methods[method]
    if not finished(result):
        state = f"did not finish within {result['seconds']:.0f} s"
        if not result.get("timed_out"):
            state = f"failed (status {result.get('returncode')})"
        return f"{size:<7} {label:<16} {state}"
    raw_floor = times(result, methods.get(FLOOR_OF.get(method, "")))
    insert_floor = times(result, methods.get(INSERT_FLOOR_OF.get(method, "")))
    peer_ratio = ""
    if method in ("dumpdata", "loaddata"):
        ours = methods["partida_backup" if method == "dumpdata" else "partida_import"]
        peer_ratio = f"{result['seconds'] / ours['seconds']:.1f}"
    peak = f"{result['peak_mb']:.0f}"
    if method == "insert_floor":
        peak = f"({peak})"  # the prepared company in memory: see the note below the table
    size_mb = f"{result['bytes'] / 2**20:.1f}" if "bytes" in result else ""
    return (
        f"{size:<7} {label:<16} {result['seconds']:>9.2f} {rows / result['seconds']:>10,.0f} "
        f"{raw_floor:>11} {insert_floor:>14} {peer_ratio:>12} {peak:>8} {size_mb:>9}"
    )


def insert_floor_note(sizes: dict) -> list[str]:
    prepared = [
        f"{data['methods']['insert_floor']['process_seconds']:.1f} s on {size}"
        for size, data in sizes.items()
        if finished(data["methods"].get("insert_floor"))
    ]
    if not prepared:
        return []
    note = (
        "insert floor: the file's rows, read and prepared in memory by the import's own code "
        "before the clock starts, inserted into an empty database in one transaction "
        "(executemany on SQLite, COPY on PostgreSQL) with the attachments stored, and committed;"
        " its time is that alone. The whole process, reading and preparing included, took "
        f"{', '.join(prepared)}. Its peak MB, in brackets, holds the whole prepared company "
        "and is no measure of an import."
    )
    return ["", *textwrap.wrap(note, len(HEADER))]


def table(results: dict) -> str:
    lines = [title(results), "", HEADER, "-" * len(HEADER)]
    for size, data in results["sizes"].items():
        rows = data["rows"]
        methods = data["methods"]
        for method, label in METHODS:
            if method in methods:
                lines.append(method_line(size, label, method, methods, rows))
        lines.append(
            f"{'':<7} ({rows:,} rows, {data['attachment_count']:,} files of "
            f"{data['attachment_bytes'] / 2**20:,.0f} MB; demo built in "
            f"{data['build']['build_seconds']:.0f} s)"
        )
    lines += insert_floor_note(results["sizes"])
    load = results.get("summary_load")
    if load:
        lines += [
            "",
            f"Summary screen, {load['company']['requests']} requests each over loopback: "
            f"{load['size']} company {load['company']['mean_ms']} ms mean "
            f"({load['company']['p95_ms']} ms p95), empty company {load['empty']['mean_ms']} ms "
            f"mean ({load['empty']['p95_ms']} ms p95): {load['ratio']}x",
        ]
    lines += ["", "Goals (issue 13, then the earlier goals that still stand):"]
    for goal in results["goals"]:
        mark = {True: "met", False: "NOT met", None: "unknown"}[goal["met"]]
        lines.append(f"  [{mark:^7}] {goal['goal']}: {goal['measured']}")
    return "\n".join(lines)


def write_json(results: dict, path: Path) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n")
    tmp.replace(path)


def plot(results: dict, path: Path) -> None:
    """Time against company size (rows), log-log, one line per method, drawn with Pillow."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = 960, 600
    left, right, top, bottom = 90, 230, 50, 70
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.load_default(size=15)
        small = ImageFont.load_default(size=13)
    except TypeError:  # Pillow without FreeType
        font = small = ImageFont.load_default()
    series = {}
    for method, _label in METHODS:
        points = [
            (data["rows"], data["methods"][method]["seconds"])
            for data in results["sizes"].values()
            if finished(data["methods"].get(method))
        ]
        if points:
            series[method] = points
    xs = [x for points in series.values() for x, _ in points]
    ys = [y for points in series.values() for _, y in points]
    x0, x1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)

    def at(x: float, y: float) -> tuple[float, float]:
        px = left + (math.log10(x) - x0) / (x1 - x0) * (width - left - right)
        py = height - bottom - (math.log10(y) - y0) / (y1 - y0) * (height - top - bottom)
        return px, py

    for exponent in range(x0, x1 + 1):
        px, _ = at(10**exponent, 10**y0)
        draw.line([(px, top), (px, height - bottom)], fill=(225, 225, 225))
        draw.text(
            (px, height - bottom + 8), f"{10**exponent:,}", fill="black", font=small, anchor="mt"
        )
    for exponent in range(y0, y1 + 1):
        _, py = at(10**x0, 10**exponent)
        draw.line([(left, py), (width - right, py)], fill=(225, 225, 225))
        label = f"{10**exponent:g} s"
        draw.text((left - 8, py), label, fill="black", font=small, anchor="rm")
    draw.rectangle([left, top, width - right, height - bottom], outline="black")
    draw.text(
        (width / 2 - right / 2 + left / 2, height - 25),
        "company size (rows)",
        fill="black",
        font=font,
        anchor="mm",
    )
    draw.text(
        (left, 20),
        f"Time against company size on {results['engine']} (log-log)",
        fill="black",
        font=font,
        anchor="lm",
    )
    for index, (method, label) in enumerate(METHODS):
        if method not in series:
            continue
        colour = COLOURS[method]
        points = [at(x, y) for x, y in series[method]]
        for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
            if method in DASHED:
                steps = max(1, int(math.hypot(bx - ax, by - ay) / 8))
                for step in range(0, steps, 2):
                    t0, t1 = step / steps, min(1, (step + 1) / steps)
                    draw.line(
                        [
                            (ax + (bx - ax) * t0, ay + (by - ay) * t0),
                            (ax + (bx - ax) * t1, ay + (by - ay) * t1),
                        ],
                        fill=colour,
                        width=3,
                    )
            else:
                draw.line([(ax, ay), (bx, by)], fill=colour, width=3)
        for px, py in points:
            if method.startswith("partida"):
                draw.ellipse([px - 5, py - 5, px + 5, py + 5], fill=colour)
            else:
                draw.rectangle([px - 4, py - 4, px + 4, py + 4], fill=colour)
        ly = top + 10 + 26 * index
        lx = width - right + 20
        if method in DASHED:
            for dx in range(0, 30, 10):
                draw.line([(lx + dx, ly), (lx + dx + 5, ly)], fill=colour, width=3)
        else:
            draw.line([(lx, ly), (lx + 30, ly)], fill=colour, width=3)
        draw.text((lx + 38, ly), label, fill="black", font=small, anchor="lm")
    image.save(path)
