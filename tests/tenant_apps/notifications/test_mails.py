"""Each notification goes to the right person, with the college's name and branding, after the
commit of the change it reports (tasks run eagerly here; test_worker.py runs a real worker)."""

import contextlib
import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from celery.signals import task_prerun
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import CollegeSettings, Role
from core.outbox.models import OutboxMessage
from core.outbox.relay import relay_pending
from tenant_apps.applications import services as applications
from tenant_apps.applications.models import ApplicationStatus
from tenant_apps.drives import services as drives
from tenant_apps.drives.models import DriveRound, DriveStatus
from tenant_apps.interviews import services as interviews
from tenant_apps.notifications import senders
from tenant_apps.notifications.models import NotificationPreference
from tests.celery_worker import celery_broker
from tests.conftest import free_port, make_user
from tests.core.test_outbox import LOCMEM, OUTBOX
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_offer,
    make_student,
)

S = ApplicationStatus


@pytest.fixture
def staff(college):
    return make_user(college, Role.COORDINATOR)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Runs what the code under test queues for after the commit (the tasks, eagerly)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def tasks_run():
    """The names of the tasks that ran (Celery's own signal)."""
    names = []

    def record(sender=None, **kwargs):
        names.append(sender.name)

    task_prerun.connect(record, weak=False)
    yield names
    task_prerun.disconnect(record)


def opt_out(college, user_id: int, **categories: bool) -> None:
    with tenant_context(college):
        NotificationPreference.objects.create(user_id=user_id, **categories)


def html_of(message) -> str:
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return html


def mails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


# --- Application moves -------------------------------------------------------------------------


def test_a_shortlisted_student_is_mailed_with_the_college_name_and_an_unsubscribe_link(
    college, staff, on_commit
):
    student = make_student(college, first_name="Asha", email="asha@alpha.example.edu")
    drive = make_drive(college, make_company(college, "Initech"), title="Backend Engineer")
    application = make_application(college, student, drive)

    with tenant_context(college), on_commit():
        applications.application_move(application=application, status=S.SHORTLISTED, actor=staff)

    (message,) = mail.outbox
    assert message.to == ["asha@alpha.example.edu"]
    assert message.subject == (
        "Alpha Institute of Technology: your application to Initech (Backend Engineer) is "
        "shortlisted"
    )
    assert "Hello Asha," in message.body
    assert "You have been shortlisted for Backend Engineer at Initech" in message.body
    assert "Alpha Institute of Technology" in html_of(message)
    unsubscribe = re.search(r"Unsubscribe from these e-mails: (\S+)", message.body).group(1)
    assert unsubscribe.startswith("https://alpha.localhost/notifications/unsubscribe/?token=")
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "https://alpha.localhost/" in message.body


