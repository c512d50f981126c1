"""The Summary's notice: a company whose last backup failed, or whose last verified backup is
older than its automatic backups allow (the interval and a margin)."""

import datetime
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from partida.autobackups.config import backup_interval
from partida.autobackups.desktop import current_schedule, is_desktop
from partida.autobackups.models import DesktopSchedule, StoredBackup

State = StoredBackup.State
#: The least margin past the interval before the Summary says a backup is overdue.
LEAST_MARGIN = datetime.timedelta(minutes=15)


@dataclass(frozen=True)
class Notice:
    sentence: str
    failed: bool


def allowed_age() -> datetime.timedelta:
    """How old the last verified backup may be: the interval, and a quarter of it more (at
    least a quarter of an hour) for a backup that is on its way."""
    interval = backup_interval()
    return interval + max(interval / 4, LEAST_MARGIN)


def expected_since(company) -> datetime.datetime | None:
    """Since when automatic backups of the company have been due, or None if they are not
    kept on a timetable (desktop: switched off, or made when Partida is closed)."""
    if not is_desktop():
        return company.created_at
    schedule = current_schedule()
    if not schedule.enabled or schedule.every != DesktopSchedule.Every.DAILY:
        return None
    return max(filter(None, [schedule.enabled_at, company.created_at]))


def when(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def backup_notice(company, now: datetime.datetime | None = None) -> Notice | None:
    now = now or timezone.now()
    backups = StoredBackup.objects.filter(company_id=company.pk)
    last = backups.exclude(state__in=StoredBackup.IN_PROGRESS).order_by("-created_at").first()
    if last is not None and last.state == State.FAILED:
        return Notice(
            _("The last automatic backup of this company, on %(date)s, failed: %(reason)s")
            % {"date": when(last.created_at), "reason": last.error},
            failed=True,
        )
    since = expected_since(company)
    if since is None or backups.filter(state__in=StoredBackup.IN_PROGRESS).exists():
        return None
    verified = backups.filter(state=State.VERIFIED).order_by("-created_at").first()
    if verified is not None:
        if now - verified.created_at <= allowed_age():
            return None
        return Notice(
            _(
                "The last backup of this company is from %(date)s: older than its automatic "
                "backups allow."
            )
            % {"date": when(verified.created_at)},
            failed=False,
        )
    if now - since <= allowed_age():
        return None
    return Notice(
        _("This company has no backup yet, though its automatic backups should have made one."),
        failed=False,
    )
