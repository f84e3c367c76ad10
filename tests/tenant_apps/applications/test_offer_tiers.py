"""Offer tiers: named tiers in order, the tier rule (a student placed in a tier applies only to
drives of higher tiers; accepting a higher tier's offer releases the accepted one), a maximum of
accepted offers, one accepted offer per student whatever the order or concurrency, and the old
one-offer policy and dream threshold turned into tiers by the data migration."""

import importlib
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import CollegeSettings
from tenant_apps.applications import services
from tenant_apps.applications.models import Application, Offer
from tenant_apps.applications.tiers import offer_tiers
from tenant_apps.drives.eligibility import drive_ineligibility_reasons
from tenant_apps.kit.errors import InvalidTransition, NotEligible
from tenant_apps.students.models import Student
from tests.browser import committed
from tests.conftest import client_for
from tests.tenant_apps.factories import (
    make_application,
    make_drive,
    make_offer,
    make_student,
    refreshed,
    set_policy,
    set_tiers,
)

OFFERS = "/api/v1/offers/"
THRESHOLD = "2000000"
CTC = {"regular": "900000", "dream": "3000000"}


def offered(college, student, ctc: str, **drive):
    application = make_application(
        college, student, make_drive(college, ctc=ctc, **drive), "offered"
    )
    return application, make_offer(college, application)


def accept(client, offer):
    return client.post(f"{OFFERS}{offer.pk}/accept/")


def accepted_of(college, student) -> list[int]:
    with tenant_context(college):
        return sorted(
            Application.objects.filter(student=student, status="accepted").values_list(
                "drive_id", flat=True
            )
        )


# --- The known bug first -----------------------------------------------------------------------


def test_a_regular_offer_then_a_dream_offer_ends_with_the_dream_one_accepted_only(
    college, django_capture_on_commit_callbacks
):
    # given the one-offer policy with a dream threshold, and a regular and a dream offer
    set_policy(college, one_offer_policy=True, dream_ctc_threshold=THRESHOLD)
    student = make_student(college)
    client = client_for(college, student.user)
    regular, regular_offer = offered(college, student, CTC["regular"])
    dream, dream_offer = offered(college, student, CTC["dream"])

    # when the student accepts the regular offer, then the dream one
    assert accept(client, regular_offer).status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = accept(client, dream_offer)

    # then only the dream offer is accepted; the regular one was released, with who and when
    assert response.status_code == 200, response.json()
    assert accepted_of(college, student) == [dream.drive_id]
    released = refreshed(college, regular_offer)
    assert released.status == "declined" and released.released_by_id == student.user_id
    assert released.released_at is not None
    application = refreshed(college, regular)
    assert application.status == "declined" and application.declined_by_id == student.user_id
    assert "Dream tier" in application.note
    with tenant_context(college):
        placed = Student.objects.select_related("placed_tier").get(pk=student.pk)
    assert (placed.placement_status, placed.placed_tier.name) == ("placed", "Dream")
    assert placed.offers_accepted == 2
    # and the student is mailed about the release
    assert any("released" in message.body for message in mail.outbox)
    assert all(message.to == [student.user.email] for message in mail.outbox)


# --- The old policy, pair by pair --------------------------------------------------------------


RANK = {"regular": 1, "dream": 2}


def _old_rule(first: str, second: str) -> list[str]:
    """Which offers the old one-offer policy with a dream threshold left accepted, accepting
    `first` then `second`: accepting withdrew the other non-dream applications, and a placed
    student could accept a dream offer only."""
    if second == "regular":
        return ["first"]  # withdrawn with the first accept, or refused by the policy
    return ["first", "second"]  # the dream offer was allowed: the bug when both stand


def _tier_rule(first: str, second: str) -> list[str]:
    """The same pair under the tiers the migration makes: where the old rule left one accepted
    offer, the same; where it left two, a higher tier releases the first, and a dream offer
    after a dream one is not of a higher tier (it was withdrawn with the first accept)."""
    old = _old_rule(first, second)
    if len(old) == 1:
        return old
    return ["second"] if RANK[second] > RANK[first] else ["first"]


