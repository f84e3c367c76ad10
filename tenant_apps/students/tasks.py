"""Background work of students, run for the college that queued it (tenant-schemas-celery),
and queueing it."""

import logging

from celery import shared_task

from core.api.errors import PlacemateError
from core.queueing import publish
from tenant_apps.kit.jobs import JobStatus
from tenant_apps.students import imports, invitations
from tenant_apps.students.models import StudentImport

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def student_import_run(job_id: int) -> None:
    imports.student_import_run(job_id=job_id, queue_invitations=queue_invitations)


@shared_task(ignore_result=True)
def students_invite(user_ids: list[int], link_base: str) -> int:
    return invitations.students_invite_send(user_ids=user_ids, link_base=link_base)


def queue_invitations(user_ids: list[int], link_base: str) -> None:
    try:
        publish(students_invite, args=[user_ids, link_base])
    except Exception:  # the import stands: the students can still reset their password
        logger.exception("Could not queue %d import invitations", len(user_ids))


def queue_import(job: StudentImport) -> None:
    try:
        publish(student_import_run, args=[job.pk])
    except Exception:  # the broker is down: say so to the poller
        logger.exception("Could not queue student import %s", job.pk)
        if job.status == JobStatus.QUEUED:
            job.mark_failed(PlacemateError("The import could not be queued: try again."))
