"""What a backup holds, described for a person before anything is imported."""

from django.utils.translation import gettext_lazy as _

from partida.archive.manifest import Manifest
from partida.backups.registry import TABLES

PART_LABELS = {
    "attachments": _("Attachments"),
    "emails": _("Emails"),
    "history": _("History"),
}


def describe(manifest: Manifest) -> dict:
    models = {table.name: table.model for table in TABLES}
    counts = []
    for name, count in manifest.tables.items():
        model = models.get(name)
        if name == "company" or model is None:
            continue
        counts.append({"table": name, "label": model._meta.verbose_name_plural, "count": count})
    return {
        "company": manifest.company,
        "created_at": manifest.created_at,
        "app_version": manifest.app_version,
        "format_version": manifest.format_version,
        "parts": [
            {"name": part, "label": label, "included": getattr(manifest.parts, part)}
            for part, label in PART_LABELS.items()
        ],
        "counts": counts,
        "attachment_count": manifest.attachment_count,
        "attachment_bytes": manifest.attachment_bytes,
        # What the import will restore: it keeps the new company only if its books give these.
        "balance_sheet": manifest.figures.balance_sheet if manifest.figures else None,
    }


def describe_json(manifest: Manifest) -> dict:
    """The same description for scripts: plain JSON values."""
    return {
        "company": {
            "id": str(manifest.company.id),
            "name": manifest.company.name,
            "base_currency": manifest.company.base_currency,
        },
        "created_at": manifest.created_at.isoformat(),
        "app_version": manifest.app_version,
        "format_version": manifest.format_version,
        "parts": {part: getattr(manifest.parts, part) for part in PART_LABELS},
        "tables": dict(manifest.tables),
        "attachments": {
            "count": manifest.attachment_count,
            "bytes": manifest.attachment_bytes,
        },
        "figures": manifest.figures.to_dict() if manifest.figures else None,
    }