@pytest.mark.parametrize(
    "first, second",
    [("regular", "regular"), ("regular", "dream"), ("dream", "regular"), ("dream", "dream")],
)
def test_a_college_with_the_old_policy_behaves_as_before_for_every_pair_of_offers(
    college, first, second
):
    # given the old policy turned into tiers by the data migration itself
    migrate_old_policy(college, one_offer_policy=True, dream_ctc_threshold=Decimal(THRESHOLD))
    student = make_student(college)
    client = client_for(college, student.user)
    drives, offers = {}, {}
    for label, kind in (("first", first), ("second", second)):
        application, offers[label] = offered(college, student, CTC[kind])
        drives[label] = application.drive_id

    # when the student accepts both, in order
    assert accept(client, offers["first"]).status_code == 200
    second_response = accept(client, offers["second"])

    # then the old outcome holds, save that two accepted offers never stand together
    expected = _tier_rule(first, second)
    assert accepted_of(college, student) == sorted(drives[label] for label in expected)
    assert (second_response.status_code == 200) == ("second" in expected)
    if expected == ["second"]:
        assert refreshed(college, offers["first"]).status == "declined"


def test_placed_students_may_apply_only_to_higher_tiers(college):
    # given three tiers, one of them named only (no CTC band)
    _low, mid, top = set_tiers(college, ("Regular", "0"), ("Dream", "2000000"), ("Core", None))
    student = make_student(college, placed=True)
    with tenant_context(college):
        Student.objects.filter(pk=student.pk).update(placed_tier=mid)
    client = client_for(college, student.user)
    regular = make_drive(college, ctc="500000")
    dream = make_drive(college, ctc="2500000")
    core = make_drive(college, ctc="1000000")  # low CTC, but the office names it Core
    with tenant_context(college):
        type(core).objects.filter(pk=core.pk).update(offer_tier=top)

    codes = {}
    for drive in (regular, dream, core):
        response = client.post("/api/v1/applications/", {"drive": drive.pk}, format="json")
        codes[drive.pk] = (
            response.status_code,
            (
                response.json()
                .get("error", {})
                .get("details", {})
                .get("reasons", [{}])[0]
                .get("code")
            ),
        )

    # refused (the drive is outside what the student may apply to), allowed to the higher tier
    assert [codes[d.pk][0] for d in (regular, dream, core)] == [400, 400, 201]
    with tenant_context(college):
        again = Student.objects.get(pk=student.pk)
        reasons = drive_ineligibility_reasons(drive=dream, student=again)
    assert [r["code"] for r in reasons] == ["placement_policy"]  # the same tier is not higher


def test_accepting_withdraws_the_open_applications_of_tiers_not_higher(college):
    set_tiers(college, ("Regular", "0"), ("Dream", "2000000"), ("Super Dream", "4000000"))
    student = make_student(college)
    client = client_for(college, student.user)
    _, dream_offer = offered(college, student, "2500000")
    other_dream = make_application(college, student, make_drive(college, ctc="2200000"))
    regular = make_application(college, student, make_drive(college, ctc="800000"), "shortlisted")
    super_dream = make_application(college, student, make_drive(college, ctc="4500000"))

    assert accept(client, dream_offer).status_code == 200

    assert refreshed(college, other_dream).status == "withdrawn"
    assert refreshed(college, regular).status == "withdrawn"
    assert refreshed(college, super_dream).status == "applied"


def test_the_maximum_of_offers_counts_released_ones(college):
    set_tiers(college, ("Regular", "0"), ("Dream", "2000000"), ("Super", "4000000"), max_offers=2)
    student = make_student(college)
    client = client_for(college, student.user)
    _, regular = offered(college, student, "900000")
    _, dream = offered(college, student, "2500000")
    _, top = offered(college, student, "5000000")

    assert accept(client, regular).status_code == 200
    assert accept(client, dream).status_code == 200
    refused = accept(client, top)

    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["reasons"][0]["code"] == "max_offers"
    assert refreshed(college, dream).status == "accepted"


