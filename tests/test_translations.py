"""Every screen speaks Spanish: every message in the source has a Spanish translation."""

import shutil
import subprocess
from pathlib import Path

import partida

PACKAGE = Path(partida.__file__).parent
CATALOGUE = PACKAGE / "locale" / "es" / "LC_MESSAGES" / "django.po"


def untranslated(po: Path) -> list[str]:
    """Messages without a Spanish translation, or with a fuzzy one (a guess from older text)."""
    return needing(po, "--untranslated") + needing(po, "--only-fuzzy")


def needing(po: Path, which: str) -> list[str]:
    listing = subprocess.run(
        ["msgattrib", which, "--no-wrap", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        line[7:-1]
        for line in listing.splitlines()
        if line.startswith('msgid "') and line != 'msgid ""'
    ]


def test_every_message_in_the_source_has_a_spanish_translation(tmp_path):
    copy = tmp_path / "partida"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "devtools"))
    subprocess.run(
        ["django-admin", "makemessages", "-l", "es", "--no-location", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "partida.settings"},
    )
    missing = untranslated(copy / "locale" / "es" / "LC_MESSAGES" / "django.po")
    assert not missing, f"translate these in {CATALOGUE} (scripts/messages updates it): {missing}"


def test_the_compiled_catalogue_is_up_to_date(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(CATALOGUE)], check=True)
    assert compiled.read_bytes() == CATALOGUE.with_suffix(".mo").read_bytes(), (
        "django.mo is older than django.po: run scripts/messages"
    )
