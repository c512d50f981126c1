"""The Backup dialog, Import company, and the progress of both. Thin: the work is in jobs."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partida.archive.encryption import (
    Passphrase,
    WrongPassphrase,
    check_header,
    is_encrypted,
)
from partida.archive.errors import ArchiveError
from partida.backups import jobs, passphrases
from partida.backups.export import default_backup_name
from partida.backups.figures import recorded_figures
from partida.backups.forms import (
    BackupForm,
    ConfirmImportForm,
    ImportForm,
    PassphraseForm,
)
from partida.backups.from_manager import describe_manager_business, read_checked_business
from partida.backups.importer import open_backup
from partida.backups.job_files import job_files
from partida.backups.messages import archive_error_message
from partida.backups.models import Job
from partida.backups.preview import describe
from partida.backups.progress import phase_label
from partida.books.models import Company
from partida.books.views import company_context, get_company
from partida.managerio.reader import business_name_of, is_manager_file, kind_of_file


@require_http_methods(["GET", "POST"])
def backup(request: HttpRequest, company_id) -> HttpResponse:
    company = get_company(company_id)
    if request.method == "POST":
        form = BackupForm(request.POST)
        if form.is_valid():
            parts = form.parts()
            passphrase = form.cleaned_data.get("passphrase")
            options = {"parts": parts} | ({"encrypted": True} if passphrase else {})
            job = Job.objects.create(
                kind=Job.Kind.BACKUP,
                company_id=company.pk,
                file_name=form.cleaned_data["file_name"],
                options=options,
            )
            if passphrase:
                passphrases.hold(job.pk, passphrase)  # memory only: the job's thread takes it
            jobs.start(job)
            return redirect("backups:job", job_id=job.pk)
    else:
        form = BackupForm(initial={"file_name": default_backup_name(company.name)})
    return render(request, "backups/backup.html", company_context(company, "summary", form=form))


def job_for(job_id) -> Job:
    return get_object_or_404(Job, pk=job_id)


def job_state(job: Job) -> dict:
    phase, percent = jobs.job_progress(job)
    if not phase:
        phase = "writing" if job.kind == Job.Kind.BACKUP else "checking"
    state = {
        "state": job.state,
        "percent": percent,
        "phase": phase,
        "phase_label": phase_label(phase),
        "error": job.error,
        "kind": job.kind,
    }
    if job.state == Job.State.DONE and job.kind == Job.Kind.BACKUP:
        state["download_url"] = reverse("backups:download", kwargs={"job_id": job.pk})
    if job.state == Job.State.DONE and job.kind == Job.Kind.IMPORT:
        state["company_url"] = reverse("books:summary", kwargs={"company_id": job.company_id})
    if job.kind == Job.Kind.IMPORT:
        state["retry_url"] = reverse("backups:import")
    elif job.company_id:
        state["retry_url"] = reverse("backups:backup", kwargs={"company_id": job.company_id})
    return state


@require_GET
def job(request: HttpRequest, job_id) -> HttpResponse:
    job = job_for(job_id)
    if request.GET.get("format") == "json":
        return JsonResponse(job_state(job))
    context = {"job": job, "job_state": job_state(job), "base_template": "base.html"}
    if job.kind == Job.Kind.BACKUP:
        context |= company_context(get_company(job.company_id), "summary")
        context["base_template"] = "company_base.html"
    return render(request, "backups/job.html", context)


class StreamedFile(FileResponse):
    block_size = 1024 * 1024  # an object store is read a megabyte at a time, never whole


@require_POST
def cancel(request: HttpRequest, job_id) -> HttpResponse:
    """Stop a backup or an import: it undoes what it did, and the job says it was cancelled."""
    job = job_for(job_id)
    if job.state in Job.ACTIVE:
        jobs.do_cancel_job(job)
    return redirect("backups:job", job_id=job.pk)


class RemovedOnceRead:
    """A backup's file, read for its download, removed once it has been read to the end: a
    copy of the books does not stay in the data folder once the person has it."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.stream = job_files().open(job)
        self.complete = False

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        if not data:
            self.complete = True
        return data

    def close(self) -> None:
        self.stream.close()
        if self.complete:
            job_files().delete(self.job)
            Job.objects.filter(pk=self.job.pk).update(path="")