def test_without_tiers_a_second_accept_releases_the_first(college):
    set_policy(college, one_offer_policy=False)
    student = make_student(college)
    client = client_for(college, student.user)
    _, first = offered(college, student, "900000")
    second_app, second = offered(college, student, "800000")

    assert accept(client, first).status_code == 200
    assert accept(client, second).status_code == 200

    assert accepted_of(college, student) == [second_app.drive_id]
    assert refreshed(college, first).status == "declined"


def test_the_database_refuses_a_second_accepted_application(college):
    student = make_student(college)
    make_application(college, student, make_drive(college), "accepted")
    with tenant_context(college), pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(student=student, drive=make_drive(college), status="accepted")


def test_an_accepted_application_does_not_come_back_beside_another(college, admin_client):
    student = make_student(college)
    client = client_for(college, student.user)
    first_app, first = offered(college, student, "900000")
    with tenant_context(college):
        services.offer_accept(offer=first, actor=student.user)
        services.application_delete(application=refreshed(college, first_app))
    _, second = offered(college, student, "800000")
    assert accept(client, second).status_code == 200

    response = admin_client.post(f"/api/v1/applications/{first_app.pk}/restore/")

    assert response.status_code == 409, response.content
    assert len(accepted_of(college, student)) == 1


def test_an_unknown_tier_position_answers_a_clean_error(college):
    with tenant_context(college), pytest.raises(Exception) as error:
        from tenant_apps.applications.tiers import tiers_replace

        tiers_replace(tiers=[{"id": 999999, "name": "Ghost", "min_ctc": None}])
    assert "Not found" in str(error.value.detail)


# --- Two accepts at once -----------------------------------------------------------------------


def test_two_accepts_at_once_leave_one_accepted_offer(db, _schemas):
    """Two real connections accept two offers of one student at the same moment: the row lock
    orders them, the dream offer ends accepted alone, whichever came first."""
    from tenants.services import college_ensure

    def given():
        college = college_ensure(subdomain="offerrace", name="Offer Race College")[0]
        set_policy(college, one_offer_policy=True, dream_ctc_threshold=THRESHOLD)
        student = make_student(college)
        _, regular = offered(college, student, CTC["regular"])
        dream_app, dream = offered(college, student, CTC["dream"])
        return college.pk, student.pk, regular.pk, dream.pk, dream_app.pk

    race(given)


def race(given) -> None:
    from tenants.models import College
    from tests.browser import drop_college

    try:
        college_pk, student_pk, regular_pk, dream_pk, dream_app_pk = committed(given)
        barrier = threading.Barrier(2)
        results: dict = {}

        def accept_in_thread(offer_pk: int) -> None:
            try:
                college = College.objects.get(pk=college_pk)
                with tenant_context(college):
                    offer = Offer.objects.select_related("application__student__user").get(
                        pk=offer_pk
                    )
                    barrier.wait()
                    services.offer_accept(offer=offer, actor=offer.application.student.user)
                    results[offer_pk] = "accepted"
            except (NotEligible, InvalidTransition) as exc:
                results[offer_pk] = exc.code
            except Exception as exc:
                results[offer_pk] = repr(exc)
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=accept_in_thread, args=(pk,)) for pk in (regular_pk, dream_pk)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        def outcome():
            with tenant_context(College.objects.get(pk=college_pk)):
                return list(
                    Application.objects.filter(
                        student_id=student_pk, status="accepted"
                    ).values_list("pk", flat=True)
                ), list(Offer.objects.order_by("pk").values_list("status", flat=True))

        accepted, statuses = committed(outcome)
        assert results[dream_pk] == "accepted", results
        assert results[regular_pk] in ("accepted", "invalid_transition", "not_eligible"), results
        assert accepted == [dream_app_pk]
        assert statuses.count("accepted") == 1
    finally:
        drop_college("offerrace")


