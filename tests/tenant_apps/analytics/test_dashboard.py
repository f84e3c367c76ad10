"""The dashboard's stats: the figures, who may see them, one college's only, cached in the
college's data cache and refreshed by any committed write (saves, soft deletes, renames, bulk
moves, plain UPDATEs), never by one that is pending or rolled back, and still answered when Redis
is down."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core import datacache
from core.accounts.models import Role, User
from tenant_apps.analytics.selectors import CACHE_KEY, dashboard_stats
from tenant_apps.students.models import Student
from tests.browser import committed
from tests.conftest import client_for, make_user
from tests.core.test_health import caches_at
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_offer,
    make_recruiter,
    make_student,
)

STATS = "/api/v1/dashboard/stats/"
REPORT = "/api/v1/reports/placements/"


def placement(college, student, drive, ctc: str, status: str = "accepted"):
    application = make_application(college, student, drive, "offered")
    offer = make_offer(college, application, ctc=ctc)
    with tenant_context(college):
        offer.status = status
        offer.save()
    return offer


def seed(college):
    """CSE: 3 students, 2 placed; ECE: 2 students, 1 placed. Placements at 10, 20 and 15 lakh
    (Acme twice, Zen once), one pending offer; two open drives and a draft."""
    acme, zen = make_company(college, "Acme"), make_company(college, "Zen")
    acme_drive, zen_drive = make_drive(college, acme), make_drive(college, zen)
    make_drive(college, acme, status="draft")
    cse = [make_student(college, department="CSE", placed=i < 2) for i in range(3)]
    ece = [make_student(college, department="ECE", placed=i < 1) for i in range(2)]
    placement(college, cse[0], acme_drive, "1000000")
    placement(college, cse[1], acme_drive, "2000000")
    placement(college, ece[0], zen_drive, "1500000")
    placement(college, cse[2], zen_drive, "900000", status="pending")
    return {"acme": acme, "zen": zen, "cse": cse, "ece": ece, "drive": acme_drive}


def test_the_dashboard_shows_the_colleges_placement_figures(college, coordinator_client):
    rows = seed(college)

    response = coordinator_client.get(STATS)

    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert (data["students_total"], data["students_placed"]) == (5, 3)
    assert data["placement_rate"] == 0.6
    assert data["offers_total"] == 4
    assert data["ctc"] == {"avg": "1500000.00", "median": "1500000.00", "max": "2000000.00"}
    assert data["drives_open"] == 2
    assert data["by_department"] == [
        {"department": "CSE", "students_total": 3, "students_eligible": 3, "students_placed": 2,
         "placement_rate": 0.6667,
         "offers": 3, "placements": 2, "ctc_avg": "1500000.00", "ctc_max": "2000000.00"},
        {"department": "ECE", "students_total": 2, "students_eligible": 2, "students_placed": 1,
         "placement_rate": 0.5,
         "offers": 1, "placements": 1, "ctc_avg": "1500000.00", "ctc_max": "1500000.00"},
    ]  # fmt: skip
    assert data["by_company"] == [
        {"company": {"id": rows["acme"].pk, "name": "Acme"}, "offers": 2, "placements": 2,
         "ctc_avg": "1500000.00", "ctc_max": "2000000.00"},
        {"company": {"id": rows["zen"].pk, "name": "Zen"}, "offers": 2, "placements": 1,
         "ctc_avg": "1500000.00", "ctc_max": "1500000.00"},
    ]  # fmt: skip


def test_an_empty_college_has_zeros_not_errors(college, coordinator_client):
    data = coordinator_client.get(STATS).json()["data"]

    assert data["students_total"] == data["offers_total"] == data["drives_open"] == 0
    assert data["placement_rate"] == 0.0
    assert data["ctc"] == {"avg": None, "median": None, "max": None}


def test_only_staff_see_the_dashboard(college, admin_client, student_client):
    recruiter = client_for(college, make_recruiter(college, make_company(college)))

    assert admin_client.get(STATS).status_code == 200
    assert student_client.get(STATS).status_code == 403
    assert recruiter.get(STATS).json()["error"]["code"] == "permission_denied"
    assert client_for(college).get(STATS).status_code == 401


def test_each_college_sees_and_caches_its_own_figures(college, other_college, coordinator_client):
    seed(college)
    make_student(other_college)
    beta = client_for(other_college, make_user(other_college, "coordinator"))

    alpha_first = coordinator_client.get(STATS).json()["data"]  # cached for alpha
    beta_data = beta.get(STATS).json()["data"]
    alpha_again = coordinator_client.get(STATS).json()["data"]

    assert alpha_first["students_total"] == alpha_again["students_total"] == 5
    assert (beta_data["students_total"], beta_data["offers_total"]) == (1, 0)
    assert beta_data["by_company"] == []


def test_a_warm_dashboard_reads_no_database_and_a_cold_one_few_queries(college, coordinator_client):
    seed(college)
    coordinator_client.get("/healthz")

    with CaptureQueriesContext(connection) as cold:
        coordinator_client.get(STATS)
    with CaptureQueriesContext(connection) as warm:
        response = coordinator_client.get(STATS)

    assert response.json()["data"]["students_total"] == 5
    assert len(cold) <= 6, [q["sql"] for q in cold]
    assert len(warm) == 0, [q["sql"] for q in warm]


def test_a_write_refreshes_the_cached_stats(college, coordinator_client):
    # (core/datacache publishes writes made under the test's own transaction at once)
    rows = seed(college)
    before = coordinator_client.get(STATS).json()["data"]

    make_student(college, department="ECE")
    added = coordinator_client.get(STATS).json()["data"]
    response = coordinator_client.delete(f"/api/v1/students/{rows['cse'][2].pk}/")
    deleted = coordinator_client.get(STATS).json()["data"]
    coordinator_client.patch(
        f"/api/v1/companies/{rows['zen'].pk}/", {"name": "Zenith"}, format="json"
    )
    renamed = coordinator_client.get(STATS).json()["data"]

    assert before["students_total"] == 5
    assert added["students_total"] == 6
    assert response.status_code == 204
    assert deleted["students_total"] == 5  # a soft delete is a save: it refreshes too
    assert deleted["by_department"][0]["offers"] == 2  # the deleted student's offer is gone
    assert [c["company"]["name"] for c in renamed["by_company"]] == ["Acme", "Zenith"]


def test_a_bulk_update_without_signals_refreshes_the_stats_and_the_report(
    college, coordinator_client
):
    rows = seed(college)
    assert coordinator_client.get(STATS).json()["data"]["students_placed"] == 3
    assert coordinator_client.get(REPORT).json()["data"]["totals"]["students_placed"] == 3

    with tenant_context(college):  # one UPDATE: no save(), no signal
        Student.objects.filter(pk=rows["ece"][1].pk).update(placement_status="placed")

    assert coordinator_client.get(STATS).json()["data"]["students_placed"] == 4
    assert coordinator_client.get(REPORT).json()["data"]["totals"]["students_placed"] == 4


def poison_the_cached_stats(college) -> None:
    """Store figures that no database holds under the college's current data version: they are
    answered until a write makes them stale."""
    key = CACHE_KEY.format(name="dashboard")
    with tenant_context(college):
        version, stats = datacache.lookup(key)
        assert not datacache.is_missing(stats)
        datacache.store(key, version, {**stats, "students_total": -1})


def test_a_bulk_move_makes_the_cached_stats_stale(college, coordinator_client):
    rows = seed(college)
    application = make_application(college, make_student(college), rows["drive"])
    coordinator_client.get(STATS)
    poison_the_cached_stats(college)
    assert coordinator_client.get(STATS).json()["data"]["students_total"] == -1

    moved = coordinator_client.post(
        "/api/v1/applications/bulk-move/",
        {"applications": [application.pk], "status": "shortlisted"},
        format="json",
    )

    assert moved.status_code == 200, moved.json()
    assert coordinator_client.get(STATS).json()["data"]["students_total"] == 6


def test_a_write_refreshes_the_stats_when_it_commits_not_before_nor_if_rolled_back(
    college, coordinator_client
):
    # (the writes run on a connection of their own, whose transactions really end; it cannot
    # see this test's uncommitted rows, so stats it computes itself would count 1 student)
    seed(college)
    assert coordinator_client.get(STATS).json()["data"]["students_total"] == 5
    seen = {}

    def rolled_back() -> None:
        with tenant_context(college), pytest.raises(RuntimeError), transaction.atomic():
            committed_student(college, "ghost")
            seen["inside"] = dashboard_stats()["students_total"]
            raise RuntimeError

    try:
        committed(rolled_back)
        after_rollback = coordinator_client.get(STATS).json()["data"]
        committed(lambda: committed_student(college, "real"))
        after_commit = coordinator_client.get(STATS).json()["data"]
    finally:
        committed(lambda: remove_committed_students(college))

    assert seen["inside"] == 5  # the pending write had not made the cached figures stale
    assert after_rollback["students_total"] == 5
    assert after_commit["students_total"] == 6
    # the committed student is eligible for no drive (unverified): not in the rate's denominator
    assert after_commit["by_department"][0] == {
        **after_rollback["by_department"][0], "students_total": 4
    }  # fmt: skip


COMMITTED = "committed-analytics"


def committed_student(college, name: str) -> None:
    with tenant_context(college):
        user = User.objects.create_user(
            email=f"{COMMITTED}-{name}@alpha.example.edu", password=None, role=Role.STUDENT
        )
        Student.objects.create(
            user=user,
            roll_number=f"{COMMITTED}-{name}",
            department="CSE",
            graduation_year=2027,
            cgpa=Decimal("7.00"),
        )


def remove_committed_students(college) -> None:
    """What committed_student() left in the shared college, audit entries included."""
    with tenant_context(college):
        students = Student.all_objects.filter(roll_number__startswith=COMMITTED)
        users = User.objects.filter(email__startswith=COMMITTED)
        for rows in (students, users):
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(rows.model),
                object_pk__in=[str(pk) for pk in rows.values_list("pk", flat=True)],
            ).delete()
        students.hard_delete()
        users.delete()


def test_with_redis_down_the_dashboard_still_answers(
    college, coordinator_client, redis_server, settings
):
    seed(college)
    port, process = redis_server
    settings.CACHES = caches_at(f"redis://127.0.0.1:{port}/0")
    process.terminate()
    process.wait()

    response = coordinator_client.get(STATS)
    again = coordinator_client.get(STATS)

    assert response.status_code == again.status_code == 200
    assert again.json()["data"]["students_total"] == 5
    with tenant_context(college):
        assert dashboard_stats()["students_placed"] == 3
