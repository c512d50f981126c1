"""The "Automatic backups" settings (desktop edition) and each company's "Backups" list, with
Download and Import (as a new company) of any verified backup. Thin: the work is in
``desktop`` and in the backups app's import jobs.

In the cloud edition ``CloudAccessMiddleware`` answers 404 for another customer's company or
backup before these views run; the views look the backup up within the company again.
"""

import os
import shutil
import tempfile
from pathlib import Path
from typing import IO

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partida.archive.encryption import is_encrypted
from partida.autobackups.config import backup_interval
from partida.autobackups.desktop import WAKE, current_schedule, folder_problem, is_desktop
from partida.autobackups.forms import ScheduleForm
from partida.autobackups.models import DesktopSchedule, StoredBackup
from partida.autobackups.notice import backup_notice
from partida.autobackups.runner import open_stored_backup
from partida.backups.export import default_backup_name
from partida.backups.job_files import job_files
from partida.backups.models import Job
from partida.books.models import Company
from partida.books.views import company_context, get_company

State = StoredBackup.State
COPY_CHUNK = 1024 * 1024


def is_folder_backup(backup: StoredBackup) -> bool:
    return os.path.isabs(backup.storage_key)


# Automatic backups (desktop edition)


@require_http_methods(["GET", "POST"])
def schedule_settings(request: HttpRequest) -> HttpResponse:
    if not is_desktop():
        raise Http404  # the cloud edition backs every company up by itself
    schedule = current_schedule()
    form = ScheduleForm(request.POST or None, schedule=schedule)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        now = timezone.now()
        if data["enabled"] and not schedule.enabled:
            schedule.enabled_at = now
        schedule.enabled = data["enabled"]
        schedule.every = data["every"]
        schedule.folder = data["folder"]
        schedule.parts = form.parts()
        schedule.passphrase = data["passphrase"]
        schedule.keep_daily = data["keep_daily"]
        schedule.keep_weekly = data["keep_weekly"]
        schedule.keep_monthly = data["keep_monthly"]
        schedule.saved_at = now
        schedule.save()
        WAKE.set()  # the server's backup thread looks at once
        if schedule.enabled:
            messages.success(
                request,
                _("Automatic backups are on: every company is backed up to %(folder)s.")
                % {"folder": schedule.folder},
            )
        else:
            messages.success(request, _("Automatic backups are off."))
        return redirect("autobackups:settings")
    companies = [
        {"company": company, "last": last_backup(company.pk)}
        for company in Company.objects.order_by("name", "created_at")
    ]
    problem = folder_problem(schedule.folder) if schedule.enabled else None
    context = {
        "form": form,
        "schedule": schedule,
        "companies": companies,
        "folder_problem": problem,
        "hours": backup_interval().total_seconds() / 3600,
    }
    return render(request, "autobackups/settings.html", context)


def last_backup(company_id) -> StoredBackup | None:
    return (
        StoredBackup.objects.filter(company_id=company_id)
        .exclude(state__in=StoredBackup.IN_PROGRESS)
        .order_by("-created_at")
        .first()
    )


# A company's backups


def backup_row(backup: StoredBackup) -> dict:
    row = {"backup": backup, "file_name": "", "missing": False}
    if is_folder_backup(backup):
        row["file_name"] = os.path.basename(backup.storage_key)
        row["folder"] = os.path.dirname(backup.storage_key)
        row["missing"] = backup.verified and not os.path.isfile(backup.storage_key)
        if backup.verified and not row["missing"]:
            row["encrypted"] = file_is_encrypted(backup.storage_key)
    return row


def file_is_encrypted(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return is_encrypted(f.read(64))
    except OSError:
        return False


@require_GET
def backup_list(request: HttpRequest, company_id) -> HttpResponse:
    company = get_company(company_id)
    backups = StoredBackup.objects.filter(company_id=company.pk).order_by("-created_at", "-id")
    schedule = current_schedule() if is_desktop() else None
    context = company_context(
        company,
        "backups",
        rows=[backup_row(backup) for backup in backups],
        schedule=schedule,
        desktop=is_desktop(),
        notice=backup_notice(company),
        every=DesktopSchedule.Every,
    )
    return render(request, "autobackups/list.html", context)


def verified_backup(company: Company, backup_id) -> StoredBackup:
    return get_object_or_404(
        StoredBackup, pk=backup_id, company_id=company.pk, state=State.VERIFIED
    )


class FileChanged(Exception):
    """The backup's file is not the size it was written: it is not the backup any more."""


def open_backup_file(backup: StoredBackup) -> IO[bytes]:
    """The backup's bytes: its file in the folder, or its object in the store."""
    if not is_folder_backup(backup):
        return open_stored_backup(backup)
    stream = open(backup.storage_key, "rb")  # noqa: SIM115 (the response closes it)
    if os.fstat(stream.fileno()).st_size != backup.size:
        stream.close()
        raise FileChanged(backup.storage_key)
    return stream


def unavailable(error: Exception) -> Http404:
    if isinstance(error, FileChanged):
        return Http404(_("The file of this backup was changed after it was written."))
    return Http404(_("The file of this backup is no longer in its folder."))


def download_name(backup: StoredBackup) -> str:
    if is_folder_backup(backup):
        return os.path.basename(backup.storage_key)
    return default_backup_name(backup.company_name, timezone.localdate(backup.created_at))


class StreamedFile(FileResponse):
    block_size = COPY_CHUNK


@require_GET
def download(request: HttpRequest, company_id, backup_id) -> FileResponse:
    backup = verified_backup(get_company(company_id), backup_id)
    try:
        stream = open_backup_file(backup)
    except (FileNotFoundError, FileChanged) as error:
        raise unavailable(error) from None
    response = StreamedFile(
        stream,
        as_attachment=True,
        filename=download_name(backup),
        content_type="application/octet-stream",
    )
    if backup.size:
        response["Content-Length"] = str(backup.size)
    return response


@require_POST
def import_backup(request: HttpRequest, company_id, backup_id) -> HttpResponse:
    """Import the backup as a new company: its file becomes an import job's, which leads to the
    usual preview (and, for an encrypted one, the passphrase first) and confirm."""
    company = get_company(company_id)
    backup = verified_backup(company, backup_id)
    job = Job.objects.create(kind=Job.Kind.IMPORT, file_name=download_name(backup)[:255])
    try:
        with tempfile.TemporaryDirectory(prefix="partida-import-") as folder:
            if is_folder_backup(backup):
                with open_backup_file(backup):  # the size is checked
                    pass
                source = Path(backup.storage_key)
            else:
                source = Path(folder) / "backup.manager"
                with open_backup_file(backup) as stream, open(source, "wb") as copy:
                    shutil.copyfileobj(stream, copy, COPY_CHUNK)
            job_files().keep_upload(job, source)
    except (FileNotFoundError, FileChanged) as error:
        job.delete()
        messages.error(request, str(unavailable(error)))
        return redirect("autobackups:list", company_id=company.pk)
    except BaseException:
        job.delete()
        raise
    job.save(update_fields=["path"])
    return redirect("backups:import_preview", job_id=job.pk)
