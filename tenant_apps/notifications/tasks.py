"""Notification tasks. Each runs in the schema of the college that queued it (the task carries
it: tenant-schemas-celery), and is queued after the commit of the change it reports
(`queue_after_commit`), so a rolled-back change mails nobody."""

import logging

from celery import shared_task
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from core.queueing import publish
from tenant_apps.notifications import senders

logger = logging.getLogger("placemate.notifications")


@shared_task(ignore_result=True)
def notify_application_status(application_ids: list[int], status: str) -> int:
    """One task per move, single or bulk: it mails each applicant moved."""
    return senders.application_status(application_ids=application_ids, status=status)


@shared_task(ignore_result=True)
def notify_interview_scheduled(interview_id: int, rescheduled: bool = False) -> int:
    return senders.interview_scheduled(interview_id=interview_id, rescheduled=rescheduled)


@shared_task(ignore_result=True)
def notify_interview_cancelled(interview_id: int) -> int:
    return senders.interview_cancelled(interview_id=interview_id)


@shared_task(ignore_result=True)
def notify_offer_created(offer_id: int) -> int:
    return senders.offer_created(offer_id=offer_id)


@shared_task(ignore_result=True)
def notify_offer_response(offer_id: int) -> int:
    return senders.offer_response(offer_id=offer_id)


@shared_task(ignore_result=True)
def notify_verification_returned(student_id: int) -> int:
    return senders.verification_returned(student_id=student_id)


@shared_task(ignore_result=True)
def notify_drive_opened(drive_id: int) -> int:
    return senders.drive_opened(drive_id=drive_id)


@shared_task(ignore_result=True)
def notify_announcement(announcement_id: int) -> int:
    return senders.announcement(announcement_id=announcement_id)


def queue_after_commit(task, *args) -> None:
    """Queue `task(*args)` once the current transaction commits (nothing if it rolls back), for
    the college whose schema is current now (whatever is current when the commit happens).

    Publishing never fails the change that was committed, and never loses the notification:
    with the broker unreachable (one connection attempt, not kombu's retry loop) the task runs
    right here instead. Its mails then go where every mail goes (in production the
    transactional outbox, which the periodic relay sends once the broker is back), so the
    notification is late, not lost, and not sent twice."""
    college = connection.tenant
    options = {"headers": {"_schema_name": college.schema_name}}

    def queue() -> None:
        try:
            publish(task, args=args, **options)
        except Exception as exc:  # broker unreachable
            logger.warning(
                "notification %s%r not queued (%s): running it in the request",
                task.name,
                args,
                type(exc).__name__,
            )
            run_here(task, args, college)

    transaction.on_commit(queue)


def run_here(task, args: tuple, college) -> None:
    try:
        with tenant_context(college):
            task.apply(args=args, throw=True)
    except Exception:  # the change is committed: a failing notification must not fail it
        logger.exception("notification %s%r failed", task.name, args)
