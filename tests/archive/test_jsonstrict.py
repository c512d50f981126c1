"""The strict reading of a backup's lines, including its fast path: a line that is what an
encoder writes of its own parse is taken as read once, any other is parsed again strictly."""

import json

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from partida.archive.errors import LimitExceeded, RepeatedMember
from partida.archive.jsonstrict import MAX_DEPTH, check_lines_strictly, deeper_than, depth


def check(*lines: bytes) -> None:
    check_lines_strictly(
        list(lines), [orjson.loads(line) for line in lines], "data/t.jsonl, line", 0
    )


def refused_as_repeated(line: bytes) -> str:
    with pytest.raises(RepeatedMember) as caught:
        check(line)
    return str(caught.value)


def test_a_compact_repeated_member_is_refused_naming_its_line():
    good = b'{"id":"a","name":"Ana"}'
    message = str(pytest.raises(RepeatedMember, check, good, b'{"id":"a","id":"b"}').value)
    assert "data/t.jsonl, line 2" in message


@pytest.mark.parametrize(
    "line",
    [
        # As Partida writes a history row: raw UTF-8 outside, the document's letters escaped.
        b'{"user":"Jos\xc3\xa9","after":{"name":"Ferreter\\u00eda","id":"x","id":"y"}}',
        b'{"after":{"lines":[{"k":1,"k":2}]},"name":"Espa\xc3\xb1a"}',
        b'{"a":"\\ud83d\\ude00","a":"\xf0\x9f\x98\x80"}',
    ],
)
def test_a_repeated_member_next_to_escapes_or_nested_is_refused(line):
    refused_as_repeated(line)


def test_rows_as_partida_writes_them_pass():
    check(
        b'{"id":"a","amount":"1.50","paid":true,"note":null,"n":3}',
        b'{"user":"Jos\xc3\xa9","after":{"name":"Ferreter\\u00eda","lines":[{"k":1}]}}',
        b'{"emoji":"\\ud83d\\ude00","e":"\xf0\x9f\x98\x80"}',
    )


def test_a_line_nested_too_deeply_is_refused_though_an_encoder_wrote_it():
    value: object = {}
    for _ in range(MAX_DEPTH + 1):
        value = {"x": value}
    with pytest.raises(LimitExceeded):
        check(orjson.dumps(value))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=5), json_values, min_size=1, max_size=6), st.booleans())
def test_whatever_an_encoder_writes_passes_and_a_member_given_again_is_refused(row, ascii_only):
    line = json.dumps(row, separators=(",", ":")).encode() if ascii_only else orjson.dumps(row)
    check(line)
    first_name = json.dumps(next(iter(row))).encode()
    refused_as_repeated(b"{" + first_name + b":0," + line[1:])


def nested(levels: int) -> dict:
    value: dict = {}
    for _ in range(levels - 1):
        value = {"x": value}
    return value


@pytest.mark.parametrize("levels", [1, 31, 32, 33, 300, 2000])
def test_a_documents_depth_is_measured_exactly_however_deep(levels):
    assert depth(nested(levels)) == levels
    assert deeper_than(nested(levels), 32) is (levels > 32)


def test_brackets_in_text_do_not_make_a_document_deep():
    shallow = {"note": "{[" * 100, "lines": [{"k": "]}"}]}
    assert depth(shallow) == 3
    assert not deeper_than(shallow, 32)
