"""The "Automatic backups" screen's form (desktop edition)."""

import os

from django import forms
from django.utils.translation import gettext_lazy as _

from partida.autobackups.desktop import folder_path, folder_problem
from partida.autobackups.models import DesktopSchedule
from partida.backups.forms import BackupPartsForm

KEEP_LIMIT = 1000


def keep_field(label, help_text) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, max_value=KEEP_LIMIT, help_text=help_text, required=True
    )


class ScheduleForm(BackupPartsForm):
    missing_passphrase = _("Type the passphrase to encrypt the backups with.")

    enabled = forms.BooleanField(
        label=_("Make automatic backups"),
        required=False,
        help_text=_("Every company is backed up while Partida is running on this computer."),
    )
    every = forms.ChoiceField(
        label=_("When"),
        choices=DesktopSchedule.Every.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Every day: a backup missed while Partida was closed is made as soon as it starts "
            "again."
        ),
    )
    folder = forms.CharField(
        label=_("Folder"),
        required=False,
        max_length=1024,
        help_text=_(
            "The full path of a folder on this computer, for example one a cloud drive keeps "
            "in sync, so that the backups leave this computer too."
        ),
    )
    encrypt = forms.BooleanField(
        label=_("Encrypt with a passphrase"),
        required=False,
        help_text=_(
            "Only someone who knows the passphrase can open the files; the standard age tool "
            "opens them too. Since the backups are made without you, Partida keeps the "
            "passphrase on this computer, itself encrypted under the installation's secret key."
        ),
    )
    keep_daily = keep_field(
        _("Daily backups kept"), _("The newest backup of each of this many last days.")
    )
    keep_weekly = keep_field(
        _("Weekly backups kept"), _("The newest backup of each of this many last weeks.")
    )
    keep_monthly = keep_field(
        _("Monthly backups kept"), _("The newest backup of each of this many last months.")
    )

    def __init__(self, *args, schedule: DesktopSchedule, **kwargs) -> None:
        self.schedule = schedule
        kwargs.setdefault(
            "initial",
            {
                "enabled": schedule.enabled,
                "every": schedule.every,
                "folder": schedule.folder,
                **{part: part in schedule.parts for part in self.PARTS},
                "encrypt": bool(schedule.passphrase),
                "keep_daily": schedule.keep_daily,
                "keep_weekly": schedule.keep_weekly,
                "keep_monthly": schedule.keep_monthly,
            },
        )
        super().__init__(*args, **kwargs)
        if schedule.passphrase:
            self.fields["passphrase"].help_text = _(
                "A passphrase is kept. Leave both boxes empty to keep it, or type a new one."
            )

    def clean_folder(self) -> str:
        text = self.cleaned_data["folder"].strip()
        if not os.path.isabs(os.path.expanduser(text)):
            return text  # refused below, as it was typed
        return str(folder_path(text))

    def clean(self):
        data = super().clean()
        folder = data.get("folder", "")
        if data.get("enabled") or folder:
            problem = folder_problem(folder)
            if problem:
                self.add_error("folder", problem)
        if not data.get("encrypt"):
            data["passphrase"] = ""
            return data
        self.clean_new_passphrase(data, kept=self.schedule.passphrase)
        return data
