"""The Manager files the reader's tests write, shared with the import's tests."""

from tests.managerio_reader.test_reader import (  # noqa: F401 (fixtures)
    mixed_business,
    sale_and_partial_receipt,
)
