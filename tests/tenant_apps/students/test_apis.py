"""Students: accounts created by staff, profiles, verification and frozen academic fields, the
student's own profile, role scoping, two-college isolation, filters and query counts."""

from urllib.parse import parse_qs, urlsplit

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import Role, User
from tenant_apps.students.models import Student, StudentSkill
from tests.conftest import client_for, login, make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_recruiter,
    make_skill,
    make_student,
    refreshed,
)

STUDENTS = "/api/v1/students/"
ME = "/api/v1/students/me/"
NEW_PASSWORD = "marmalade-Sextant-77-quiver"


def new_student_body(**overrides) -> dict:
    return {
        "email": "Asha.Rao@Alpha.example.edu",
        "first_name": "Asha",
        "last_name": "Rao",
        "roll_number": "cs21b001",
        "department": "CSE",
        "graduation_year": 2026,
        "cgpa": "8.75",
        "backlogs": 0,
        "phone": "+91 98450 12345",
        **overrides,
    }


# --- Staff create students ---------------------------------------------------------------------


def test_staff_create_a_student_who_sets_a_password_from_the_mailed_link(
    college, coordinator_client, mailoutbox, django_capture_on_commit_callbacks
):
    # given a skill of the catalogue
    python = make_skill(college, "Python")

    # when the coordinator creates the student
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            STUDENTS,
            new_student_body(
                skills=[{"skill": python.pk, "rating": 8}],
                education=[{"institution": "Alpha", "degree": "B.Tech", "start_year": 2022}],
                experience=[
                    {"organization": "Acme", "title": "Intern", "start_date": "2024-05-01"}
                ],
            ),
            format="json",
        )

    # then the profile and an account without a usable password exist
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["email"] == "asha.rao@alpha.example.edu"
    assert data["roll_number"] == "CS21B001"
    assert data["cgpa"] == "8.75"
    assert data["skills"] == [{"skill": python.pk, "name": "Python", "rating": 8}]
    assert data["education"][0]["degree"] == "B.Tech"
    assert data["experience"][0]["start_date"] == "2024-05-01"
    assert (data["is_verified"], data["placement_status"], data["resume"]) == (
        False,
        "unplaced",
        None,
    )
    with tenant_context(college):
        user = User.objects.get(email="asha.rao@alpha.example.edu")
        assert user.role == Role.STUDENT and not user.has_usable_password()
    # and a link to the college's own page to choose a password
    (message,) = mailoutbox
    assert message.to == ["asha.rao@alpha.example.edu"]
    link = urlsplit(next(word for word in message.body.split() if "/reset-password/" in word))
    assert (link.netloc, link.path) == ("alpha.localhost", "/reset-password/")
    params = {name: values[0] for name, values in parse_qs(link.query).items()}

    # when the student uses the link, then they can sign in
    confirm = client_for(college).post(
        "/api/v1/auth/password/reset/confirm/",
        {**params, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        format="json",
    )
    assert confirm.status_code == 200, confirm.json()
    signed_in = login(client_for(college), "asha.rao@alpha.example.edu", NEW_PASSWORD)
    assert signed_in.status_code == 200
    assert signed_in.json()["data"]["user"]["role"] == "student"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cgpa", "10.01"),
        ("cgpa", "-0.5"),
        ("backlogs", -1),
        ("graduation_year", 1900),
        ("email", "not-an-email"),
        ("skills", [{"skill": 999999, "rating": 5}]),
    ],
)
def test_student_fields_are_validated(college, coordinator_client, field, value):
    response = coordinator_client.post(STUDENTS, new_student_body(**{field: value}), format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["details"]
    with tenant_context(college):
        assert not Student.objects.exists()


@pytest.mark.parametrize("rating", [0, 11])
def test_skill_ratings_are_1_to_10(college, coordinator_client, rating):
    skill = make_skill(college)

    response = coordinator_client.post(
        STUDENTS, new_student_body(skills=[{"skill": skill.pk, "rating": rating}]), format="json"
    )

    assert response.status_code == 400
    assert "skills" in response.json()["error"]["details"]


def test_roll_numbers_and_emails_are_unique(
    college, coordinator_client, mailoutbox, django_capture_on_commit_callbacks
):
    make_student(college, roll_number="CS21B001", email="taken@alpha.example.edu")

    with django_capture_on_commit_callbacks(execute=True):
        same_roll = coordinator_client.post(STUDENTS, new_student_body(), format="json")
        same_email = coordinator_client.post(
            STUDENTS,
            new_student_body(roll_number="CS21B002", email="TAKEN@alpha.example.edu"),
            format="json",
        )

    assert same_roll.status_code == same_email.status_code == 400
    assert "roll_number" in same_roll.json()["error"]["details"]
    assert "email" in same_email.json()["error"]["details"]
    assert mailoutbox == []


def test_staff_give_a_self_registered_student_their_profile(college, coordinator_client):
    # given a student who signed up on their own (no profile yet)
    user = make_user(college, Role.STUDENT, "self@alpha.example.edu")

    response = coordinator_client.post(
        STUDENTS, new_student_body(email="self@alpha.example.edu"), format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["data"]["user"] == user.pk


def test_staff_create_a_student_with_marks(college, coordinator_client):
    response = coordinator_client.post(
        STUDENTS,
        new_student_body(tenth_pct="91.50", twelfth_pct="78.25", twelfth_board="diploma"),
        format="json",
    )

    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert (data["tenth_pct"], data["twelfth_pct"], data["twelfth_board"]) == (
        "91.50",
        "78.25",
        "diploma",
    )


def test_only_staff_create_students(college, student_client):
    response = student_client.post(STUDENTS, new_student_body(), format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


# --- The student's own profile ---------------------------------------------------------------


def test_a_student_reads_and_edits_their_own_profile(college):
    # given
    python = make_skill(college, "Python")
    sql = make_skill(college, "SQL")
    student = make_student(college, verified=False, skills={python: 5})
    client = client_for(college, student.user)

    # when
    read = client.get(ME)
    changed = client.patch(
        ME,
        {
            "phone": "+91 90000 00000",
            "cgpa": "9.10",
            "skills": [{"skill": sql.pk, "rating": 7}, {"skill": python.pk, "rating": 9}],
        },
        format="json",
    )

    # then
    assert read.status_code == 200
    assert read.json()["data"]["id"] == student.pk
    assert changed.status_code == 200, changed.json()
    data = changed.json()["data"]
    assert (data["phone"], data["cgpa"]) == ("+91 90000 00000", "9.10")
    assert data["skills"] == [
        {"skill": python.pk, "name": "Python", "rating": 9},
        {"skill": sql.pk, "name": "SQL", "rating": 7},
    ]


def test_a_student_cannot_change_verification_or_placement_status(college):
    student = make_student(college, verified=False)
    client = client_for(college, student.user)

    client.patch(ME, {"is_verified": True, "placement_status": "placed"}, format="json")

    stored = refreshed(college, student)
    assert (stored.is_verified, stored.placement_status) == (False, "unplaced")


def test_a_self_registered_student_creates_their_profile_once(college):
    user = make_user(college, Role.STUDENT, "new@alpha.example.edu")
    client = client_for(college, user)
    body = {k: v for k, v in new_student_body().items() if k != "email"}

    missing = client.get(ME)
    created = client.post(ME, body, format="json")
    again = client.post(ME, {**body, "roll_number": "X1"}, format="json")

    assert missing.status_code == 404
    assert created.status_code == 201, created.json()
    assert created.json()["data"]["email"] == "new@alpha.example.edu"
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"


def test_me_is_for_students_only(college, coordinator_client):
    assert coordinator_client.get(ME).status_code == 403


# --- Verification ----------------------------------------------------------------------------


def test_verifying_records_who_and_when_and_unverifying_clears_it(
    college, coordinator, coordinator_client
):
    student = make_student(college, verified=False)

    verified = coordinator_client.post(f"{STUDENTS}{student.pk}/verify/")
    again = coordinator_client.post(f"{STUDENTS}{student.pk}/verify/")
    stored = refreshed(college, student)
    unverified = coordinator_client.post(f"{STUDENTS}{student.pk}/unverify/")

    assert verified.status_code == 200
    data = verified.json()["data"]
    assert data["is_verified"] is True and data["verified_by"] == coordinator.pk
    assert data["verified_at"] is not None
    assert again.json()["data"]["verified_at"] == data["verified_at"]  # who and when kept
    assert stored.verified_by_id == coordinator.pk
    assert unverified.json()["data"]["is_verified"] is False
    assert unverified.json()["data"]["verified_by"] is None
    with tenant_context(college):
        changes = [
            e.changes_dict.get("is_verified")
            for e in LogEntry.objects.get_for_object(stored).order_by("id")
        ]
    assert ["False", "True"] in changes and ["True", "False"] in changes


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("roll_number", "NEW001"),
        ("department", "ECE"),
        ("graduation_year", 2030),
        ("cgpa", "9.99"),
        ("backlogs", 2),
    ],
)
def test_a_verified_profiles_academic_fields_are_frozen(college, coordinator_client, field, value):
    # given a verified student
    student = make_student(college, verified=True)
    own_client = client_for(college, student.user)

    # when the student, then the staff, change an academic field
    by_student = own_client.patch(ME, {field: value}, format="json")
    by_staff = coordinator_client.patch(f"{STUDENTS}{student.pk}/", {field: value}, format="json")

    # then both are refused and nothing changed
    for response in (by_student, by_staff):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "validation_error"
        assert field in response.json()["error"]["details"]
    assert getattr(refreshed(college, student), field) == getattr(student, field)

    # when the staff unverify the profile, then the change goes through
    coordinator_client.post(f"{STUDENTS}{student.pk}/unverify/")
    assert own_client.patch(ME, {field: value}, format="json").status_code == 200
    assert str(getattr(refreshed(college, student), field)) == str(value)


def test_a_verified_profile_still_takes_non_academic_changes_and_same_values(college):
    student = make_student(college, verified=True, cgpa="8.00")
    client = client_for(college, student.user)

    response = client.patch(ME, {"phone": "+91 91111 11111", "cgpa": "8.00"}, format="json")

    assert response.status_code == 200, response.json()
    assert refreshed(college, student).phone == "+91 91111 11111"


# --- Role scoping ----------------------------------------------------------------------------


def test_a_student_sees_only_their_own_profile(college):
    me = make_student(college)
    other = make_student(college)
    client = client_for(college, me.user)

    listing = client.get(STUDENTS)
    other_detail = client.get(f"{STUDENTS}{other.pk}/")
    other_change = client.patch(f"{STUDENTS}{other.pk}/", {"phone": "1234567"}, format="json")
    other_verify = client.post(f"{STUDENTS}{other.pk}/verify/")
    own_verify = client.post(f"{STUDENTS}{me.pk}/verify/")
    own_staff_edit = client.patch(f"{STUDENTS}{me.pk}/", {"phone": "1234567"}, format="json")

    assert [row["id"] for row in listing.json()["data"]] == [me.pk]
    # rows outside their scope are not found, whatever the action
    assert other_detail.status_code == other_change.status_code == other_verify.status_code == 404
    # their own row, with an action their role lacks: refused
    assert own_verify.status_code == own_staff_edit.status_code == 403
    assert refreshed(college, other).phone == ""
    assert refreshed(college, me).is_verified is True


def test_a_recruiter_sees_only_students_who_applied_to_their_companys_drives(college):
    # given two companies' drives and three students
    ours, theirs = make_company(college), make_company(college)
    recruiter = make_recruiter(college, ours)
    applicant, other_applicant, bystander = (make_student(college) for _ in range(3))
    make_application(college, applicant, make_drive(college, ours))
    make_application(college, other_applicant, make_drive(college, theirs))
    client = client_for(college, recruiter)

    listing = client.get(STUDENTS)

    assert [row["id"] for row in listing.json()["data"]] == [applicant.pk]
    assert client.get(f"{STUDENTS}{applicant.pk}/").status_code == 200
    assert client.get(f"{STUDENTS}{other_applicant.pk}/").status_code == 404
    assert client.get(f"{STUDENTS}{bystander.pk}/").status_code == 404
    assert client.post(f"{STUDENTS}{applicant.pk}/verify/").status_code == 403


# --- Isolation -------------------------------------------------------------------------------


@pytest.fixture
def other_coordinator_client(other_college):
    return client_for(other_college, make_user(other_college, Role.COORDINATOR))


def test_a_college_can_neither_read_change_nor_guess_another_colleges_students(
    college, other_college, coordinator_client, other_coordinator_client
):
    # given a student in each college under the same id, and one only the other college has
    ours = make_student(college, roll_number="OURS1", pk=5000)
    make_student(other_college, roll_number="THEIRS1", pk=5000)
    only_theirs = make_student(other_college, roll_number="SECRET1", pk=7000)

    # when college A's staff go through the API
    listing = coordinator_client.get(STUDENTS).json()["data"]
    same_id = coordinator_client.get(f"{STUDENTS}{ours.pk}/").json()["data"]
    guess = coordinator_client.get(f"{STUDENTS}{only_theirs.pk}/")
    change = coordinator_client.patch(
        f"{STUDENTS}{only_theirs.pk}/", {"phone": "1234567"}, format="json"
    )
    verify = coordinator_client.post(f"{STUDENTS}{only_theirs.pk}/verify/")
    delete = coordinator_client.delete(f"{STUDENTS}{only_theirs.pk}/")
    search = coordinator_client.get(STUDENTS, {"search": "SECRET"}).json()["data"]

    # then they only ever see and touch their own
    assert [row["roll_number"] for row in listing] == ["OURS1"]
    assert same_id["roll_number"] == "OURS1"
    assert guess.status_code == change.status_code == verify.status_code == 404
    assert delete.status_code == 404
    assert search == []
    assert other_coordinator_client.get(f"{STUDENTS}5000/").json()["data"]["roll_number"] == (
        "THEIRS1"
    )
    stored = refreshed(other_college, only_theirs)
    assert (stored.phone, stored.is_verified, stored.deleted_at) == ("", True, None)


# --- Soft delete -----------------------------------------------------------------------------


def test_deleting_a_student_is_soft_audited_blocks_sign_in_and_can_be_undone(
    college, admin_client, coordinator_client
):
    student = make_student(college)

    deleted = coordinator_client.delete(f"{STUDENTS}{student.pk}/")
    listed = coordinator_client.get(STUDENTS).json()["data"]
    detail = coordinator_client.get(f"{STUDENTS}{student.pk}/")
    only_deleted = admin_client.get(STUDENTS, {"deleted": "only"}).json()["data"]
    user_after_delete = refreshed(college, student.user)
    restored = admin_client.post(f"{STUDENTS}{student.pk}/restore/")

    assert deleted.status_code == 204
    assert listed == [] and detail.status_code == 404
    assert [row["id"] for row in only_deleted] == [student.pk]
    assert user_after_delete.is_active is False
    assert restored.status_code == 200
    assert restored.json()["data"]["id"] == student.pk
    assert refreshed(college, student.user).is_active is True
    assert coordinator_client.post(f"{STUDENTS}{student.pk}/restore/").status_code == 403
    with tenant_context(college):
        actions = [e.action for e in LogEntry.objects.get_for_object(student)]
    assert LogEntry.Action.DELETE in actions


# --- Filters, search, ordering -----------------------------------------------------------------


def test_students_filter_search_and_order(college, coordinator_client):
    python = make_skill(college, "Python")
    make_student(college, roll_number="A1", department="CSE", cgpa="9.10", skills={python: 7})
    make_student(college, roll_number="A2", department="ECE", cgpa="7.00", backlogs=2)
    make_student(college, roll_number="A3", department="CSE", cgpa="6.50", verified=False)
    make_student(college, roll_number="B1", department="MECH", cgpa="8.00", last_name="Zubair")

    def rolls(**params) -> list[str]:
        response = coordinator_client.get(STUDENTS, params)
        assert response.status_code == 200, response.json()
        return [row["roll_number"] for row in response.json()["data"]]

    assert rolls(department="cse") == ["A1", "A3"]
    assert rolls(cgpa_min="7.5") == ["A1", "B1"]
    assert rolls(backlogs_max=0) == ["A1", "A3", "B1"]
    assert rolls(is_verified="false") == ["A3"]
    assert rolls(skill=python.pk) == ["A1"]
    assert rolls(search="zubair") == ["B1"]
    assert rolls(ordering="-cgpa") == ["A1", "B1", "A2", "A3"]


# --- Query counts ----------------------------------------------------------------------------


def test_the_student_list_costs_the_same_queries_for_1_or_100_rows(college, coordinator_client):
    skills = [make_skill(college) for _ in range(3)]

    def count_for(n: int) -> int:
        with tenant_context(college):
            StudentSkill.all_objects.hard_delete()
            Student.all_objects.hard_delete()
            User.objects.filter(role=Role.STUDENT).delete()
        for _ in range(n):
            make_student(college, skills=dict.fromkeys(skills, 5))
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get(STUDENTS, {"page_size": 100})
        assert len(response.json()["data"]) == n
        assert all(len(row["skills"]) == 3 for row in response.json()["data"])
        return len(queries)

    coordinator_client.get("/healthz")  # host resolution cached: only the list's own queries
    assert count_for(1) == count_for(100)


def test_the_skill_list_costs_the_same_queries_for_1_or_100_rows(college, student_client):
    def count_for(n: int) -> int:
        with tenant_context(college):
            from tenant_apps.students.models import Skill

            Skill.all_objects.hard_delete()
            Skill.objects.bulk_create(Skill(name=f"Skill {i}") for i in range(n))
        with CaptureQueriesContext(connection) as queries:
            response = student_client.get("/api/v1/skills/", {"page_size": 100})
        assert len(response.json()["data"]) == n
        return len(queries)

    student_client.get("/healthz")
    assert count_for(1) == count_for(100)


# --- Skills ------------------------------------------------------------------------------------


def test_skills_are_written_by_staff_and_read_by_everybody(college, coordinator_client):
    student = make_student(college)
    recruiter = make_recruiter(college, make_company(college))

    created = coordinator_client.post("/api/v1/skills/", {"name": " Python "}, format="json")
    duplicate = coordinator_client.post("/api/v1/skills/", {"name": "python"}, format="json")
    by_student = client_for(college, student.user).post(
        "/api/v1/skills/", {"name": "Go"}, format="json"
    )
    read = client_for(college, recruiter).get("/api/v1/skills/", {"search": "pyth"})

    assert created.status_code == 201 and created.json()["data"]["name"] == "Python"
    assert duplicate.status_code == 400
    assert by_student.status_code == 403
    assert [row["name"] for row in read.json()["data"]] == ["Python"]


# --- Plan limits -------------------------------------------------------------------------------


def test_creating_students_stops_at_the_plans_limit(college, tiny_plan, coordinator_client):
    make_student(college)  # 1 of 2

    second = coordinator_client.post(STUDENTS, new_student_body(), format="json")
    third = coordinator_client.post(
        STUDENTS, new_student_body(email="third@alpha.example.edu", roll_number="X3"), format="json"
    )

    assert second.status_code == 201
    assert third.status_code == 402
    assert third.json()["error"]["code"] == "plan_limit_reached"
    with tenant_context(college):
        assert Student.objects.count() == 2
        assert not User.objects.filter(email="third@alpha.example.edu").exists()


def test_a_college_can_neither_read_change_nor_guess_another_colleges_skills(
    college, other_college, coordinator_client, other_coordinator_client
):
    make_skill(college, "Python", pk=800)
    make_skill(other_college, "Cobol", pk=800)
    secret = make_skill(other_college, "Secret sauce", pk=900)

    listing = coordinator_client.get("/api/v1/skills/").json()["data"]
    same_id = coordinator_client.get("/api/v1/skills/800/").json()["data"]
    guess = coordinator_client.get(f"/api/v1/skills/{secret.pk}/")
    change = coordinator_client.patch(
        f"/api/v1/skills/{secret.pk}/", {"name": "Hijacked"}, format="json"
    )
    delete = coordinator_client.delete(f"/api/v1/skills/{secret.pk}/")

    assert [row["name"] for row in listing] == ["Python"]
    assert same_id["name"] == "Python"
    assert other_coordinator_client.get("/api/v1/skills/800/").json()["data"]["name"] == "Cobol"
    assert guess.status_code == change.status_code == delete.status_code == 404
    assert refreshed(other_college, secret).name == "Secret sauce"
