"""FORMAT.md's list of tables, made from the backup registry so that it never drifts.

``python -m partida.backups.format_doc`` rewrites the section between the markers in
FORMAT.md; a test fails when the section differs from what the registry says.
"""

import sys
from pathlib import Path

BEGIN = "<!-- BEGIN TABLES: maintained from the backup registry (partida/backups/registry.py). -->"
END = "<!-- END TABLES -->"
FORMAT_MD = Path(__file__).resolve().parents[2] / "FORMAT.md"


def tables_markdown() -> str:
    from partida.archive.format import FORMAT_VERSION
    from partida.backups.schema import archive_schema

    lines = [
        f"The tables of format version {FORMAT_VERSION}, in the order they are written "
        "(parents before",
        "children). `part` says which optional part a table belongs to: `books` tables are in",
        "every backup. The key column of every table is `id`. `→ table` marks a column that holds",
        "the key of a row of that table; `→ attachments` one that names an `attachments/` member.",
        "",
    ]
    for table in archive_schema().tables.values():
        part = table.part or "books"
        lines += [f"### `{table.name}` (part: {part})", "", "| column | type | |", "|---|---|---|"]
        for name, column in table.columns.items():
            notes = []
            if name in table.nullable:
                notes.append("nullable")
            if name in table.references:
                notes.append(f"→ {table.references[name].lstrip('@')}")
            if column.type == "int" and (column.min_value, column.max_value) != (None, None):
                notes.append(f"from {column.min_value} to {column.max_value}")
            if column.choices is not None:
                names = [f"`{c}`" if c else '`""` (none)' for c in sorted(column.choices)]
                notes.append("one of " + ", ".join(names))
            lines.append(f"| `{name}` | `{spec(column)}` | {', '.join(notes)} |")
        lines.append("")
    return "\n".join(lines)


def spec(column) -> str:
    if column.type == "str":
        return f"str({column.max_length})"
    if column.type == "decimal":
        return f"decimal({column.max_digits},{column.decimal_places})"
    return column.type


def section(text: str) -> str:
    start = text.index(BEGIN) + len(BEGIN)
    return text[start : text.index(END)].strip()


def write() -> None:
    text = FORMAT_MD.read_text()
    start = text.index(BEGIN) + len(BEGIN)
    text = text[:start] + "\n\n" + tables_markdown() + "\n" + text[text.index(END) :]
    FORMAT_MD.write_text(text)


if __name__ == "__main__":
    import django

    django.setup()
    write()
    sys.exit(0)
