"""Done when: a task queued in college A runs, in a real Celery worker over Redis, in A's schema.

Both colleges hold an application under the same id; each queues the same task with the same
arguments. Only the schema the task carries tells the worker whose student to mail.

(pytest-django creates the test database only for a run that holds a test using `db`: run this
module with another, e.g. its whole directory, as tests/core/test_outbox.py's worker test.)"""

import time
from email import message_from_string
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from core.accounts.models import User
from core.outbox.models import OutboxMessage
from tenant_apps.applications.models import Application, ApplicationStatus
from tenant_apps.companies.models import Company
from tenant_apps.drives.models import Drive, DriveRound
from tenant_apps.notifications import tasks as notify
from tenant_apps.students.models import Student
from tenants.models import College
from tests.celery_worker import celery_broker, start_redis, start_worker, stop
from tests.conftest import free_port, wait_for
from tests.tenant_apps.factories import make_application, make_drive, make_student

SAME_ID = 770001
PEOPLE = {
    "college": ("Ada", "ada.worker@alpha.example.edu"),
    "other_college": ("Bruno", "bruno.worker@beta.example.edu"),
}


@pytest.fixture
def committed_colleges(request, django_db_setup, django_db_blocker):
    """Both colleges, each with a rejected application under the same id, committed (the worker
    must see the rows), removed afterwards."""
    schemas = request.getfixturevalue("_schemas")
    with django_db_blocker.unblock():
        colleges = {key: College.objects.get(pk=schemas[key]) for key in PEOPLE}
        marks = {}
        for key, college in colleges.items():
            with tenant_context(college):
                marks[key] = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
            first_name, email = PEOPLE[key]
            student = make_student(college, first_name=first_name, email=email)
            drive = make_drive(college, title=f"{first_name}'s drive", pk=SAME_ID)
            make_application(college, student, drive, ApplicationStatus.REJECTED, pk=SAME_ID)
        yield colleges
        for key, college in colleges.items():
            with tenant_context(college):
                Application.all_objects.filter(pk=SAME_ID).hard_delete()
                DriveRound.all_objects.filter(drive_id=SAME_ID).hard_delete()
                company_id = Drive.all_objects.get(pk=SAME_ID).company_id
                Drive.all_objects.filter(pk=SAME_ID).hard_delete()
                Company.all_objects.filter(pk=company_id).hard_delete()
                Student.all_objects.filter(user__email=PEOPLE[key][1]).hard_delete()
                User.objects.filter(email=PEOPLE[key][1]).delete()
                OutboxMessage.objects.all().delete()
                LogEntry.objects.filter(pk__gt=marks[key] or 0).delete()
        connection.close()


def mails_in(mail_dir: Path) -> dict[str, str]:
    """Recipient -> the plain-text body of each mail the worker wrote."""
    found = {}
    for path in mail_dir.glob("*.log"):
        for raw in path.read_text().split("-" * 79):
            if not raw.strip():
                continue
            message = message_from_string(raw.strip())
            text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
            found[message["To"]] = text.get_payload(decode=True).decode()
    return found


def all_sent(*colleges) -> bool:
    for college in colleges:
        with tenant_context(college):
            if not OutboxMessage.objects.filter(sent_at__isnull=False).exists():
                return False
    return True


def test_a_task_queued_by_a_college_runs_in_that_colleges_schema(committed_colleges, tmp_path):
    alpha, beta = committed_colleges["college"], committed_colleges["other_college"]
    port = free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log = tmp_path / "worker.log"
    redis_process = start_redis(port)
    worker = None
    try:
        with celery_broker(broker):
            # given: each college queues the same task, with the same arguments, after a commit
            for college in (alpha, beta):
                with tenant_context(college), transaction.atomic():
                    notify.queue_after_commit(
                        notify.notify_application_status, [SAME_ID], ApplicationStatus.REJECTED
                    )
            # when: a worker (production settings: mail through the outbox) takes them
            started = time.monotonic()
            worker = start_worker(broker=broker, mail_dir=mail_dir, log=log, beat=False)
            both = wait_for(lambda: len(mails_in(mail_dir)) >= 2 and all_sent(alpha, beta), 45)
            assert both, log.read_text()
            elapsed = time.monotonic() - started
    finally:
        if worker is not None:
            stop(worker)
        redis_process.kill()
        redis_process.wait()

    # then: each college's task mailed its own student, with its own name
    mails = mails_in(mail_dir)
    assert set(mails) == {PEOPLE["college"][1], PEOPLE["other_college"][1]}
    to_ada, to_bruno = mails[PEOPLE["college"][1]], mails[PEOPLE["other_college"][1]]
    assert "Hello Ada," in to_ada and "Ada's drive" in to_ada
    assert "Alpha Institute of Technology" in to_ada and "Beta" not in to_ada
    assert "Hello Bruno," in to_bruno and "Bruno's drive" in to_bruno
    assert "Beta College of Engineering" in to_bruno and "Alpha" not in to_bruno
    assert "https://alpha.localhost/" in to_ada and "https://beta.localhost/" in to_bruno
    # and the rows they wrote (the outbox, sent) are in their own schema only
    for college, prefix in ((alpha, "Alpha Institute"), (beta, "Beta College")):
        with tenant_context(college):
            (row,) = OutboxMessage.objects.all()
        assert row.sent_at is not None
        assert row.message["subject"].startswith(prefix)
    assert elapsed < 45