def test_nothing_is_mailed_when_the_move_is_rolled_back(college, staff, on_commit):
    application = make_application(college, make_student(college), make_drive(college))

    with (
        tenant_context(college),
        on_commit() as callbacks,
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        applications.application_move(application=application, status=S.SHORTLISTED, actor=staff)
        raise RuntimeError("something after the move failed")

    assert callbacks == []
    assert mail.outbox == []

    with tenant_context(college), on_commit():  # the same move, committed this time
        applications.application_move(application=application, status=S.SHORTLISTED, actor=staff)
    assert len(mail.outbox) == 1


def test_a_bulk_move_is_one_task_that_mails_every_applicant(college, staff, on_commit, tasks_run):
    drive = make_drive(college, title="Data Analyst")
    students = [make_student(college) for _ in range(3)]
    ids = [make_application(college, student, drive).pk for student in students]

    with tenant_context(college), on_commit():
        applications.applications_bulk_move(
            scope=applications.Application.objects.all(), ids=ids, status=S.REJECTED, actor=staff
        )

    assert tasks_run == ["tenant_apps.notifications.tasks.notify_application_status"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.user.email for s in students)
    assert all("was not taken further" in m.body for m in mail.outbox)


def test_progress_mail_respects_the_opt_out_but_outcomes_are_always_sent(college, staff, on_commit):
    drive = make_drive(college)
    keen, quiet = make_student(college), make_student(college)
    opt_out(college, quiet.user_id, application_updates=False)
    ids = [make_application(college, s, drive).pk for s in (keen, quiet)]

    with tenant_context(college), on_commit():
        applications.applications_bulk_move(
            scope=applications.Application.objects.all(), ids=ids, status=S.SHORTLISTED,
            actor=staff,
        )  # fmt: skip
    assert [m.to for m in mail.outbox] == [[keen.user.email]]

    mail.outbox.clear()
    with tenant_context(college), on_commit():
        applications.applications_bulk_move(
            scope=applications.Application.objects.all(), ids=ids, status=S.REJECTED, actor=staff
        )
    # essential: no unsubscribe link, mailed to the one who opted out of progress mail too
    assert sorted(m.to[0] for m in mail.outbox) == sorted([keen.user.email, quiet.user.email])
    assert all("List-Unsubscribe" not in m.extra_headers for m in mail.outbox)
    assert all("Unsubscribe" not in m.body for m in mail.outbox)


def test_an_application_that_moved_on_before_the_task_ran_is_not_mailed_about(college, staff):
    application = make_application(college, make_student(college), make_drive(college))
    with tenant_context(college):
        applications.application_move(application=application, status=S.SHORTLISTED, actor=staff)
        applications.application_move(application=application, status=S.REJECTED, actor=staff)

        assert (
            senders.application_status(application_ids=[application.pk], status=S.SHORTLISTED) == 0
        )
        assert senders.application_status(application_ids=[application.pk], status=S.REJECTED) == 1


# --- Interviews and offers ---------------------------------------------------------------------


def test_a_scheduled_interview_is_mailed_even_to_a_student_who_opted_out(college, on_commit):
    student = make_student(college, email="ravi@alpha.example.edu")
    opt_out(college, student.user_id, application_updates=False, drive_openings=False)
    drive = make_drive(college, make_company(college, "Hooli"), title="SRE")
    application = make_application(college, student, drive, status=S.SHORTLISTED)
    at = (timezone.now() + timedelta(days=2)).replace(hour=10, minute=30, second=0, microsecond=0)

    with tenant_context(college), on_commit():
        round_ = DriveRound.objects.get(drive=drive, sequence=2)
        interview = interviews.interview_schedule(
            application=application, round=round_, scheduled_at=at, venue="Seminar Hall B"
        )

    (message,) = mail.outbox
    assert message.to == ["ravi@alpha.example.edu"]
    assert message.subject.startswith(
        "Alpha Institute of Technology: interview scheduled with Hooli"
    )
    assert "technical interview for SRE at Hooli" in message.body
    assert "Where: Seminar Hall B" in message.body
    # at the college's wall clock (Asia/Kolkata), not UTC's
    assert at.astimezone(ZoneInfo("Asia/Kolkata")).strftime("%H:%M IST") in message.body
    assert "List-Unsubscribe" not in message.extra_headers

    mail.outbox.clear()
    with tenant_context(college), on_commit():
        interviews.interview_update(interview=interview, venue="Room 7")
    (moved,) = mail.outbox
    assert "interview moved" in moved.subject
    assert "Where: Room 7" in moved.body

    mail.outbox.clear()
    with tenant_context(college), on_commit():  # same place and time: nothing to announce
        interviews.interview_update(interview=interview, venue="Room 7", feedback="Punctual")
    assert mail.outbox == []


def test_an_offer_and_the_answer_to_it_are_mailed_to_the_student(college, on_commit):
    student = make_student(college, email="meera@alpha.example.edu")
    drive = make_drive(college, make_company(college, "Globex"), title="Analyst")
    application = make_application(college, student, drive, status=S.OFFERED)

    with tenant_context(college), on_commit():
        offer = applications.offer_create(
            application=application,
            ctc=Decimal("1200000"),
            expires_at=timezone.now() + timedelta(days=5),
        )
    (made,) = mail.outbox
    assert made.to == ["meera@alpha.example.edu"]
    assert made.subject == "Alpha Institute of Technology: you have an offer from Globex"
    assert "CTC of 1200000.00" in made.body

    mail.outbox.clear()
    with tenant_context(college), on_commit():
        applications.offer_accept(offer=offer, actor=student.user)
    (answered,) = mail.outbox
    assert answered.to == ["meera@alpha.example.edu"]
    assert "you accepted the offer from Globex" in answered.subject


def test_declining_an_offer_is_confirmed(college, on_commit):
    student = make_student(college)
    application = make_application(college, student, make_drive(college), status=S.OFFERED)
    offer = make_offer(college, application)

    with tenant_context(college), on_commit():
        applications.offer_decline(offer=offer, actor=student.user)

    (message,) = mail.outbox
    assert message.to == [student.user.email]
    assert "you declined the offer" in message.subject


# --- Drive openings ----------------------------------------------------------------------------


def open_drive(college, drive) -> None:
    with tenant_context(college):
        drives.drive_update(drive=drive, status=DriveStatus.OPEN)


def test_an_opened_drive_is_mailed_to_eligible_students_who_did_not_opt_out(college, on_commit):
    make_student(college, department="CSE", email="cse@alpha.example.edu")  # eligible
    quiet = make_student(college, department="CSE")
    opt_out(college, quiet.user_id, drive_openings=False)
    make_student(college, department="MECH")  # not eligible
    make_student(college, department="CSE", verified=False)  # not eligible
    drive = make_drive(
        college, make_company(college, "Acme"), title="Trainee", status=DriveStatus.DRAFT,
        departments=["CSE"],
    )  # fmt: skip

    with on_commit():
        open_drive(college, drive)

    (message,) = mail.outbox
    assert message.to == ["cse@alpha.example.edu"]
    assert message.subject.startswith("Alpha Institute of Technology: Acme is hiring (Trainee)")
    assert "unsubscribe/?token=" in message.extra_headers["List-Unsubscribe"]


def test_a_drive_created_open_is_mailed_and_a_reopened_one_is_not(college, on_commit):
    student = make_student(college)
    company = make_company(college)
    with tenant_context(college), on_commit():
        drive = drives.drive_create(
            company=company, title="Intern", job_type="internship", ctc=Decimal("30000"),
            apply_by=timezone.now() + timedelta(days=3), status=DriveStatus.OPEN,
        )  # fmt: skip
    assert [m.to for m in mail.outbox] == [[student.user.email]]

    mail.outbox.clear()
    with tenant_context(college), on_commit():
        drive = drives.drive_update(drive=drive, status=DriveStatus.CLOSED)
        drives.drive_update(drive=drive, status=DriveStatus.OPEN)
    assert mail.outbox == []


def test_mailing_a_drive_opening_costs_the_same_queries_for_2_or_12_students(college):
    drive = make_drive(college)
    with tenant_context(college):
        senders.drive_opened(drive_id=drive.pk)  # warm: the college's settings are cached
    counts = []
    for students, adding in ((2, 2), (12, 10)):
        for _ in range(adding):
            make_student(college)
        mail.outbox.clear()
        with tenant_context(college), CaptureQueriesContext(connection) as queries:
            assert senders.drive_opened(drive_id=drive.pk) == students
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_students_of_a_drive_opening_are_read_and_mailed_in_batches(college, monkeypatch):
    monkeypatch.setattr(senders, "BATCH_SIZE", 5)
    drive = make_drive(college)
    students = [make_student(college) for _ in range(12)]

    with tenant_context(college):
        assert senders.drive_opened(drive_id=drive.pk) == 12

    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.user.email for s in students)


