"""JSON read strictly: no object may name a member twice, and nesting is bounded.

RFC 8259 leaves repeated member names to the reader, and fast parsers (orjson, msgspec) keep
the last one silently: a forged row could then say one ``id`` to a checker and another to
something else. So every object a backup holds is read once more by the standard library's
scanner (in C), which hands each object's members over in order, to refuse any name given twice.
The checking pass of an import does this; the pass that follows reads the same bytes, proven by
the whole-file digest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import orjson

from .errors import InvalidData, LimitExceeded, RepeatedMember

#: Deepest nesting of arrays and objects a backup's JSON may have (a row is depth 1).
MAX_DEPTH = 64


class _Repeated(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for name, _value in pairs:
            if name in seen:
                raise _Repeated(name)
            seen.add(name)
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(object_pairs_hook=_unique, parse_constant=_no_constant)


def loads_strict(raw: bytes | str, where: str) -> Any:
    """Parse JSON with any integer size, refusing repeated names, NaN and deep nesting."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        value = _DECODER.decode(text)
    except _Repeated as repeated:
        raise RepeatedMember(
            f"{where}: the member {repeated.name[:80]!r} appears twice in one object", where=where
        ) from None
    except RecursionError:
        raise LimitExceeded(f"{where}: nested too deeply", limit="max_json_depth") from None
    except (ValueError, UnicodeDecodeError):
        raise InvalidData(f"{where}: invalid JSON", where=where) from None
    check_depth(value, where)
    return value


def check_unique_members(raw: bytes | str, where: str) -> None:
    """Raise InvalidData if any object in ``raw`` (valid JSON) names a member twice."""
    loads_strict(raw, where)


def check_lines_strictly(lines: list[bytes], values: list[Any], where: str, before: int) -> None:
    """``check_unique_members`` and ``check_depth`` of each line; ``values`` are the lines as a
    fast parser read them, ``where`` names line ``before + 1 + i``.

    A line that is exactly what an encoder writes of its parse names no member twice: an
    encoder writes each of a dict's names once, so a repeated name would make the line longer.
    Partida writes rows so (orjson's form, or with documents as the standard library wrote
    them, non-ASCII letters as ``\\u`` escapes), and encoding a value again costs a third of
    parsing it strictly (measured on the medium demo: 0.38 s against 1.06 s). Only a line
    that is neither is parsed again strictly; and only one holding more braces and brackets
    than the deepest nesting allowed can nest too deeply.
    """
    for i, (line, value) in enumerate(zip(lines, values, strict=True)):
        encoded = _encoded(value)
        if encoded is None or (encoded != line and not _as_escaped_documents(line, value)):
            check_unique_members(line, f"{where} {before + i + 1}")
        elif _openings(line) > MAX_DEPTH:
            check_depth(value, f"{where} {before + i + 1}")


_ASCII_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)
_NON_ASCII = re.compile("[^\x00-\x7f]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # as a UTF-16 surrogate pair, as JSON escapes it
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _as_escaped_documents(line: bytes, value: Any) -> bool:
    """Whether ``line`` is ``value`` as the standard library writes it, letters escaped."""
    return _ascii_escaped(line) == _ASCII_ENCODER.encode(value)


def _ascii_escaped(line: bytes) -> str:
    """The line with every non-ASCII letter written as the standard library escapes it (this
    changes no quote, colon or bracket, so no member name is made or lost)."""
    try:
        return _NON_ASCII.sub(_escape, line.decode("utf-8"))
    except UnicodeDecodeError:
        return ""  # never what an encoder writes: the strict parse says what is wrong


def _openings(text: bytes) -> int:
    """How many objects and arrays ``text`` opens at most (a bracket in a string counts too):
    no JSON text nests deeper than that."""
    return text.count(b"{") + text.count(b"[")


def _encoded(value: Any) -> bytes | None:
    """orjson's JSON text of ``value``; None for one nested deeper than orjson goes (255)."""
    try:
        return orjson.dumps(value)
    except (orjson.JSONEncodeError, TypeError):
        return None


def deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests more than ``limit`` deep: counted on its JSON text, in C, and
    walked only when that text opens more than ``limit`` objects and arrays in all (on the
    large demo, walking every history document took a tenth of an import)."""
    text = _encoded(value)
    return (text is None or _openings(text) > limit) and depth(value) > limit


def depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (0 for a scalar), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def check_depth(value: Any, where: str) -> None:
    if depth(value) > MAX_DEPTH:
        raise LimitExceeded(
            f"{where}: nested deeper than {MAX_DEPTH} levels", limit="max_json_depth"
        )
