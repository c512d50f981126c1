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
from collections.abc import Iterable
from typing import Any

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
