"""The arrows between apps point one way: an edition builds on the core, the automatic backups
build on the backup engine, and never the other way round (ARCHITECTURE.md, "The apps")."""

import ast
from pathlib import Path

import pytest

PARTIDA = Path(__file__).resolve().parents[1] / "partida"

# (importer, imported, modules allowed to cross anyway and why)
ONE_WAY = [
    # The settings are where an edition is plugged in: they name the cloud's settings reader.
    ("partida", "partida.cloud", {"partida/settings.py"}),
    ("partida.backups", "partida.autobackups", set()),
    ("partida.books", "partida.backups", set()),
]


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def package_of(path: Path) -> str:
    return ".".join(path.relative_to(PARTIDA.parent).with_suffix("").parts)


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@pytest.mark.parametrize(("importer", "imported", "allowed"), ONE_WAY)
def test_an_arrow_between_apps_points_one_way(importer, imported, allowed):
    crossing = []
    for path in sorted(PARTIDA.rglob("*.py")):
        module = package_of(path)
        relative = str(path.relative_to(PARTIDA.parent))
        if not within(module, importer) or within(module, imported) or relative in allowed:
            continue
        crossing += [
            f"{relative} imports {name}"
            for name in sorted(imported_modules(path))
            if within(name, imported)
        ]
    assert not crossing, "\n".join(crossing)
