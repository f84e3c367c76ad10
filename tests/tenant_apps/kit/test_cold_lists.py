"""Cold lists: a page is one statement (its total, its ids and its rows), the lists moved off
ModelSerializers give the serializers' own JSON, and the eligibility rules compiled once decide
exactly as the rules built afresh."""

from datetime import timedelta
from decimal import Decimal

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core import datacache
from core.accounts.policies import college_settings
from core.api.renderers import json_bytes
from tenant_apps.access import drives_for
from tenant_apps.applications.apis import OfferTierOutput
from tenant_apps.applications.models import OfferTier
from tenant_apps.drives.eligibility import (
    DriveTerms,
    StudentTerms,
    all_hold,
    drive_eligible_students,
    eligibility_rules,
)
from tenant_apps.drives.models import Drive, DriveStudentListEntry
from tenant_apps.students.models import Skill, Student
from tenant_apps.students.serializers import SkillSerializer
from tests.conftest import client_for
from tests.tenant_apps.factories import (
    make_application,
    make_drive,
    make_skill,
    make_student,
    set_tiers,
)

pytestmark = pytest.mark.django_db


def list_entry_spec(entry: DriveStudentListEntry) -> dict:
    """A drive's named student as the API showed it before its read model."""
    student = entry.student
    return {
        "id": entry.pk,
        "student": {
            "id": student.pk,
            "roll_number": student.roll_number,
            "first_name": student.user.first_name,
            "last_name": student.user.last_name,
        },
        "kind": entry.kind,
        "reason": entry.reason,
        "created_at": entry.created_at,
    }


def data_json(response) -> bytes:
    """The `data` of a response as JSON, keys in their order."""
    assert response.status_code == 200, response.content
    return orjson.dumps(orjson.loads(response.content)["data"])


def spec_json(data) -> bytes:
    """What the renderer makes of a serializer's output, keys in their order."""
    return orjson.dumps(orjson.loads(json_bytes(data)))


def list_statements(queries) -> list[str]:
    return [q["sql"] for q in queries if "readmodel_page" in q["sql"] or "COUNT(" in q["sql"]]


# --- One statement a page -----------------------------------------------------------------------


def test_a_page_is_one_statement_with_its_total_and_rows(college, coordinator_client):
    for n in range(5):
        make_student(college, roll_number=f"P{n}")
    coordinator_client.get("/api/v1/students/?page_size=1")  # user and settings read

    with CaptureQueriesContext(connection) as queries:
        response = coordinator_client.get("/api/v1/students/?page=2&page_size=2")

    body = response.json()
    assert [s["roll_number"] for s in body["data"]] == ["P2", "P3"]
    assert body["pagination"]["total"] == 5 and body["pagination"]["total_pages"] == 3
    (statement,) = list_statements(queries)  # no COUNT of its own, no ids query apart
    assert "readmodel_page" in statement


def test_pages_past_the_end_last_and_absurd_numbers_answer_as_before(college, coordinator_client):
    for n in range(3):
        make_student(college, roll_number=f"L{n}")

    past = coordinator_client.get("/api/v1/students/?page=3&page_size=2")
    last = coordinator_client.get("/api/v1/students/?page=last&page_size=2")
    absurd = coordinator_client.get(f"/api/v1/students/?page={10**30}")
    zero = coordinator_client.get("/api/v1/students/?page=0")

    assert past.status_code == absurd.status_code == 404
    assert past.json()["error"]["code"] == "not_found"
    assert [s["roll_number"] for s in last.json()["data"]] == ["L2"]
    assert last.json()["pagination"]["page"] == 2
    assert zero.status_code == 400


def test_an_empty_list_and_an_empty_scope_answer_page_one_with_no_rows(college, student):
    response = client_for(college, student).get("/api/v1/drives/")  # no profile: no drives

    assert response.status_code == 200
    assert response.json()["data"] == []
    assert response.json()["pagination"]["total"] == 0


