"""The table, the goals of issues 5 and 9, the JSON and the plot of a run."""

import json
import math
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
    ("loaddata", "loaddata"),
]
FLOOR_OF = {
    "partida_backup": "floor_backup",
    "partida_import": "floor_restore",
    "browser_import": "floor_restore",
}
COLOURS = {
    "partida_backup": (31, 119, 180),
    "partida_import": (31, 119, 180),
    "browser_import": (148, 103, 189),
    "floor_backup": (44, 160, 44),
    "floor_restore": (44, 160, 44),
    "dumpdata": (214, 39, 40),
    "loaddata": (214, 39, 40),
}
COLOURS |= {"partida_backup_encrypted": (255, 127, 14), "partida_import_encrypted": (255, 127, 14)}
DASHED = {
    "partida_import",
    "partida_import_encrypted",
    "browser_import",
    "floor_restore",
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


def goals(results: dict) -> list[dict]:
    sizes = results["sizes"]
    goals = []

    def add(goal: str, measured: str, met: bool | None) -> None:
        goals.append({"goal": goal, "measured": measured, "met": met})

    big = "large" if "large" in sizes else list(sizes)[-1]
    methods = sizes[big]["methods"]
    for ours, limit in (("partida_backup", 1.5), ("partida_import", 2.5)):
        floor = methods.get(FLOOR_OF[ours])
        if ours in methods and floor:
            ratio = methods[ours]["seconds"] / floor["seconds"]
            add(
                f"{big}: {ours.replace('_', ' ')} <= {limit}x the floor's time",
                f"{ratio:.2f}x ({methods[ours]['seconds']:.1f} s vs {floor['seconds']:.1f} s)",
                ratio <= limit,
            )
    for peer, ours in (("dumpdata", "partida_backup"), ("loaddata", "partida_import")):
        found = per_row_ratio(sizes, peer, ours)
        if found is None:
            add(f"{ours.replace('_', ' ')} >= 20x faster per row than {peer}", "not run", None)
            continue
        qualifier = "at least " if found["bound"] else ""
        add(
            f"{ours.replace('_', ' ')} >= 20x faster per row than {peer}",
            f"{qualifier}{found['ratio']}x on {found['size']}",
            found["ratio"] >= 20 if not found["bound"] or found["ratio"] >= 20 else None,
        )
    for ours in ("partida_backup", "partida_import"):
        if ours not in methods:
            continue
        peak = methods[ours]["peak_mb"]
        add(f"{big}: {ours.replace('_', ' ')} peak memory < 150 MB", f"{peak:.0f} MB", peak < 150)
        if "medium" in sizes and big != "medium":
            medium = sizes["medium"]["methods"][ours]["peak_mb"]
            add(
                f"{big}: {ours.replace('_', ' ')} peak memory within 10% of medium's",
                f"{peak:.0f} MB vs {medium:.0f} MB ({100 * (peak / medium - 1):+.0f}%)",
                peak <= 1.1 * medium,
            )
    if "partida_backup" in methods and "floor_backup" in methods:
        ours, floor = methods["partida_backup"]["bytes"], methods["floor_backup"]["bytes"]
        add(
            f"{big}: .manager no larger than the floor's compressed output",
            f"{ours / 2**20:.1f} MB vs {floor / 2**20:.1f} MB",
            ours <= floor,
        )
    for size in ("medium", "large"):
        methods_of = sizes.get(size, {}).get("methods", {})
        screen, command = methods_of.get("browser_import"), methods_of.get("partida_import")
        if screen and command and finished(screen) and finished(command):
            ratio = screen["seconds"] / command["seconds"]
            add(
                f"{size}: Import company from the screens <= 1.2x partida import",
                f"{ratio:.2f}x ({screen['seconds']:.1f} s vs {command['seconds']:.1f} s)",
                ratio <= 1.2,
            )
    for size, data in sizes.items():
        for step in ("backup", "import"):
            plain = data["methods"].get(f"partida_{step}")
            encrypted = data["methods"].get(f"partida_{step}_encrypted")
            if plain and encrypted and finished(plain) and finished(encrypted):
                ratio = encrypted["seconds"] / plain["seconds"]
                add(
                    f"{size}: encrypted {step} <= 1.15x the plain {step}'s time",
                    f"{ratio:.2f}x ({encrypted['seconds']:.1f} s vs {plain['seconds']:.1f} s; "
                    f"{encrypted['peak_mb']:.0f} MB vs {plain['peak_mb']:.0f} MB peak)",
                    ratio <= 1.15,
                )
    load = results.get("summary_load")
    if load:
        add(
            f"{load['size']}: Summary within 5x of an empty company's",
            f"{load['ratio']}x ({load['company']['mean_ms']} ms vs {load['empty']['mean_ms']} ms,"
            f" {load['company']['requests']} requests each)",
            load["ratio"] <= 5,
        )
    return goals


def cell(result: dict | None, key: str, fmt: str) -> str:
    if not result or key not in result:
        return "-"
    return format(result[key], fmt)


def table(results: dict) -> str:
    lines = [
        f"Partida benchmarks on {results['engine']} ({results['machine']['cpus']} CPUs, "
        f"{results['date']})",
        "",
    ]
    header = (
        f"{'size':<7} {'method':<15} {'time s':>9} {'rows/s':>10} {'× floor':>8} "
        f"{'peer/Partida':>12} {'peak MB':>8} {'file MB':>9}"
    )
    lines += [header, "-" * len(header)]
    for size, data in results["sizes"].items():
        rows = data["rows"]
        methods = data["methods"]
        for method, label in METHODS:
            result = methods.get(method)
            if result is None:
                continue
            if not finished(result):
                state = f"did not finish within {result['seconds']:.0f} s"
                if not result.get("timed_out"):
                    state = f"failed (status {result.get('returncode')})"
                lines.append(f"{size:<7} {label:<15} {state}")
                continue
            floor = methods.get(FLOOR_OF.get(method, ""))
            times_floor = f"{result['seconds'] / floor['seconds']:.2f}" if floor else ""
            peer_ratio = ""
            if method in ("dumpdata", "loaddata"):
                ours = methods["partida_backup" if method == "dumpdata" else "partida_import"]
                peer_ratio = f"{result['seconds'] / ours['seconds']:.1f}"
            size_mb = f"{result['bytes'] / 2**20:.1f}" if "bytes" in result else ""
            lines.append(
                f"{size:<7} {label:<15} {result['seconds']:>9.2f} "
                f"{rows / result['seconds']:>10,.0f} {times_floor:>8} {peer_ratio:>12} "
                f"{result['peak_mb']:>8.0f} {size_mb:>9}"
            )
        lines.append(
            f"{'':<7} ({rows:,} rows, {data['attachment_count']:,} files of "
            f"{data['attachment_bytes'] / 2**20:,.0f} MB; demo built in "
            f"{data['build']['build_seconds']:.0f} s)"
        )
    load = results.get("summary_load")
    if load:
        lines += [
            "",
            f"Summary screen, {load['company']['requests']} requests each over loopback: "
            f"{load['size']} company {load['company']['mean_ms']} ms mean "
            f"({load['company']['p95_ms']} ms p95), empty company {load['empty']['mean_ms']} ms "
            f"mean ({load['empty']['p95_ms']} ms p95): {load['ratio']}x",
        ]
    lines += ["", "Goals (issues 5 and 9):"]
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
