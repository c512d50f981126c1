"""Import renames the keys inside history documents exactly as the plain definition does.

``KeyRenamer.json`` works on JSON text with one regular expression (it is most of an import's
time on a company with a long history); ``shift_keys_in`` walks the document and says what
renaming means. Whatever the document, the two agree.
"""

import uuid

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from partida.backups.importer import KEY_SPACE, KeyRenamer, shift_keys_in

keys = st.integers(min_value=0, max_value=KEY_SPACE - 1).map(lambda n: str(uuid.UUID(int=n)))
names = st.sampled_from(["id", "company_id", "account_id", "x_id", "idea", "_id", "notes"]) | (
    st.builds(lambda text, end: text + end, st.text(max_size=8), st.sampled_from(["", "_id"]))
)
scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=12) | keys
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=5),
    max_leaves=12,
)
offsets = st.integers(min_value=1, max_value=KEY_SPACE - 1)


@settings(max_examples=300, deadline=None)
@given(document=documents, offset=offsets)
def test_renaming_in_json_text_equals_renaming_the_document(document, offset):
    renamer = KeyRenamer(offset)
    assert orjson.loads(renamer.json(document)) == shift_keys_in(document, offset)
    # The second time a key is met it comes from memory, and must be the same.
    assert orjson.loads(renamer.json(document)) == shift_keys_in(document, offset)


def test_a_history_snapshot_has_its_keys_renamed_and_nothing_else():
    company, account = uuid.uuid4(), uuid.uuid4()
    snapshot = {
        "id": str(account),
        "company_id": str(company),
        "name": str(company),  # a key in a field that is not a key: left alone
        "parent_id": None,
        'odd "id': str(account),
    }
    renamed = orjson.loads(KeyRenamer(5).json(snapshot))
    assert renamed["id"] == str(uuid.UUID(int=account.int + 5))
    assert renamed["company_id"] == str(uuid.UUID(int=company.int + 5))
    assert renamed["name"] == str(company)
    assert renamed['odd "id'] == str(account)
    assert renamed["parent_id"] is None


def test_text_that_looks_like_a_key_member_is_left_alone():
    key = str(uuid.uuid4())
    tricky = [
        {"note": f'"id":"{key}"', "id": key},
        {"a\\": key, "id": key, "b": f'\\", "x_id":"{key}'},
        {"k\\\\": "v", "x_id": key},
        {'\\"id': key, 'a"': {"id": key}},
        [f'x","id":"{key}', {"id": key}],
    ]
    for document in tricky:
        renamed = orjson.loads(KeyRenamer(7).json(document))
        assert renamed == shift_keys_in(document, 7), document
        assert renamed != document, document