def test_with_the_data_cache_off_a_kept_page_is_neither_served_nor_stored(
    college, coordinator_client, settings, monkeypatch
):
    # given a page kept by a server with the cache on (served again without reading it)
    settings.DATABASE_PREPARED_STATEMENTS = False  # the statements' text is read
    make_student(college, roll_number="K1")
    coordinator_client.get("/api/v1/students/")
    with CaptureQueriesContext(connection) as warm:
        coordinator_client.get("/api/v1/students/")
    assert list_statements(warm) == []
    stored = []
    monkeypatch.setattr(datacache, "store", lambda *args: stored.append(args))

    # when a server with the cache off (DATA_CACHE_SECONDS=0, same Redis) lists the students
    settings.DATA_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as cold:
        response = coordinator_client.get("/api/v1/students/")

    # then it reads the database, and keeps nothing
    assert [s["roll_number"] for s in response.json()["data"]] == ["K1"]
    assert len(list_statements(cold)) == 1
    assert stored == []


# --- The lists off ModelSerializers: the serializers' JSON --------------------------------------


def test_the_skills_list_is_the_serializers_json_and_costs_the_same_for_2_or_30(
    college, coordinator_client
):
    def page(n: int):
        with tenant_context(college):
            Skill.all_objects.hard_delete()
        for i in range(n):
            make_skill(college, f"Skill {i:02d}")
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get("/api/v1/skills/?page_size=100&ordering=-name")
        with tenant_context(college):
            spec = SkillSerializer(Skill.objects.order_by("-name"), many=True).data
        assert data_json(response) == spec_json(spec)
        return len(queries)

    coordinator_client.get("/healthz")
    assert page(2) == page(30)


def test_the_offer_tiers_are_the_serializers_json_and_cost_the_same_for_1_or_6(
    college, coordinator_client
):
    def page(n: int):
        set_tiers(
            college, *[(f"Tier {i}", None if i == 2 else str(1_000_000 * i)) for i in range(n)]
        )
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get("/api/v1/offer-tiers/")
        with tenant_context(college):
            spec = OfferTierOutput(OfferTier.objects.order_by("rank", "id"), many=True).data
        assert len(orjson.loads(response.content)["data"]) == n
        assert data_json(response) == spec_json(spec)
        return len(queries)

    coordinator_client.get("/healthz")
    assert page(1) == page(6)


def test_a_drives_named_students_are_the_old_json_and_cost_the_same_for_1_or_12(
    college, coordinator_client
):
    drive = make_drive(college)
    url = f"/api/v1/drives/{drive.pk}/student-list/?page_size=100"

    def page(n: int):
        with tenant_context(college):
            DriveStudentListEntry.all_objects.hard_delete()
        for i in range(n):
            student = make_student(college, first_name=f"Named{i}")
            with tenant_context(college):
                DriveStudentListEntry.objects.create(
                    drive=drive, student=student, kind="exclude" if i % 2 else "include",
                    reason=f"Reason {i}",
                )  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get(url)
        with tenant_context(college):
            entries = DriveStudentListEntry.objects.filter(drive=drive).order_by("kind", "id")
            spec = [list_entry_spec(entry) for entry in entries.select_related("student__user")]
        assert len(spec) == n
        assert data_json(response) == spec_json(spec)
        return len(queries)

    coordinator_client.get("/healthz")
    assert page(1) == page(12)


# --- The eligibility rules compiled once --------------------------------------------------------


def afresh_students(drive: Drive) -> set[int]:
    rules = eligibility_rules(
        drive=DriveTerms.of(drive), student=StudentTerms.columns(), policy=college_settings()
    )
    return set(Student.objects.filter(*(rule.holds for rule in rules)).values_list("pk", flat=True))


def afresh_drives(student: Student) -> set[int]:
    rules = eligibility_rules(
        drive=DriveTerms.columns(), student=StudentTerms.of(student), policy=college_settings()
    )
    return set(Drive.objects.filter(*(rule.holds for rule in rules)).values_list("pk", flat=True))


