"""The mail outbox: mail is committed with the change that caused it, survives a broker outage,
and is handed to the mail server once, however many relays run."""

import contextlib
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import User
from core.outbox import relay, sending
from core.outbox.models import OutboxMessage
from tests.celery_worker import celery_broker, start_redis, start_worker, stop
from tests.conftest import client_for, free_port, make_user, wait_for

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
OUTBOX = "core.outbox.backends.OutboxEmailBackend"


@pytest.fixture
def outbox_mail(settings):
    """Mail goes through the outbox (as in production), delivered to django.core.mail.outbox."""
    settings.EMAIL_BACKEND = OUTBOX
    settings.OUTBOX_EMAIL_BACKEND = LOCMEM


def dead_broker() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


def request_password_reset(college, email: str):
    return client_for(college).post("/api/v1/auth/password/reset/", {"email": email})


def test_mail_is_kept_only_if_the_senders_transaction_commits(college, outbox_mail):
    with tenant_context(college):
        with contextlib.suppress(RuntimeError), transaction.atomic():
            send_mail("Rolled back", "body", None, ["a@alpha.example.edu"])
            raise RuntimeError("the change failed")
        assert not OutboxMessage.objects.exists()

        with transaction.atomic():
            send_mail("Committed", "body", None, ["a@alpha.example.edu"])
        (row,) = OutboxMessage.objects.all()

    assert row.message["subject"] == "Committed"
    assert row.sent_at is None


def test_after_the_commit_the_mail_is_relayed_once(
    college, outbox_mail, django_capture_on_commit_callbacks
):
    with tenant_context(college), django_capture_on_commit_callbacks(execute=True):
        send_mail("Welcome", "Hello there", None, ["a@alpha.example.edu"])

    (sent,) = mail.outbox
    assert sent.subject == "Welcome"
    assert sent.body == "Hello there"
    assert sent.to == ["a@alpha.example.edu"]
    assert sent.extra_headers["Message-ID"].endswith("@localhost>")
    with tenant_context(college):
        row = OutboxMessage.objects.get()
        assert row.sent_at is not None
        assert row.attempts == 1
        assert row.message == {"subject": "Welcome"}  # no addresses or links kept
        assert relay.relay(college.schema_name) == 0
    assert len(mail.outbox) == 1


def test_a_request_that_mails_succeeds_with_the_broker_down_and_the_sweep_sends_it(
    college, outbox_mail, django_capture_on_commit_callbacks
):
    user = make_user(college, "student", "reset-me@alpha.example.edu")

    with celery_broker(dead_broker()), django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        response = request_password_reset(college, user.email)
        elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert elapsed < 2  # one refused connection, not kombu's retry loop
    assert mail.outbox == []
    with tenant_context(college):
        assert OutboxMessage.objects.due().count() == 1

    assert relay.relay_pending() == 1  # the broker is back: beat runs the sweep
    assert relay.relay_pending() == 0

    (sent,) = mail.outbox
    assert sent.to == [user.email]
    assert "/reset-password/?uid=" in sent.body


