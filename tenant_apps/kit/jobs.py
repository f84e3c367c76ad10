"""Background jobs a client polls: an abstract row per job (status, progress, result or error)
and the helpers that move it along.

A job is created `queued` in the request, then a Celery task (carrying the college: tenant-schemas
-celery) marks it `running`, reports progress (`processed` of `total`) and ends it `done` with a
JSON `result` or `failed` with an `error` shaped like the API's (`{code, message, details}`).
State changes are single UPDATE statements in autocommit, so a poll sees them at once even while
the job's own work runs in a transaction; they are progress, not edits, and are not audited (the
row's creation is)."""

from typing import Any

from django.db import models
from django.utils import timezone
from rest_framework import serializers

from core.api.codes import ErrorCode
from core.api.errors import PlacemateError
from core.audit.models import SoftDeleteModel


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class BackgroundJob(SoftDeleteModel):
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-id"]

    def _set(self, **fields) -> None:
        type(self).all_objects.filter(pk=self.pk).update(**fields)
        for name, value in fields.items():
            setattr(self, name, value)

    def mark_running(self, *, total: int) -> None:
        self._set(status=JobStatus.RUNNING, total=total, processed=0, started_at=timezone.now())

    def mark_progress(self, processed: int) -> None:
        self._set(processed=min(processed, self.total))

    def mark_done(self, result: Any) -> None:
        self._set(
            status=JobStatus.DONE, processed=self.total, result=result, finished_at=timezone.now()
        )

    def mark_failed(self, error: Exception) -> None:
        self._set(status=JobStatus.FAILED, error=job_error(error), finished_at=timezone.now())


def job_error(error: Exception) -> dict:
    """What a failed job tells its poller: a business error's code, message and details; for
    anything else only that it failed (no internals)."""
    if isinstance(error, PlacemateError):
        return {"code": error.code, "message": error.message, "details": error.details}
    if isinstance(error, serializers.ValidationError):
        detail = error.detail
        detail = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return {
            "code": ErrorCode.VALIDATION_ERROR,
            "message": "Some fields are invalid.",
            "details": detail,
        }
    return {"code": ErrorCode.SERVER_ERROR, "message": "The job failed; try again.", "details": {}}


def job_output(job: BackgroundJob) -> dict:
    return {
        "id": job.pk,
        "status": job.status,
        "progress": {"processed": job.processed, "total": job.total},
        "result": job.result,
        "error": job.error,
        "created_by": job.created_by_id,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


class JobProgressOutput(serializers.Serializer):
    processed = serializers.IntegerField()
    total = serializers.IntegerField()


class JobErrorOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField()


class JobOutput(serializers.Serializer):
    """Documents `job_output()`; subclasses give `result` its own shape."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=JobStatus.choices)
    progress = JobProgressOutput()
    result = serializers.DictField(allow_null=True)
    error = JobErrorOutput(allow_null=True)
    created_by = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