# --- The data migration ------------------------------------------------------------------------

MIGRATION = "tenant_apps.applications.migrations.0005_offer_tiers_from_policy"
STATE = [
    ("accounts", "0006_user_email_upper_index"),
    ("applications", "0004_offer_tiers"),
    ("drives", "0003_marks_tiers_named_lists"),
    ("students", "0004_marks_verification_queue_placed_tier"),
]


def migrate_old_policy(college, *, one_offer_policy: bool, dream_ctc_threshold, before=None):
    """Runs the data migration on `college` as it ran on a college of the old policy: the old
    columns come back for this test's transaction (PostgreSQL's DDL rolls back with it)."""
    state = MigrationLoader(connection).project_state(STATE, at_end=True)
    forwards = importlib.import_module(MIGRATION).forwards
    with tenant_context(college), connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE accounts_collegesettings ADD COLUMN one_offer_policy boolean "
            "NOT NULL DEFAULT false, ADD COLUMN dream_ctc_threshold numeric(12, 2)"
        )
        CollegeSettings.load()
        cursor.execute(
            "UPDATE accounts_collegesettings SET one_offer_policy = %s, dream_ctc_threshold = %s",
            [one_offer_policy, dream_ctc_threshold],
        )
        if before is not None:
            before(cursor)
        forwards(state.apps, None)
        cursor.execute(
            "ALTER TABLE accounts_collegesettings DROP COLUMN one_offer_policy, "
            "DROP COLUMN dream_ctc_threshold"
        )


def test_the_migration_makes_the_old_policy_tiers_and_the_api_still_answers_it(
    college, admin_client
):
    migrate_old_policy(college, one_offer_policy=True, dream_ctc_threshold=Decimal(THRESHOLD))

    with tenant_context(college):
        tiers = [(t.name, t.rank, t.min_ctc) for t in offer_tiers()]
    data = admin_client.get("/api/v1/settings/").json()["data"]

    assert tiers == [("Regular", 1, Decimal("0")), ("Dream", 2, Decimal(THRESHOLD))]
    assert (data["one_offer_policy"], data["dream_ctc_threshold"]) == (True, "2000000.00")


def test_the_migration_without_the_policy_makes_no_tier(college, admin_client):
    migrate_old_policy(college, one_offer_policy=False, dream_ctc_threshold=None)

    with tenant_context(college):
        assert offer_tiers() == ()
    data = admin_client.get("/api/v1/settings/").json()["data"]
    assert (data["one_offer_policy"], data["dream_ctc_threshold"]) == (False, None)


def test_the_migration_releases_all_but_the_best_of_two_accepted_offers(college):
    # given a student who held two accepted offers under the old policy (the bug)
    student = make_student(college, placed=True)
    regular = make_application(college, student, make_drive(college, ctc="900000"))
    dream = make_application(college, student, make_drive(college, ctc="3000000"))
    regular_offer, dream_offer = make_offer(college, regular), make_offer(college, dream)

    def two_accepted(cursor):
        cursor.execute("DROP INDEX application_one_accepted_per_student")
        Application.objects.filter(pk__in=[regular.pk, dream.pk]).update(status="accepted")
        Offer.objects.filter(pk__in=[regular_offer.pk, dream_offer.pk]).update(
            status="accepted", responded_at=timezone.now() - timedelta(days=1)
        )

    # when the migration runs
    migrate_old_policy(
        college,
        one_offer_policy=True,
        dream_ctc_threshold=Decimal(THRESHOLD),
        before=two_accepted,
    )

    # then the dream offer stays accepted, the regular one is released, the student is Dream
    assert refreshed(college, dream).status == "accepted"
    assert refreshed(college, regular).status == "declined"
    assert refreshed(college, regular_offer).released_at is not None
    with tenant_context(college):
        placed = Student.objects.select_related("placed_tier").get(pk=student.pk)
    assert placed.placed_tier.name == "Dream" and placed.offers_accepted == 2
