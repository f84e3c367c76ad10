"""The college data cache (core/datacache.py): list pages and signed-in users are read again
without a query, and never outlive a write to their college, however the write was made."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core import datacache
from core.accounts.models import CollegeSettings, Role, User
from tenant_apps.companies.models import Company
from tenant_apps.students.models import Student
from tests.browser import committed
from tests.conftest import PASSWORD, client_for, login, make_user
from tests.core.test_health import caches_at
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_offer,
    make_student,
)

COMPANIES = "/api/v1/companies/"
STUDENTS = "/api/v1/students/"
OFFERS = "/api/v1/offers/"


def version_of(college) -> str | None:
    with tenant_context(college):
        return cache.get(datacache.VERSION_KEY)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["roll_number"] for row in response.json()["data"]]


def bearer_client(college, user: User):
    client = client_for(college)
    access = login(client, user.email).json()["data"]["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def test_a_page_read_again_costs_no_query(college, coordinator):
    make_student(college, roll_number="R1")
    with tenant_context(college):
        CollegeSettings.load()  # created on first use: a write
    client = bearer_client(college, coordinator)
    assert names(client.get(STUDENTS)) == ["R1"]

    with CaptureQueriesContext(connection) as queries:
        response = client.get(STUDENTS)

    assert names(response) == ["R1"]
    assert response.json()["pagination"]["total"] == 1
    assert [q["sql"] for q in queries] == []  # neither the user nor the page was read again


def redis_commands() -> dict[str, int]:
    """Calls per command since the last reset, from the server's own statistics."""
    client = cache.client.get_client()
    return {
        name.removeprefix("cmdstat_"): stats["calls"]
        for name, stats in client.info("commandstats").items()
        if not name.startswith(("cmdstat_config", "cmdstat_info"))  # the test's own calls
    }


def test_a_page_read_again_costs_one_redis_round_trip(college, coordinator, redis_server, settings):
    # given a Redis of the test's own (its statistics count only this test's commands)
    settings.CACHES = caches_at(f"redis://127.0.0.1:{redis_server[0]}/0")
    # and a cached page (and user)
    make_student(college, roll_number="R1")
    with tenant_context(college):
        CollegeSettings.load()
    client = bearer_client(college, coordinator)
    client.get(STUDENTS)
    cache.client.get_client().config_resetstat()

    # when it is read again
    response = client.get(STUDENTS)

    # then the version, the user, the settings and the page came in one MGET
    assert names(response) == ["R1"]
    assert redis_commands() == {"mget": 1}


def test_a_write_through_the_api_shows_in_the_next_read(college, coordinator_client):
    student = make_student(college, roll_number="R1", verified=False)
    assert names(coordinator_client.get(STUDENTS)) == ["R1"]

    response = coordinator_client.patch(f"{STUDENTS}{student.pk}/", {"roll_number": "R2"})

    assert response.status_code == 200, response.content
    assert names(coordinator_client.get(STUDENTS)) == ["R2"]


def test_a_bulk_update_that_bypasses_signals_still_invalidates(college, coordinator_client):
    make_student(college, roll_number="R1")
    assert names(coordinator_client.get(STUDENTS)) == ["R1"]

    with tenant_context(college):
        Student.objects.update(roll_number="BULK")  # no save(), no signal

    assert names(coordinator_client.get(STUDENTS)) == ["BULK"]


def test_raw_sql_writes_invalidate_too(college, coordinator_client):
    make_student(college, roll_number="R1")
    assert names(coordinator_client.get(STUDENTS)) == ["R1"]

    with tenant_context(college), connection.cursor() as cursor:
        cursor.execute("UPDATE students_student SET roll_number = %s", ["RAW"])

    assert names(coordinator_client.get(STUDENTS)) == ["RAW"]


def test_pages_are_per_user(college, coordinator):
    # given a coordinator's cached page of every student
    make_student(college, roll_number="OTHER")
    own = make_student(college, roll_number="MINE")
    assert sorted(names(client_for(college, coordinator).get(STUDENTS))) == ["MINE", "OTHER"]

    # when a student asks for the same URL
    response = client_for(college, own.user).get(STUDENTS)

    # then they get their own scope, not the coordinator's page
    assert names(response) == ["MINE"]


def test_a_college_never_reads_the_other_colleges_pages_nor_loses_its_own(college, other_college):
    # given the same user id, role and URL in two colleges (each schema has its own sequences)
    alpha_user, beta_user = (
        same_id_user(college, "same-id@alpha.example.edu"),
        same_id_user(other_college, "same-id@beta.example.edu"),
    )
    make_student(college, roll_number="ALPHA")
    make_student(other_college, roll_number="BETA")
    alpha, beta = client_for(college, alpha_user), client_for(other_college, beta_user)
    assert names(alpha.get(STUDENTS)) == ["ALPHA"]
    beta_version = version_of(other_college)

    # when beta reads the same URL, and alpha writes
    assert names(beta.get(STUDENTS)) == ["BETA"]
    with tenant_context(college):
        Student.objects.update(roll_number="ALPHA2")

    # then only alpha's version moved
    assert version_of(other_college) == beta_version
    assert names(alpha.get(STUDENTS)) == ["ALPHA2"]
    assert names(beta.get(STUDENTS)) == ["BETA"]