@require_GET
def download(request: HttpRequest, job_id) -> FileResponse:
    """The backup's file, streamed from the data folder or the object store."""
    job = job_for(job_id)
    files = job_files()
    if job.kind != Job.Kind.BACKUP or job.state != Job.State.DONE or not files.exists(job):
        raise Http404(_("This backup is no longer available: make a new one."))
    response = StreamedFile(
        RemovedOnceRead(job),
        as_attachment=True,
        filename=job.file_name,
        content_type="application/octet-stream",
    )
    response["Content-Length"] = str(files.size(job))
    return response


def too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.PARTIDA_MAX_IMPORT_BYTES + 64 * 1024


@require_http_methods(["GET", "POST"])
def import_company(request: HttpRequest) -> HttpResponse:
    """Choose a file; it is checked and described before anything is written."""
    problem = None
    form = ImportForm()
    if request.method == "POST" and too_large(request):
        # Refused from its declared length, before the upload is read.
        problem = _("This file is larger than %(limit)s, the most that can be imported here.") % {
            "limit": filesizeformat(settings.PARTIDA_MAX_IMPORT_BYTES)
        }
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            with local_file(upload) as path:
                try:
                    check_importable(path)
                except ArchiveError as error:
                    form.add_error("file", archive_error_message(error))
                else:
                    job = keep_upload(upload, path)
                    return redirect("backups:import_preview", job_id=job.pk)
    return render(request, "backups/import.html", {"form": form, "problem": problem})


def check_importable(path: str) -> None:
    """Raise ``ArchiveError`` unless the file is a Partida backup or a Manager.io business
    that can be imported; a Partida backup is checked from its first member only, an
    encrypted one from its header (its passphrase is asked for next)."""
    with open(path, "rb") as f:
        if is_encrypted(f.read(64)):
            f.seek(0)
            check_header(f)
            return
    if is_manager_file(path):
        with tempfile.TemporaryDirectory(prefix="partida-manager-") as folder:
            read_checked_business(path, folder)
    else:
        open_backup(path).manifest  # noqa: B018 (reads only the first member)


@contextmanager
def local_file(upload) -> Iterator[str]:
    """The uploaded file's path on this machine (a small upload, held in memory, is written to
    a temporary file first)."""
    if hasattr(upload, "temporary_file_path"):
        yield upload.temporary_file_path()
        return
    with tempfile.NamedTemporaryFile(prefix="partida-upload-", suffix=".manager") as target:
        for chunk in upload.chunks(1024 * 1024):
            target.write(chunk)
        target.flush()
        yield target.name


def keep_upload(upload, path: str) -> Job:
    """Keep the uploaded file (in the data folder, or the object store in the cloud) until
    the import runs or is cancelled."""
    job = Job.objects.create(kind=Job.Kind.IMPORT, file_name=Path(upload.name).name[:255])
    try:
        # Django's temporary file of a large upload may be moved (it tolerates that); the
        # temporary copy of a small one is removed by its own context.
        job_files().keep_upload(job, path, movable=hasattr(upload, "temporary_file_path"))
    except BaseException:
        job.delete()
        raise
    job.save(update_fields=["path"])
    return job


def discard(job: Job) -> None:
    passphrases.release(job.pk)
    job_files().delete(job)
    job.delete()


def read_manifest(job: Job, passphrase: Passphrase | None = None):
    """The manifest of the job's file: only its first member is read, wherever it is. A file
    of a version that records the books' figures and has lost them is refused here already."""
    with job_files().open_seekable(job) as stream:
        manifest = open_backup(stream, passphrase=passphrase).manifest
    recorded_figures(manifest)
    return manifest


