"""The font every PDF of the program writes with: DejaVu Sans when the system has it (it has
the euro sign and every Spanish letter), else the PDF core fonts, which know Latin-1 only."""

import os
from collections.abc import Callable

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")


def unicode_font() -> tuple[str, str] | None:
    """The regular and bold DejaVu Sans files, if installed."""
    for folder in FONT_DIRS:
        regular = os.path.join(folder, "DejaVuSans.ttf")
        bold = os.path.join(folder, "DejaVuSans-Bold.ttf")
        if os.path.exists(regular) and os.path.exists(bold):
            return regular, bold
    return None


def body_font(pdf) -> tuple[str, Callable[[object], str]]:
    """Register the body font on ``pdf``: its family name, and how to turn a value into text
    that font can write ("€" becomes "EUR" in the Latin-1 core fonts)."""
    font = unicode_font()
    if font:
        pdf.add_font("Body", "", font[0])
        pdf.add_font("Body", "B", font[1])
        return "Body", str

    def latin(value: object) -> str:
        return str(value).replace("€", "EUR").encode("latin-1", "replace").decode("latin-1")

    return "Helvetica", latin