def same_id_user(college, email: str) -> User:
    with tenant_context(college):
        return User.objects.create_user(pk=9001, email=email, password=PASSWORD, role="coordinator")


def test_a_deactivated_user_is_refused_at_once_though_cached(college, coordinator):
    client = bearer_client(college, coordinator)
    assert client.get(STUDENTS).status_code == 200  # the user is now cached

    with tenant_context(college):
        User.objects.filter(pk=coordinator.pk).update(is_active=False)

    response = client.get(STUDENTS)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_role_change_applies_to_the_next_request(college):
    user = make_user(college, Role.COORDINATOR, "staff-then-student@alpha.example.edu")
    make_student(college, roll_number="SOMEONE")
    client = bearer_client(college, user)
    assert names(client.get(STUDENTS)) == ["SOMEONE"]

    with tenant_context(college):
        User.objects.filter(pk=user.pk).update(role=Role.RECRUITER)

    assert names(client.get(STUDENTS)) == []  # a recruiter sees only their drives' applicants


def test_a_cached_user_saves_only_what_was_loaded(college, coordinator):
    # the cached user has no password hash; saving it (a profile PATCH) must not erase it
    client = bearer_client(college, coordinator)
    client.get(STUDENTS)

    response = client.patch("/api/v1/auth/user/", {"first_name": "Renamed"})

    assert response.status_code == 200, response.content
    with tenant_context(college):
        saved = User.objects.get(pk=coordinator.pk)
    assert saved.first_name == "Renamed"
    assert saved.check_password(PASSWORD)
    assert saved.email == coordinator.email


def test_bookkeeping_writes_do_not_invalidate(college, coordinator_client):
    make_company(college, name="Acme")
    coordinator_client.get(STUDENTS)
    before = version_of(college)

    with tenant_context(college), connection.cursor() as cursor:
        cursor.execute("DELETE FROM token_blacklist_outstandingtoken WHERE id < 0")
        cursor.execute("DELETE FROM auditlog_logentry WHERE id < 0")

    assert version_of(college) == before
    with tenant_context(college):
        Company.objects.update(name="Acme 2")
    assert version_of(college) != before


def test_a_transaction_publishes_its_writes_when_it_commits_and_not_if_it_rolls_back(college):
    # (each step runs on a connection of its own, so that its transaction really ends)
    with tenant_context(college):
        datacache.lookup("start")  # the college has a version
    start = version_of(college)

    def rolled_back() -> None:
        with tenant_context(college), pytest.raises(RuntimeError), transaction.atomic():
            Company.objects.create(name="Txn ghost")
            raise RuntimeError

    def commits() -> str | None:
        with tenant_context(college), transaction.atomic():
            Company.objects.create(name="Txn one")
            return version_of(college)  # before the commit

    def savepoint_rolled_back_inside() -> None:
        with tenant_context(college), transaction.atomic():
            Company.objects.filter(name="Txn one").update(name="Txn two")
            with pytest.raises(RuntimeError), transaction.atomic():
                Company.objects.update(industry="rolled back")
                raise RuntimeError

    try:
        committed(rolled_back)
        assert version_of(college) == start

        assert committed(commits) == start  # nothing published before the commit
        after_commit = version_of(college)
        assert after_commit != start

        committed(savepoint_rolled_back_inside)
        assert version_of(college) != after_commit  # the outer commit is still published
    finally:
        committed(lambda: cleanup(college))


def cleanup(college) -> None:
    with tenant_context(college):
        Company.all_objects.filter(name__startswith="Txn").hard_delete()


def test_a_cached_page_is_the_same_json_and_pretty_printing_still_works(college, coordinator):
    make_student(college, roll_number="R1", skills=None)
    client = client_for(college, coordinator)
    first = client.get(STUDENTS)

    again = client.get(STUDENTS)  # from the cache, its JSON embedded as is
    pretty = client.get(STUDENTS, HTTP_ACCEPT="application/json; indent=2")

    assert again.json()["data"] == first.json()["data"]
    assert again.json()["pagination"] == first.json()["pagination"]
    assert pretty.status_code == 200
    assert b'\n  "data": [' in pretty.content
    assert pretty.json()["data"] == first.json()["data"]


def test_what_depends_on_the_clock_is_computed_on_every_read_of_a_cached_page(college, coordinator):
    # given an offer that expires in a moment, listed (and cached) before it expires
    application = make_application(college, make_student(college), make_drive(college))
    make_offer(college, application, expires_in=timedelta(seconds=1))
    client = client_for(college, coordinator)
    assert [offer["is_expired"] for offer in client.get(OFFERS).json()["data"]] == [False]

    # when the moment has passed, with no write in between
    time.sleep(1.1)

    # then the cached page says the offer has expired
    assert [offer["is_expired"] for offer in client.get(OFFERS).json()["data"]] == [True]
