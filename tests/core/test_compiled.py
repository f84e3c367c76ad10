"""A query compiled once per process gives what the ORM gives, in the schema of the request that
runs it (the SQL names no schema), and is compiled only once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.authentication import cached_user, stored_user
from core.accounts.models import CollegeSettings, User
from core.accounts.policies import _stored_settings
from core.compiled import CompiledQuery, json_value, json_values
from tenant_apps.students.models import Student
from tenant_apps.students.selectors import STUDENT_READ_MODEL, student_rows
from tests.conftest import make_user
from tests.tenant_apps.factories import make_skill, make_student

pytestmark = pytest.mark.django_db


def by_email(email: str):
    return User.objects.filter(email=email).values_list("id", "email", "date_joined", "role")


def test_rows_are_the_orms_for_each_call_value(college):
    first = make_user(college, email="one@example.edu")
    make_user(college, email="two@example.edu")
    query = CompiledQuery(by_email, "example@compiled.invalid")
    with tenant_context(college):
        for email in ("one@example.edu", "two@example.edu", "none@example.edu"):
            assert query.rows(email) == list(by_email(email))
        assert query.first("one@example.edu")[0] == first.pk
        assert query.first("none@example.edu") is None


def test_one_compiled_query_reads_the_schema_of_the_college_it_runs_in(college, other_college):
    mine = make_user(college, email="same@example.edu", role="coordinator")
    theirs = make_user(other_college, email="same@example.edu", role="student")
    make_user(other_college, email="only-there@example.edu")
    query = CompiledQuery(by_email, "example@compiled.invalid")
    with tenant_context(college):
        assert query.first("same@example.edu")[0] == mine.pk
        assert query.first("same@example.edu")[3] == "coordinator"
        # a user of the other college only is not found here: the statement reads this schema
        assert query.first("only-there@example.edu") is None
    with tenant_context(other_college):
        assert query.first("same@example.edu")[0] == theirs.pk
        assert query.first("same@example.edu")[3] == "student"


def test_it_is_compiled_once_and_then_only_run(college, monkeypatch):
    user = make_user(college, email="once@example.edu")
    compilations = []
    query = CompiledQuery(by_email, "example@compiled.invalid")
    compile_ = query._compile
    monkeypatch.setattr(query, "_compile", lambda: compilations.append(1) or compile_())
    with tenant_context(college):
        for _ in range(3):
            with CaptureQueriesContext(connection) as queries:
                assert query.first("once@example.edu")[0] == user.pk
            assert len(queries) == 1
    assert compilations == [1]


def test_an_example_that_is_not_one_parameter_is_refused(college):
    query = CompiledQuery(lambda email: by_email(email).filter(first_name=email), "x@y.invalid")
    with tenant_context(college), pytest.raises(ValueError, match="2 parameters"):
        query.rows("x@y.invalid")


def test_the_stored_user_and_settings_are_the_orms(college, coordinator):
    with tenant_context(college):
        user = cached_user(stored_user(coordinator.pk))
        assert (user.pk, user.email, user.role, user.is_active) == (
            coordinator.pk,
            coordinator.email,
            coordinator.role,
            True,
        )
        assert _stored_settings().pk == 1  # the defaults, before the college saves any
        saved = CollegeSettings.load()
        saved.student_email_domains = ["example.edu"]
        saved.require_2fa_for_staff = True
        saved.save()
        stored = _stored_settings()
        assert stored.student_email_domains == ["example.edu"]  # JSON decoded, as the ORM does
        assert stored.require_2fa_for_staff is True
        assert stored.updated_at == CollegeSettings.objects.get(pk=1).updated_at


def test_json_columns_and_arrays_of_json_decode_as_the_orms(college):
    # orjson decodes them; what it refuses (an integer beyond 64 bits) is decoded as Django does
    huge = 2**70
    student = make_student(
        college,
        roll_number="J1",
        skills={make_skill(college, "Rust"): 4, make_skill(college, "SQL"): 5},
    )
    with tenant_context(college):
        Student.objects.filter(pk=student.pk).update(
            education=[{"degree": "B.Tech", "score": 8.25, "years": [2023, 2027]}, None],
            experience=[{"months": huge, "note": "naïve ✓"}],
        )
        settings_row = CollegeSettings.load()
        CollegeSettings.objects.filter(pk=settings_row.pk).update(
            student_email_domains=["alpha.edu", huge, {"nested": [1.5, True, None]}]
        )
        by_pk = CompiledQuery(
            lambda pk: CollegeSettings.objects.filter(pk=pk).values_list("student_email_domains"),
            -1,
        )
        (domains,) = by_pk.first(settings_row.pk)
        orm_student = student_rows(Student.objects.filter(pk=student.pk)).get()
        (compiled_student,) = STUDENT_READ_MODEL.rows([student.pk])
        decoders = {
            function
            for query in (by_pk, STUDENT_READ_MODEL.query)
            for functions, _ in query.compiled().converters.values()
            for function in functions
        }

    assert domains == ["alpha.edu", huge, {"nested": [1.5, True, None]}]
    assert compiled_student == orm_student
    assert compiled_student["experience"][0]["months"] == huge
    assert sorted(s["name"] for s in compiled_student["skills"]) == ["Rust", "SQL"]
    assert {json_value, json_values} <= decoders  # decoded by orjson, not by json
