"""Telling English (and the formal "usted") in what a Spanish page or command shows.

A word is English when it is in ``ENGLISH``: the words of every English message in partida's
catalogue (so a string left out of the catalogue, or untranslated, is caught by its own words)
plus a hard-coded list of a few hundred common English words (for text that never reached the
catalogue, and for Django's own messages), less the words that are Spanish too ("a", "no",
"general", "total"…) and the proper names and symbols that stay as they are in Spanish
(Partida, PDF, IVA, EUR, SMTP, Manager.io…).

Before words are cut out, what is data rather than sentences is removed: e-mail addresses,
web addresses, paths, file names ("recibo.pdf"), format placeholders, keys (UUIDs) and dates.

``USTED`` lists the formal forms of address ("Introduzca", "Indique", "su atención"…): Partida
says "tú" everywhere, so these count as faults too.
"""

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import partida

CATALOGUE = Path(partida.__file__).parent / "locale" / "es" / "LC_MESSAGES" / "django.po"


def words(text: str) -> list[str]:
    return text.split()


COMMON_ENGLISH = words(
    """
about above account accounts action actions active add added address after again against all
allowed already also always amount an and another any anything are archive as ask at attach
attached attachment attachments available back backup backups balance bank be because been
before being below between both but button by can cancel cancelled cannot change changed
changes check choose clear click close code company companies confirm contains copy correct
could create created credit currency customer customers data date day days debit delete deleted
description did do does done down download due each edit either else email emails empty end
ensure enter entries entry error every example expired failed field fields file files filename
find first for form forms found from full given go has have here history how if import imported
in incorrect included includes into invalid invoice invoices is it its journal just keep kept
key kind last least leave left less line lines list loading login log logout make many may more
most must name need never new next none nor not nothing now number of off on once one only open
or other our out over page pages paid password passwords payment payments period please press
previous purchase queued ready receipt receipts record records remove removed required reset
restored right rows running sale sales save saved search see select send sent server set settings
should show sign signed size so some something start started state still submit submitted
summary supplier suppliers take than that the their them then there these they this those
through time to too try type under unknown until up upload uploaded use used user users valid
value values was we were what when where which while who will with within without would wrong
yes yet you your
"""
)

# English words that are also Spanish words (or that Spanish uses as they are).
SPANISH_TOO = set(
    words(
        """
    a al con de del el en es la las le lo los me mi no o para por se si sin solo su sus te tu un
    una y ya
    actual balance base bytes capital club color cookies como con crea creas dato digital doble
    email error fin final general hora idea ideal legal local mayor menor natural normal plan
    portal real social son sol
    terminal total usual vale
    """
    )
)

# Names and symbols that stay as they are in a Spanish sentence.
PROPER_NAMES = set(
    words(
        """
    partida manager io pdf iva eur usd gbp smtp ssl tls starttls csv json html http https url
    utc uuid id nif cif iban swift bic jpeg jpg png gif zip zstd sqlite postgresql ctrl imap
    wal s3 gb mb kb tb yyyy mm dd iso sha english español irpf modelo webp tar age admin
    """
    )
)

# The formal "usted": Partida speaks to the person as "tú".
USTED = [
    re.compile(rf"\b{word}\b", re.IGNORECASE)
    for word in (
        # Django's own Spanish messages
        "introduzca",
        "asegúrese",
        "seleccione",
        "escoja",
        "compruebe",
        "envíe",
        "marque",
        "por favor",
        # and those partida's catalogue once had
        "indique",
        "elija",
        "escriba",
        "escríbala",
        "corrija",
        "corríjala",
        "pulse",
        "adjunte",
        "divídalo",
        "comprímalo",
        "elimínelas",
        "elimínelos",
        "muévalas",
        "añada",
        "deje",
        "déjelo",
        "cambie",
        "anote",
        "haga",
        "separe",
        "abra",
        "revise",
        "vuelva",
        "inténtelo",
        "utilice",
        "póngase",
        "usted",
        "ustedes",
        "su atención",
        "puede elegir",
        "le indica",
        "su proveedor",
    )
]

DATA = re.compile(
    r"[\w.+-]+@[\w-]+(\.[\w-]+)+"  # an e-mail address
    r"|\b\w+://\S+"  # a web address
    r"|(?:/[\w.@-]+){2,}/?"  # a path
    r"|[\w-]+(\.[\w-]+)*\.(pdf|png|jpe?g|gif|txt|manager|csv|json|zst)\b"  # a file name
    r"|%\(\w+\)[sd]|\{\w+\}"  # placeholders
    r"|\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\b"  # a key
    r"|\b[0-9a-f]{8}\b",  # a short key (the first part of one)
    re.IGNORECASE,
)
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@cache
def catalogue_english() -> frozenset[str]:
    """Every word of the English messages in partida's catalogue."""
    words: set[str] = set()
    text = CATALOGUE.read_text(encoding="utf-8")
    for block in re.findall(r'^msgid(?:_plural)? ((?:".*"\n?)+)', text, re.MULTILINE):
        message = "".join(re.findall(r'"(.*)"', block))
        words.update(w.lower() for w in WORD.findall(DATA.sub(" ", message)))
    return frozenset(words)


@cache
def english_words() -> frozenset[str]:
    words = set(COMMON_ENGLISH) | catalogue_english()
    # Only plain ASCII words: an accented word is not English.
    words = {w for w in words if w.isascii() and len(w) > 1 or w == "i"}
    return frozenset(words - SPANISH_TOO - PROPER_NAMES)


def english_in(text: str) -> list[str]:
    """The English words in ``text``, in order, once each."""
    english = english_words()
    found: list[str] = []
    for word in WORD.findall(DATA.sub(" ", text)):
        word = word.replace("’", "'").lower()
        if (word in english or "'" in word and word.split("'")[0] in english) and word not in found:
            found.append(word)
    return found


def usted_in(text: str) -> list[str]:
    return [match.group(0) for pattern in USTED for match in [pattern.search(text)] if match]


class VisibleText(HTMLParser):
    """The text a person meets on a page: element text (hidden parts too, which scripts show),
    and the title, placeholder, aria-label and alt attributes, and the values of buttons and
    of inputs that are not hidden. Scripts and styles are not text."""

    ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
            return
        values = dict(attrs)
        for name in self.ATTRIBUTES:
            if values.get(name):
                self.parts.append(values[name])
        # A button's value is sent, not shown; an input's value is shown, unless it is hidden.
        shown = values.get("type", "text") not in ("hidden", "checkbox", "radio")
        if tag == "input" and values.get("value") and shown:
            self.parts.append(values["value"])
        if tag == "meta" and values.get("name") == "description" and values.get("content"):
            self.parts.append(values["content"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.parts)


def faults(text: str) -> list[str]:
    """What is wrong with Spanish ``text``: English words, then formal forms of address."""
    return [f"English “{w}”" for w in english_in(text)] + [
        f"usted form “{w}”" for w in usted_in(text)
    ]


def context_of(text: str, word: str) -> str:
    """The line of ``text`` where ``word`` is, to show in a failure."""
    for line in text.splitlines():
        if re.search(rf"\b{re.escape(word)}\b", line, re.IGNORECASE):
            return line.strip()[:200]
    return ""