@pytest.mark.parametrize("max_offers", [None, 1])
def test_the_compiled_rules_decide_as_the_rules_built_afresh(college, max_offers):
    # given drives and students of every kind of term: marks given or not, lists, tiers
    set_tiers(college, ("Regular", "0"), ("Dream", "2000000"), max_offers=max_offers)
    drives = [
        make_drive(college),
        make_drive(college, min_cgpa="8.00", max_backlogs=0, departments=["CSE"]),
        make_drive(college, graduation_years=[2026], ctc="2500000"),
        make_drive(college, ctc="3000000", max_backlogs=2),
    ]
    students = [
        make_student(college),
        make_student(college, cgpa="7.50", backlogs=1, department="ECE"),
        make_student(college, graduation_year=2026, verified=False),
        make_student(college, cgpa="9.10", placed=True),
    ]
    with tenant_context(college):
        Drive.objects.filter(pk=drives[1].pk).update(
            min_tenth_pct=Decimal("60"), min_twelfth_pct=Decimal("65")
        )
        Student.objects.filter(pk=students[0].pk).update(tenth_pct=Decimal("70"), twelfth_pct=None)
        Student.objects.filter(pk=students[3].pk).update(
            placed_tier_id=OfferTier.objects.get(rank=1).pk, offers_accepted=1
        )
        DriveStudentListEntry.objects.create(
            drive=drives[1], student=students[1], kind="include", reason="Quota"
        )
        DriveStudentListEntry.objects.create(
            drive=drives[0], student=students[0], kind="exclude", reason="Debarred"
        )
        drives = list(Drive.objects.filter(pk__in=[d.pk for d in drives]))
        students = list(Student.objects.filter(pk__in=[s.pk for s in students]))

        # then each side decides as the rules built afresh, with and without the policy
        for drive in drives:
            compiled = set(drive_eligible_students(drive=drive).values_list("pk", flat=True))
            assert compiled == afresh_students(drive), drive.pk
        decided = set()
        for student in students:
            in_scope = set(
                drives_for(student.user)
                .filter(apply_by__gt=timezone.now() - timedelta(days=1))
                .values_list("pk", flat=True)
            )
            assert in_scope == afresh_drives(student) & {d.pk for d in drives}, student.pk
            decided |= in_scope
        assert decided and decided != {d.pk for d in drives}  # some yes, some no


def test_the_compiled_rules_follow_their_query_into_a_subquery(college):
    # given a student eligible for one drive of two, and applied to neither
    eligible = make_drive(college, min_cgpa="7.00")
    make_drive(college, min_cgpa="9.90")
    student = make_student(college, cgpa="8.00")
    applied = make_drive(college, min_cgpa="9.90")
    make_application(college, student, applied)

    with tenant_context(college):
        scope = drives_for(student.user)
        # when the scope is read as a subquery of drives (its alias relabelled)
        nested = Drive.objects.filter(pk__in=scope.values("pk")).exclude(pk__in=[])
        also = Drive.objects.filter(pk__in=Drive.objects.filter(pk__in=scope.values("pk")))

        # then it decides the same rows
        assert set(nested.values_list("pk", flat=True)) == {eligible.pk, applied.pk}
        assert set(also.values_list("pk", flat=True)) == {eligible.pk, applied.pk}
        assert set(scope.values_list("pk", flat=True)) == {eligible.pk, applied.pk}


def test_the_included_list_is_looked_up_once_for_all_the_rules_it_waives(college):
    # the rules built afresh write the included list's EXISTS once a rule it waives (six); their
    # AND (`all_hold`, what the lists run) writes it once, and decides the same (test above)
    rules = eligibility_rules(
        drive=DriveTerms.columns(), student=StudentTerms.known(placed=False), policy=None
    )
    with tenant_context(college):
        afresh = str(Drive.objects.filter(*(rule.holds for rule in rules)).query)
        combined = str(Drive.objects.filter(all_hold(rules)).query)
    assert afresh.count("= include") == 6
    assert combined.count("= include") == 1
    assert combined.count("= exclude") == 1