def test_a_failing_mail_server_means_retries_with_backoff_then_giving_up(college, settings, caplog):
    settings.EMAIL_BACKEND = OUTBOX
    settings.OUTBOX_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_USE_TLS = False
    settings.OUTBOX_MAX_ATTEMPTS = 2
    with tenant_context(college):
        send_mail("Retry me", "body", None, ["a@alpha.example.edu"])
        row = OutboxMessage.objects.get()

        assert relay.relay(college.schema_name) == 0
        row.refresh_from_db()
        assert row.attempts == 1
        assert "ConnectionRefusedError" in row.last_error
        assert row.next_attempt_at > timezone.now() + timedelta(seconds=20)
        assert row.failed_at is None
        assert relay.relay(college.schema_name) == 0  # not due yet: no attempt
        row.refresh_from_db()
        assert row.attempts == 1

        OutboxMessage.objects.update(next_attempt_at=timezone.now())
        relay.relay(college.schema_name)
        row.refresh_from_db()

    assert row.attempts == 2
    assert row.failed_at is not None
    assert any("giving up" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


def test_the_sweep_finds_due_mail_across_the_fleet_in_one_statement(
    public_tenant, college, other_college, outbox_mail
):
    for tenant in (public_tenant, other_college):
        with tenant_context(tenant):
            send_mail("Due", "body", None, ["a@example.edu"])
    with tenant_context(college):
        send_mail("Not due yet", "body", None, ["a@example.edu"])
        OutboxMessage.objects.update(next_attempt_at=timezone.now() + timedelta(minutes=5))

    with CaptureQueriesContext(connection) as queries:
        due = relay.schemas_with_due_messages()

    assert sorted(due) == sorted(["public", other_college.schema_name])
    # search_path, the college list, the tables present, one UNION for all the schemas
    assert len(queries) <= 4


def test_html_alternatives_and_attachments_survive_the_outbox(college, outbox_mail):
    message = EmailMultiAlternatives("Report", "plain", None, ["a@alpha.example.edu"])
    message.attach_alternative("<p>html</p>", "text/html")
    message.attach("report.pdf", b"%PDF-1.4 \x00\xff", "application/pdf")
    with tenant_context(college):
        message.send()
        relay.relay(college.schema_name)

    (sent,) = mail.outbox
    assert sent.alternatives[0][:2] == ("<p>html</p>", "text/html")
    assert sent.attachments[0][:3] == ("report.pdf", b"%PDF-1.4 \x00\xff", "application/pdf")


# --- A real worker and a real broker -----------------------------------------------------------
def deliveries(mail_dir: Path, message_id: str) -> int:
    return sum(path.read_text().count(message_id) for path in mail_dir.glob("*.log"))


@pytest.fixture
def committed_college(request, django_db_setup, django_db_blocker):
    """The college, with database access outside a test transaction (a worker must see the
    rows), cleaned up afterwards."""
    from auditlog.models import LogEntry

    from tenants.models import College

    schemas = request.getfixturevalue("_schemas")
    with django_db_blocker.unblock():
        college = College.objects.get(pk=schemas["college"])
        with tenant_context(college):
            last_entry = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
        yield college
        with tenant_context(college):
            OutboxMessage.objects.all().delete()
            User.objects.filter(email="worker-test@alpha.example.edu").delete()
            LogEntry.objects.filter(pk__gt=last_entry or 0).delete()
        connection.close()


def test_mail_queued_while_the_broker_is_down_is_sent_once_by_a_real_worker(
    committed_college, settings, tmp_path
):
    settings.EMAIL_BACKEND = OUTBOX
    college = committed_college
    user = make_user(college, "student", "worker-test@alpha.example.edu")
    port = free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    redis_process = worker = None
    try:
        # given: the broker is down when the request that sends mail comes in
        with celery_broker(broker):
            started = time.monotonic()
            response = request_password_reset(college, user.email)
            elapsed = time.monotonic() - started
            assert response.status_code == 200
            assert elapsed < 2
            with tenant_context(college):
                (row,) = OutboxMessage.objects.all()
            message_id = row.message["headers"]["Message-ID"]
            assert row.sent_at is None

            # when: the broker comes back, with duplicate relay tasks queued for the same
            # message (a retried publish, a redelivery), and a worker starts with its beat
            redis_process = start_redis(port)
            for _ in range(6):
                sending.queue_relay(college.schema_name, [row.pk])
            worker = start_worker(broker=broker, mail_dir=mail_dir, log=tmp_path / "worker.log")

            # then: the mail is delivered, once
            delivered = wait_for(lambda: deliveries(mail_dir, message_id) > 0, timeout=60)
            log = (tmp_path / "worker.log").read_text
            assert delivered, log()
            assert wait_for(  # the queued tasks and a few sweeps have all run
                lambda: (
                    log().count("core.outbox.tasks.relay[") >= 12
                    and log().count("core.outbox.tasks.relay_pending[") >= 4
                ),
                timeout=30,
            ), log()
        assert deliveries(mail_dir, message_id) == 1
        with tenant_context(college):
            row.refresh_from_db()
        assert row.sent_at is not None
        assert row.attempts == 1
    finally:
        if worker is not None:
            stop(worker)
        if redis_process is not None:
            redis_process.kill()
            redis_process.wait()
