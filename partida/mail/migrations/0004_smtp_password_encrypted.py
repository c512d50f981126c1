# The mail server passwords saved so far are encrypted in place (partida.mail.secrets).

import partida.mail.secrets
from django.db import migrations


def encrypt_saved_passwords(apps, schema_editor):
    SmtpSettings = apps.get_model("mail", "SmtpSettings")
    for saved in SmtpSettings.objects.using(schema_editor.connection.alias).exclude(password=""):
        saved.save(update_fields=["password"])  # read as plain text, written encrypted


def decrypt_saved_passwords(apps, schema_editor):
    SmtpSettings = apps.get_model("mail", "SmtpSettings")
    table = schema_editor.quote_name(SmtpSettings._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        for saved in SmtpSettings.objects.using(schema_editor.connection.alias).all():
            cursor.execute(
                f"UPDATE {table} SET password = %s WHERE company_id = %s",
                [saved.password, saved.pk],
            )


class Migration(migrations.Migration):

    dependencies = [
        ("mail", "0003_smtp_settings_names"),
    ]

    operations = [
        migrations.AlterField(
            model_name="smtpsettings",
            name="password",
            field=partida.mail.secrets.EncryptedTextField(blank=True, verbose_name="password"),
        ),
        migrations.RunPython(encrypt_saved_passwords, decrypt_saved_passwords),
    ]
