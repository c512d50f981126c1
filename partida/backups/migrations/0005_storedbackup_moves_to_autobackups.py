# The stored backups' records move to the autobackups app (its 0001 takes the table over): only
# Django's idea of which app owns the model changes here, not the database.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("backups", "0004_job_phase_lease_cancel"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="StoredBackup")],
            database_operations=[],
        ),
    ]
