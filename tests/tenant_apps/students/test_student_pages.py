"""The student's home and profile pages: the checklist to a complete profile, one edit page per
part through the API's serializers and services, the locked academic record once verified, the
résumé through the endpoint's own checks."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.students.models import Student
from tests.conftest import make_user
from tests.tenant_apps.factories import (
    make_application,
    make_drive,
    make_interview,
    make_offer,
    make_skill,
    make_student,
    refreshed,
)
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PROFILE = {
    "first_name": "Asha",
    "last_name": "Rao",
    "phone": "+91 98765 43210",
    "roll_number": "cs-042",
    "department": "CSE",
    "graduation_year": "2027",
    "cgpa": "8.40",
    "backlogs": "0",
}


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


def post_form(client, url, data, **extra):
    """Posts `data` with the CSRF token of the page at `url`, as a browser does."""
    return client.post(url, {"csrfmiddlewaretoken": csrf_of(client.get(url)), **data}, **extra)


@pytest.fixture
def profile(college):
    return make_student(college, roll_number="CS001", verified=False)


@pytest.fixture
def client(college, profile):
    return page_client(college, profile.user, csrf=True)


# --- Access -------------------------------------------------------------------------------------

PAGES = [
    "/me/",
    "/me/profile/",
    "/me/profile/details/",
    "/me/profile/education/",
    "/me/profile/experience/",
    "/me/profile/skills/",
    "/me/profile/resume/",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_profile_page_renders_for_the_student(college, client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "<h1>" in text_of(response)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.RECRUITER])
def test_other_roles_get_a_403_and_the_signed_out_the_sign_in(college, path, role):
    assert page_client(college, make_user(college, role)).get(path).status_code == 403
    signed_out = page_client(college).get(path)
    assert signed_out.status_code == 302 and signed_out["Location"].startswith("/sign-in/")


# --- Home: the checklist ----------------------------------------------------------------------


def test_a_first_visit_shows_the_checklist_with_nothing_done_and_where_to_start(college, student):
    response = page_client(college, student).get("/me/")
    html = text_of(response)
    assert 'id="checklist"' in html
    assert re.search(r'<progress id="profile-progress" max="5" value="0"', html)
    assert 'id="step-personal"' in html and "Start" in html


def test_the_checklist_counts_what_the_profile_has(college, profile, client):
    with tenant_context(college):
        Student.objects.filter(pk=profile.pk).update(
            education=[{"institution": "IIT", "degree": "B.Tech"}]
        )
    html = text_of(client.get("/me/"))
    # the factory's profile has a name but no phone: only education is done
    assert re.search(r'<progress id="profile-progress" max="5" value="1"', html)
    assert 'id="step-education"' not in html and 'id="step-personal"' in html


def test_home_shows_what_is_next_drives_interviews_and_offers(college, profile, client):
    with tenant_context(college):
        Student.objects.filter(pk=profile.pk).update(is_verified=True)
    skill = make_skill(college, "Python")
    drive = make_drive(college, title="Backend Engineer", skills={skill: 5})
    offered = make_drive(college, title="Data Analyst")
    application = make_application(college, profile, offered, "offered")
    make_offer(college, application)
    interviewing = make_drive(college, title="SRE")
    make_interview(college, make_application(college, profile, interviewing, "shortlisted"))
    html = text_of(client.get("/me/"))
    assert 'id="open-drives"' in html
    assert f'href="/me/drives/{drive.pk}/"' in html  # recommended: eligible, not applied
    assert f'href="/me/drives/{offered.pk}/"' not in html  # applied: not recommended again
    assert "Next interviews" in html
    assert "Offers waiting for your answer" in html and "Data Analyst" in html


def test_home_costs_the_same_queries_with_more_drives_interviews_and_offers(college, profile):
    client = page_client(college, profile.user)
    client.get("/healthz")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/me/").status_code == 200
        return len(queries)

    with tenant_context(college):
        Student.objects.filter(pk=profile.pk).update(is_verified=True)
    make_drive(college)
    count()  # warm: the read models compiled, the college's settings cached
    first = count()
    for _ in range(3):
        make_drive(college)
        application = make_application(college, profile, make_drive(college), "offered")
        make_offer(college, application)
    assert count() == first


# --- Details ---------------------------------------------------------------------------------


def test_a_student_without_a_profile_creates_it_through_the_api_serializer(college, student):
    client = page_client(college, student, csrf=True)
    response = post_form(client, "/me/profile/details/", PROFILE)
    assert response.status_code == 302 and response["Location"] == "/me/profile/"
    with tenant_context(college):
        created = Student.objects.get(user=student)
        assert created.roll_number == "CS-042"  # the serializer's own cleaning
        assert str(created.cgpa) == "8.40"


def test_invalid_details_show_the_serializers_errors_and_keep_what_was_typed(college, client):
    response = post_form(client, "/me/profile/details/", {**PROFILE, "phone": "call me"})
    html = text_of(response)
    assert response.status_code == 200
    assert 'id="error-phone"' in html
    assert 'value="call me"' in html and 'value="Asha"' in html


def test_a_taken_roll_number_is_refused_by_the_service(college, client):
    make_student(college, roll_number="CS-042")
    html = text_of(post_form(client, "/me/profile/details/", PROFILE))
    assert "Another student has this roll number." in html


def test_a_verified_profile_shows_its_academic_record_locked_with_who_and_when(
    college, profile, client
):
    verifier = make_user(college, Role.COORDINATOR)
    with tenant_context(college):
        Student.objects.filter(pk=profile.pk).update(is_verified=True, verified_by=verifier)
    html = text_of(client.get("/me/profile/"))
    assert 'id="verified-by"' in html and "Coordinator" in html
    form = text_of(client.get("/me/profile/details/"))
    assert 'id="academic-locked"' in form
    assert re.search(r'name="cgpa"[^>]*readonly', form)


def test_the_service_refuses_a_change_to_a_locked_field_and_the_page_says_so(
    college, profile, client
):
    with tenant_context(college):
        Student.objects.filter(pk=profile.pk).update(is_verified=True)
    data = {**PROFILE, "roll_number": profile.roll_number, "cgpa": "9.90"}
    html = text_of(post_form(client, "/me/profile/details/", data))
    assert "Frozen while the profile is verified" in html
    assert str(refreshed(college, profile).cgpa) == "8.00"


def test_a_verified_student_still_changes_their_phone(college, profile, client):
    with tenant_context(college):
        Student.objects.filter(pk=profile.pk).update(is_verified=True)
    data = {
        **PROFILE,
        "roll_number": profile.roll_number,
        "department": "CSE",
        "graduation_year": "2027",
        "cgpa": "8.00",
    }
    assert post_form(client, "/me/profile/details/", data).status_code == 302
    assert refreshed(college, profile).phone == "+91 98765 43210"


# --- Education, experience, skills -------------------------------------------------------------


def test_education_is_added_and_removed(college, profile, client):
    entry = {"institution": "IIT Madras", "degree": "B.Tech", "start_year": "2023"}
    assert post_form(client, "/me/profile/education/", entry).status_code == 302
    (saved,) = refreshed(college, profile).education
    assert (saved["institution"], saved["degree"], saved["start_year"]) == (
        "IIT Madras",
        "B.Tech",
        2023,
    )
    assert post_form(client, "/me/profile/education/", {"remove": "0"}).status_code == 302
    assert refreshed(college, profile).education == []


def test_an_entry_that_ends_before_it_starts_shows_the_serializers_error(college, client):
    entry = {
        "organization": "Acme",
        "title": "Intern",
        "start_date": "2025-06-01",
        "end_date": "2025-01-01",
    }
    response = post_form(client, "/me/profile/experience/", entry)
    html = text_of(response)
    assert response.status_code == 200
    assert "Ends before it starts." in html and 'value="Acme"' in html


def test_skills_are_rated_re_rated_and_removed(college, profile, client):
    skill = make_skill(college, "Django")
    post_form(client, "/me/profile/skills/", {"skill": skill.pk, "rating": "6"})
    post_form(client, "/me/profile/skills/", {"skill": skill.pk, "rating": "8"})
    with tenant_context(college):
        assert list(profile.skill_ratings.values_list("rating", flat=True)) == [8]
    post_form(client, "/me/profile/skills/", {"remove": str(skill.pk)})
    with tenant_context(college):
        assert not profile.skill_ratings.exists()


def test_a_rating_out_of_range_is_refused(college, client):
    skill = make_skill(college, "Go")
    response = post_form(client, "/me/profile/skills/", {"skill": skill.pk, "rating": "11"})
    assert response.status_code == 200 and 'id="error-rating"' in text_of(response)


# --- Résumé ----------------------------------------------------------------------------------


def upload(client, content: bytes, name: str = "cv.pdf"):
    form = client.get("/me/profile/resume/")
    file = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post("/me/profile/resume/", {"csrfmiddlewaretoken": csrf_of(form), "file": file})


def test_a_pdf_resume_is_uploaded_and_completes_the_checklist_step(college, profile, client):
    response = upload(client, PDF)
    assert response.status_code == 302
    assert refreshed(college, profile).resume.name.startswith("resumes/")
    assert 'id="step-resume"' not in text_of(client.get("/me/"))


def test_a_file_that_is_not_a_pdf_is_refused_by_content(college, profile, client):
    response = upload(client, b"MZ\x90\x00 not a pdf", name="cv.pdf")
    assert response.status_code == 200
    assert "Only PDF files are accepted." in text_of(response)
    assert not refreshed(college, profile).resume


@override_settings(RESUME_MAX_BYTES=64)
def test_a_resume_over_the_size_limit_is_refused(college, profile, client):
    response = upload(client, PDF + b"x" * 100)
    assert "larger than 64 bytes" in text_of(response)
    assert not refreshed(college, profile).resume


# --- Isolation -------------------------------------------------------------------------------


def test_a_student_of_another_college_sees_nothing_of_this_one(college, other_college, profile):
    stranger = make_student(other_college, roll_number="CS001", first_name="Other")
    html = text_of(page_client(other_college, stranger.user).get("/me/profile/"))
    assert "Other" in html and profile.user.email not in html
    # this college's cookies mean nothing on the other college's host
    foreign = page_client(other_college)
    foreign.cookies = page_client(college, profile.user).cookies
    assert foreign.get("/me/profile/").status_code == 302
