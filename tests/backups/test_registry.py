"""Nothing is silently left out of a backup: every company model and table is triaged."""

from django.apps import apps
from django.db import connection

from partida.backups.registry import (
    EXCLUDED,
    NOT_COMPANY_DATA,
    NOT_COMPANY_TABLES,
    TABLES,
)
from partida.books.models import Company


def company_models() -> set[str]:
    """Company, and every model that refers to it directly or through other company models."""
    found = {Company}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model in found:
                continue
            if any(
                (field.many_to_one or field.one_to_one) and field.related_model in found
                for field in model._meta.concrete_fields
            ):
                found.add(model)
                changed = True
    return {model._meta.label for model in found}


def test_every_company_model_is_backed_up_or_deliberately_excluded():
    declared = {table.model_label for table in TABLES} | set(EXCLUDED)
    owned = company_models()
    untriaged = owned - declared
    assert not untriaged, (
        f"{sorted(untriaged)} belong to a company but are neither in "
        "partida.backups.registry.TABLES nor in EXCLUDED: decide whether backups carry them."
    )
    assert not declared - owned, "the registry names models that are not company data"


def test_every_company_row_has_a_uuid_key():
    for table in TABLES:
        assert table.model._meta.pk.get_internal_type() == "UUIDField", table.model_label


def test_every_database_table_is_exported_or_excluded(db):
    by_table = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}
    exported = {table.model._meta.db_table for table in TABLES}
    excluded = {apps.get_model(label)._meta.db_table for label in EXCLUDED}
    untriaged = []
    for name in connection.introspection.table_names():
        model = by_table.get(name)
        if name in exported | excluded | set(NOT_COMPANY_TABLES):
            continue
        if model is not None and model._meta.app_label in NOT_COMPANY_DATA:
            continue
        untriaged.append(name)
    assert not untriaged, f"database tables neither exported nor excluded: {untriaged}"


def test_parents_come_before_children():
    seen = set()
    for table in TABLES:
        for field in table.model._meta.concrete_fields:
            if field.many_to_one and field.related_model is not table.model:
                target = field.related_model._meta.label
                assert target in seen, f"{table.name} refers to {target} before it is written"
        seen.add(table.model_label)


def test_format_md_lists_every_table_and_column_as_the_registry_declares():
    from partida.backups.format_doc import FORMAT_MD, section, tables_markdown

    assert section(FORMAT_MD.read_text()) == tables_markdown().strip(), (
        "FORMAT.md's tables are out of date: run python -m partida.backups.format_doc"
    )