def is_encrypted_job(job: Job) -> bool:
    with job_files().open(job) as stream:
        return is_encrypted(stream.read(64))


def ask_passphrase(request: HttpRequest, job: Job) -> HttpResponse:
    """An encrypted upload: its passphrase, before the preview. A wrong one says so and asks
    again; cancel discards the upload. Only the file's key is kept, in memory."""
    form = PassphraseForm()
    if request.method == "POST":
        if "cancel" in request.POST:
            discard(job)
            return redirect("backups:import")
        form = PassphraseForm(request.POST)
        if form.is_valid():
            passphrase = Passphrase(form.cleaned_data["passphrase"])
            try:
                read_manifest(job, passphrase)
            except WrongPassphrase as error:
                form.add_error("passphrase", archive_error_message(error))
            else:
                passphrases.hold(job.pk, passphrase.key_only())
                return redirect("backups:import_preview", job_id=job.pk)
    return render(request, "backups/import_passphrase.html", {"job": job, "form": form})


def is_manager_job(job: Job) -> bool:
    with job_files().open(job) as stream:
        return kind_of_file(stream.read(512)) != "other"


def describe_manager_job(job: Job) -> dict:
    with job_files().local_copy(job) as path, tempfile.TemporaryDirectory() as folder:
        business = read_checked_business(path, folder)
        business.file_name = business_name_of(job.file_name)
        return describe_manager_business(business)


@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, job_id) -> HttpResponse:
    job = get_object_or_404(Job, pk=job_id, kind=Job.Kind.IMPORT, state=Job.State.WAITING)
    try:
        key = None
        if is_encrypted_job(job):
            key = passphrases.held(job.pk)
            if key is None:
                return ask_passphrase(request, job)
        elif is_manager_job(job):
            return manager_import_preview(request, job, describe_manager_job(job))
        manifest = read_manifest(job, key)
    except (ArchiveError, FileNotFoundError) as error:
        discard(job)
        message = (
            archive_error_message(error)
            if isinstance(error, ArchiveError)
            else _("The uploaded file is no longer here: choose it again.")
        )
        messages.error(request, message)
        return redirect("backups:import")
    return confirm_import(
        request,
        job,
        "backups/import_preview.html",
        describe(manifest),
        suggested_name=restored_name(manifest.company.name),
    )


def manager_import_preview(request: HttpRequest, job: Job, preview: dict) -> HttpResponse:
    """The preview of a Manager.io business: what comes across and what does not."""
    return confirm_import(
        request,
        job,
        "backups/import_manager_preview.html",
        preview,
        suggested_name=preview["name"][:200],
        options={"source": "manager"},
    )


def confirm_import(
    request: HttpRequest,
    job: Job,
    template: str,
    preview: dict,
    suggested_name: str,
    options: dict | None = None,
) -> HttpResponse:
    """The preview with its form: cancel, or name the new company and start the import."""
    if request.method == "POST":
        if "cancel" in request.POST:
            discard(job)
            return redirect("books:companies")
        form = ConfirmImportForm(request.POST)
        if form.is_valid():
            job.refresh_from_db(fields=["options"])  # the cloud keeps a sealed key there
            job.options = {
                **job.options,
                "new_name": form.cleaned_data["new_name"],
                **(options or {}),
            }
            job.save(update_fields=["options"])
            jobs.start(job)
            return redirect("backups:job", job_id=job.pk)
    else:
        form = ConfirmImportForm(initial={"new_name": suggested_name})
    taken = Company.objects.filter(name=form["new_name"].value()).exists()
    return render(
        request, template, {"job": job, "form": form, "preview": preview, "name_taken": taken}
    )


def restored_name(name: str) -> str:
    """A name that tells the restored company from the original: "Demo S.L. (restaurada
    2026-12-01)"."""
    suffix = _("restored %(date)s") % {"date": timezone.localdate().isoformat()}
    return f"{name[: 200 - len(suffix) - 3]} ({suffix})"