# --- Branding ----------------------------------------------------------------------------------


def test_branding_is_applied_and_every_value_is_escaped_in_html(college, staff, on_commit):
    with tenant_context(college):
        CollegeSettings.objects.update_or_create(
            pk=1,
            defaults={
                "brand_name": "Alpha <b>Careers</b>",
                "brand_color": "#aa0033",
                "email_footer": "Placement cell\n<script>alert('footer')</script>",
            },
        )
    student = make_student(college, first_name="<img src=x onerror=alert(1)>")
    drive = make_drive(college, make_company(college, "Evil & Co"), title="<script>x()</script>")
    application = make_application(college, student, drive)

    with tenant_context(college), on_commit():
        applications.application_move(application=application, status=S.SHORTLISTED, actor=staff)

    (message,) = mail.outbox
    html = html_of(message)
    assert "Alpha &lt;b&gt;Careers&lt;/b&gt;" in html
    assert "background:#aa0033" in html
    assert "Placement cell<br>&lt;script&gt;alert(&#x27;footer&#x27;)&lt;/script&gt;" in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "Evil &amp; Co" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    # plain text is not HTML: shown as written
    assert message.subject.startswith("Alpha <b>Careers</b>: your application to Evil & Co")
    assert "<script>x()</script>" in message.body
    assert "Sent by the placement office of Alpha Institute of Technology" in message.body


# --- Broker down -------------------------------------------------------------------------------


def test_with_the_broker_down_the_notification_waits_in_the_outbox_and_is_sent_once(
    college, staff, settings, on_commit
):
    # given: the broker is unreachable and mail goes through the transactional outbox
    settings.EMAIL_BACKEND, settings.OUTBOX_EMAIL_BACKEND = OUTBOX, LOCMEM
    application = make_application(college, make_student(college), make_drive(college))

    # when: a move commits
    dead_broker = f"redis://127.0.0.1:{free_port()}/0"
    with celery_broker(dead_broker), tenant_context(college), on_commit():
        applications.application_move(application=application, status=S.SHORTLISTED, actor=staff)

    # then: the request succeeded and the mail waits for the relay, which sends it once
    assert mail.outbox == []
    with tenant_context(college):
        assert OutboxMessage.objects.due().count() == 1
    assert relay_pending() == 1
    assert relay_pending() == 0
    with tenant_context(college):
        assert OutboxMessage.objects.due().count() == 0
    assert len(mail.outbox) == 1
    assert "shortlisted" in mail.outbox[0].subject.lower() + mail.outbox[0].body.lower()
