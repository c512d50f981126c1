"""Staff see the stored backups in the administration screen: read only, with their state and,
for a failed one, the reason."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from partida.autobackups.models import StoredBackup


@admin.register(StoredBackup)
class StoredBackupAdmin(admin.ModelAdmin):
    list_display = [
        "company_name",
        "created_at",
        "state",
        "trigger",
        "size",
        "attempts",
        "error",
    ]
    list_filter = ["state", "trigger", "created_at"]
    search_fields = ["company_name", "=company_id", "=id"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    readonly_fields = [field.name for field in StoredBackup._meta.fields]
    fieldsets = [
        (None, {"fields": ["id", "company_id", "company_name", "trigger", "state", "error"]}),
        (
            _("File"),
            {"fields": ["created_at", "finished_at", "size", "parts", "sha256", "storage_key"]},
        ),
        (_("Worker"), {"fields": ["worker", "attempts", "heartbeat_at", "task_id"]}),
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
