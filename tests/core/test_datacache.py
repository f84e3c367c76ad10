"""The college data cache (core/datacache.py): list pages and signed-in users are read again
without a query, and never outlive a write to their college, however the write was made."""

import re
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core import datacache
from core.accounts.models import CollegeSettings, Role, User
from core.accounts.tokens import tokens_for
from tenant_apps.companies.models import Company
from tenant_apps.students.models import Student
from tests.browser import committed
from tests.conftest import PASSWORD, client_for, login, make_user
from tests.core.test_health import caches_at
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_interview,
    make_offer,
    make_recruiter,
    make_student,
)

COMPANIES = "/api/v1/companies/"
STUDENTS = "/api/v1/students/"
OFFERS = "/api/v1/offers/"
APPLICATIONS = "/api/v1/applications/"


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


def test_an_operator_deactivated_on_the_root_domain_is_refused_at_once(public_tenant):
    # the public schema's writes publish no data version: its users are never cached
    operator = make_user(public_tenant, Role.OPERATOR, "ops@placemate.example")
    public_tenant.domain_url = "localhost"
    with tenant_context(public_tenant):
        access = str(tokens_for(operator, otp_verified=True).access_token)
    client = client_for(public_tenant)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert client.get("/api/v1/auth/user/").status_code == 200

    with tenant_context(public_tenant):
        User.objects.filter(pk=operator.pk).update(is_active=False)

    response = client.get("/api/v1/auth/user/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_with_no_lifetime_the_cache_is_off(college, coordinator, redis_server, settings):
    # given a Redis of the test's own, and DATA_CACHE_SECONDS=0 (the benchmarks' cold server)
    settings.CACHES = caches_at(f"redis://127.0.0.1:{redis_server[0]}/0")
    settings.DATA_CACHE_SECONDS = 0
    settings.DATABASE_PREPARED_STATEMENTS = False  # the statements' text is read below
    make_student(college, roll_number="R1")
    client = bearer_client(college, coordinator)
    client.get(STUDENTS)
    cache.client.get_client().config_resetstat()

    # when the page is read again
    with CaptureQueriesContext(connection) as queries:
        response = client.get(STUDENTS)

    # then it is read from the database, user included, and nothing is read from Redis
    assert names(response) == ["R1"]
    assert any('FROM "accounts_user"' in query["sql"] for query in queries)
    assert any('FROM "students_student"' in query["sql"] for query in queries)
    assert not {"get", "mget"} & set(redis_commands())


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


# --- narrower than a college: a write drops what depends on the tables it touches -----------


def queries_of(client, path: str) -> tuple[list[str], dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return [q["sql"] for q in queries], response.json()


def test_a_sign_in_leaves_another_users_cached_list_in_place_and_a_student_change_drops_it(
    college, coordinator
):
    # given a coordinator's cached students list (and cached user and settings)
    someone = make_student(college, roll_number="R1")
    with tenant_context(college):
        CollegeSettings.load()  # created on first use: a write
    staff = bearer_client(college, coordinator)
    assert names(staff.get(STUDENTS)) == ["R1"]

    # when a student signs in (which writes their last_login)
    assert login(client_for(college), someone.user.email).status_code == 200

    # then the coordinator's list is read again without a query
    sql, body = queries_of(staff, STUDENTS)
    assert sql == [] and [row["roll_number"] for row in body["data"]] == ["R1"]

    # and a change to students drops it
    with tenant_context(college):
        Student.objects.filter(pk=someone.pk).update(roll_number="R2")
    sql, body = queries_of(staff, STUDENTS)
    assert any("students_student" in statement for statement in sql)
    assert [row["roll_number"] for row in body["data"]] == ["R2"]


def test_an_application_drops_the_application_list_not_the_companies_list(college, coordinator):
    # given the coordinator's cached companies and applications lists
    student, drive = make_student(college), make_drive(college)
    with tenant_context(college):
        CollegeSettings.load()
    staff = bearer_client(college, coordinator)
    companies = staff.get(COMPANIES).json()["data"]
    assert staff.get(APPLICATIONS).json()["pagination"]["total"] == 0

    # when an application is written
    make_application(college, student, drive)

    # then the applications list shows it, and the companies list was not read again
    assert staff.get(APPLICATIONS).json()["pagination"]["total"] == 1
    sql, body = queries_of(staff, COMPANIES)
    assert sql == [] and body["data"] == companies


def test_a_company_change_drops_the_companies_list(college, coordinator_client):
    company = make_company(college, "Acme")
    assert [c["name"] for c in coordinator_client.get(COMPANIES).json()["data"]] == ["Acme"]

    response = coordinator_client.patch(f"{COMPANIES}{company.pk}/", {"name": "Acme Labs"})

    assert response.status_code == 200, response.content
    assert [c["name"] for c in coordinator_client.get(COMPANIES).json()["data"]] == ["Acme Labs"]


def test_a_write_in_a_transaction_drops_each_table_it_touched_once_it_commits(college):
    def versions() -> dict:
        with tenant_context(college):
            keys = [datacache.table_version_key(t) for t in ("companies_company", "drives_drive")]
            return cache.get_many(keys)

    def writes_two_tables() -> None:
        with tenant_context(college), transaction.atomic():
            company = Company.objects.create(name="Txn tables")
            Company.objects.filter(pk=company.pk).update(industry="IT")
            make_drive(college, company)

    before = versions()
    try:
        committed(writes_two_tables)
        after = versions()
        assert set(after) == {datacache.table_version_key("companies_company"),
                              datacache.table_version_key("drives_drive")}  # fmt: skip
        assert all(after[key] != before.get(key) for key in after)
    finally:
        committed(lambda: cleanup_drives(college))


def cleanup_drives(college) -> None:
    from tenant_apps.drives.models import Drive

    with tenant_context(college):
        Drive.all_objects.filter(company__name="Txn tables").hard_delete()
        Company.all_objects.filter(name="Txn tables").hard_delete()


def test_a_last_login_is_a_write_of_its_own_column():
    assert (
        datacache.written_resource(
            'UPDATE "accounts_user" SET "last_login" = %s WHERE "accounts_user"."id" = %s'
        )
        == "accounts_user.last_login"
    )
    assert (
        datacache.written_resource(
            'UPDATE "accounts_user" SET "last_login" = %s, "role" = %s WHERE "id" = %s'
        )
        == "accounts_user"
    )
    assert datacache.written_resource('INSERT INTO "students_student" ("id") VALUES (1)') == (
        "students_student"
    )
    assert datacache.written_resource('SELECT 1 FROM "students_student"') is None


LISTS = [
    "/api/v1/students/?search=a&ordering=-cgpa",
    "/api/v1/drives/?search=a",
    "/api/v1/applications/?search=a",
    "/api/v1/interviews/",
    "/api/v1/offers/",
    "/api/v1/companies/?search=a",
    "/api/v1/question-banks/",
    "/api/v1/questions/",
    "/api/v1/assessments/",
    "/api/v1/attempts/",
]
TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"')


def test_every_cached_list_declares_the_tables_it_reads_for_every_role(
    college, coordinator, settings
):
    # given rows behind every list, and a user of each role (the statements' text is read)
    settings.DATABASE_PREPARED_STATEMENTS = False
    company = make_company(college, "Acme")
    recruiter = make_recruiter(college, company)
    student = make_student(college, roll_number="R1")
    drive = make_drive(college, company)
    application = make_application(college, student, drive)
    make_interview(college, application)
    make_offer(college, application)
    for user in (coordinator, recruiter, student.user):
        client = client_for(college, user)
        for path in LISTS:
            client.get(path + ("&" if "?" in path else "?") + "page_size=19")  # user, settings
            # when the page is computed
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            if response.status_code == 403:
                continue  # not this role's list
            # then it read only the tables its entry depends on
            assert response.status_code == 200, (path, response.content)
            view = response.renderer_context["view"]
            read = {table for q in queries for table in TABLE.findall(q["sql"])}
            assert read <= set(view.datacache_tables()), (user.role, path)
