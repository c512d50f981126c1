# The stored backups' records move here from the backups app: the table is kept (its rows are
# the record of files in the object store) and renamed; nothing is created or lost.

import django.utils.timezone
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("backups", "0005_storedbackup_moves_to_autobackups"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StoredBackup",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ("company_id", models.UUIDField(db_index=True, verbose_name="company key")),
                        ("company_name", models.CharField(max_length=200, verbose_name="company")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished")),
                        ("trigger", models.CharField(choices=[("schedule", "schedule"), ("request", "request")], default="schedule", max_length=8, verbose_name="trigger")),
                        ("state", models.CharField(choices=[("queued", "queued"), ("running", "running"), ("verified", "verified"), ("failed", "failed")], default="queued", max_length=8, verbose_name="state")),
                        ("parts", models.JSONField(blank=True, default=list, verbose_name="parts")),
                        ("size", models.BigIntegerField(default=0, verbose_name="size")),
                        ("sha256", models.CharField(blank=True, max_length=64, verbose_name="SHA-256")),
                        ("storage_key", models.CharField(blank=True, max_length=1024, verbose_name="storage key")),
                        ("error", models.TextField(blank=True, verbose_name="failure reason")),
                        ("heartbeat_at", models.DateTimeField(blank=True, null=True, verbose_name="last heartbeat")),
                        ("attempts", models.PositiveIntegerField(default=0, verbose_name="attempts")),
                        ("worker", models.CharField(blank=True, max_length=100, verbose_name="worker")),
                        ("task_id", models.CharField(blank=True, max_length=64, verbose_name="task")),
                    ],
                    options={
                        "verbose_name": "stored backup",
                        "verbose_name_plural": "stored backups",
                        "ordering": ["-created_at"],
                        "db_table": "backups_storedbackup",
                        "indexes": [models.Index(fields=["company_id", "state", "created_at"], name="backups_sto_company_78deac_idx")],
                        "constraints": [models.UniqueConstraint(condition=models.Q(("state__in", ["queued", "running"])), fields=("company_id",), name="backups_one_in_progress_per_company")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="storedbackup", table=None),
        migrations.RenameIndex(
            model_name="storedbackup",
            new_name="autobackups_company_a921e9_idx",
            old_name="backups_sto_company_78deac_idx",
        ),
    ]
