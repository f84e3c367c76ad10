"""Fleet sweeps that cost what the work costs: the schemas noted as holding work, found in one
indexed query of public, whatever the number of colleges."""

from datetime import timedelta

from django.core.mail import send_mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core import due
from core.outbox import relay
from core.outbox.models import OutboxMessage
from tenants.models import DueWork
from tenants.services import college_ensure
from tests.core.test_outbox import outbox_mail  # noqa: F401 (a fixture)


def real_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "search_path" not in q["sql"]]


def test_a_sweep_with_nothing_noted_is_one_query_whatever_the_fleet(college, other_college):
    # given more colleges, one with a pending mail that was never noted (as after a restore)
    for index in range(3):
        college_ensure(subdomain=f"quiet-{index}", name=f"Quiet {index}")
    with tenant_context(other_college):
        OutboxMessage.objects.create(message={"subject": "unnoted"})
    DueWork.objects.all().delete()

    with CaptureQueriesContext(connection) as queries:
        found = relay.schemas_with_due_messages()

    # then the sweep read the notes only: no college schema was opened
    assert found == []
    assert len(real_queries(queries)) == 1
    assert "tenants_duework" in real_queries(queries)[0]


def test_mail_notes_its_schema_and_the_sweep_drops_the_note_once_sent(
    college,
    other_college,
    outbox_mail,  # noqa: F811 (the fixture)
):
    with tenant_context(college):
        send_mail("Hello", "body", None, ["a@alpha.example.edu"])
    assert list(DueWork.objects.values_list("schema_name", "kind")) == [
        (college.schema_name, relay.DUE_KIND)
    ]

    assert relay.relay_pending() == 1  # the sweep found and sent it
    assert relay.schemas_with_due_messages() == []  # ... and its next visit dropped the note

    assert not DueWork.objects.exists()


def test_a_note_for_later_work_moves_to_its_time(college):
    with tenant_context(college):
        OutboxMessage.objects.create(
            message={"subject": "later"}, next_attempt_at=timezone.now() + timedelta(hours=1)
        )
        due.note(relay.DUE_KIND)

    assert relay.schemas_with_due_messages() == []

    note = DueWork.objects.get(schema_name=college.schema_name)
    assert timezone.now() + timedelta(minutes=59) < note.due_at
    # the next sweeps do not even read that schema until then
    with CaptureQueriesContext(connection) as queries:
        relay.schemas_with_due_messages()
    assert len(real_queries(queries)) == 1


def test_a_note_made_while_a_sweep_settles_is_not_lost(college):
    # given a sweep that read the note (version 1) and found nothing pending
    due.note(relay.DUE_KIND, schema_name=college.schema_name)
    (read,) = DueWork.objects.values_list("schema_name", "version")
    # when a mail is noted before the sweep settles
    due.note(relay.DUE_KIND, schema_name=college.schema_name)
    due._settle(relay.DUE_KIND, [(read[0], read[1], None)])

    # then the newer note stays
    assert DueWork.objects.get(schema_name=college.schema_name).version == 2


def test_each_sweep_finds_only_its_own_kind_and_colleges(college, other_college):
    with tenant_context(college):
        OutboxMessage.objects.create(message={"subject": "due"})
        due.note(relay.DUE_KIND)
    due.note("attempts", schema_name=other_college.schema_name)

    from tenant_apps.assessments.sweep import schemas_with_overdue_attempts

    assert relay.schemas_with_due_messages() == [college.schema_name]
    assert schemas_with_overdue_attempts() == []  # noted, but it holds no running attempt
    assert not DueWork.objects.filter(kind="attempts").exists()
