"""Résumés: PDF only (by content, not by name), a size limit, server-generated names in each
college's own storage, and downloads only through the API for those allowed to see them."""

import re
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tests.conftest import client_for, make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_recruiter,
    make_student,
    refreshed,
)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def resume_url(student) -> str:
    return f"/api/v1/students/{student.pk}/resume/"


def upload(client, student, content: bytes = PDF, name: str = "My CV.pdf", **extra):
    file = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(resume_url(student), {"file": file}, format="multipart", **extra)


def stored_path(college, student) -> Path | None:
    with tenant_context(college):
        name = refreshed(college, student).resume.name
        return Path(default_storage.path(name)) if name else None


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)  # the test client closes the file


@pytest.fixture
def student(college):
    return make_student(college, roll_number="CS001")


@pytest.fixture
def own_client(college, student):
    return client_for(college, student.user)


@pytest.fixture
def uploaded(college, student, own_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(own_client, student).status_code == 200
    yield stored_path(college, student)
    with tenant_context(college):
        name = refreshed(college, student).resume.name
        if name:
            default_storage.delete(name)


def test_a_student_uploads_a_pdf_stored_under_a_generated_name_in_the_colleges_storage(
    college, student, own_client, uploaded
):
    # then the file sits in this college's own folder, under a name of ours
    assert uploaded.read_bytes() == PDF
    assert uploaded.parent.parent.name == college.schema_name
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", uploaded.name)
    assert "CV" not in str(uploaded)
    data = own_client.get(f"/api/v1/students/{student.pk}/").json()["data"]
    assert data["resume"]["url"] == resume_url(student)
    assert data["resume"]["uploaded_at"]


def test_a_renamed_executable_is_refused(college, student, own_client):
    response = upload(own_client, student, EXE, name="resume.pdf")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert stored_path(college, student) is None


def test_a_pdf_by_content_is_accepted_whatever_its_name(college, student, own_client):
    response = upload(own_client, student, PDF, name="resume.docx")

    assert response.status_code == 200
    path = stored_path(college, student)
    assert path.suffix == ".pdf"
    path.unlink()


def test_a_file_over_the_limit_is_refused_with_413(college, student, own_client, settings):
    settings.RESUME_MAX_BYTES = 1024

    just_over = upload(own_client, student, PDF + b"0" * 1024)  # parsed, then measured
    far_over = upload(own_client, student, PDF + b"0" * 200_000)  # refused before parsing
    at_limit = upload(own_client, student, PDF + b"0" * (1024 - len(PDF)))

    for response in (just_over, far_over):
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "file_too_large"
        assert response.json()["error"]["details"] == {"max_bytes": 1024}
    assert at_limit.status_code == 200
    stored_path(college, student).unlink()


def test_the_owner_staff_and_the_recruiter_of_a_drive_applied_to_download_it(
    college, student, own_client, uploaded, coordinator_client
):
    # given the student applied to a drive of one company, and not of another
    ours, theirs = make_company(college), make_company(college)
    make_application(college, student, make_drive(college, ours))
    recruiter = client_for(college, make_recruiter(college, ours))
    other_recruiter = client_for(college, make_recruiter(college, theirs))
    other_student = client_for(college, make_student(college).user)

    # then the owner, the staff and the drive's recruiter get the file
    for client in (own_client, coordinator_client, recruiter):
        response = client.get(resume_url(student), HTTP_ACCEPT="application/pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="resume-CS001.pdf"'
        assert response["Cache-Control"] == "private, no-store"
        assert downloaded(response) == PDF
    # and everybody else is told it does not exist
    for client in (other_recruiter, other_student):
        response = client.get(resume_url(student))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert client_for(college).get(resume_url(student)).status_code == 401


def test_a_recruiter_cannot_upload_and_another_student_cannot_either(
    college, student, coordinator_client
):
    company = make_company(college)
    make_application(college, student, make_drive(college, company))
    recruiter = client_for(college, make_recruiter(college, company))
    other_student = client_for(college, make_student(college).user)

    assert upload(recruiter, student).status_code == 403
    assert upload(other_student, student).status_code == 404
    assert stored_path(college, student) is None


def test_staff_upload_for_a_student(college, student, coordinator_client):
    assert upload(coordinator_client, student).status_code == 200
    stored_path(college, student).unlink()


def test_the_file_is_never_served_publicly(college, student, uploaded, anonymous_client):
    relative = uploaded.relative_to(uploaded.parent.parent.parent)

    for path in (f"/media/{relative}", f"/{relative}", f"/media/{uploaded.name}"):
        assert anonymous_client.get(path).status_code == 404


def test_replacing_or_removing_the_resume_deletes_the_previous_file(
    college, student, own_client, uploaded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        replaced = upload(own_client, student, PDF + b"% second\n")
    second = stored_path(college, student)
    with django_capture_on_commit_callbacks(execute=True):
        removed = own_client.delete(resume_url(student))

    assert replaced.status_code == 200
    assert second != uploaded and not uploaded.exists()
    assert removed.status_code == 204
    assert not second.exists()
    assert own_client.get(resume_url(student)).status_code == 404
    assert own_client.get(f"/api/v1/students/{student.pk}/").json()["data"]["resume"] is None


def test_another_college_cannot_reach_the_file_under_the_same_id(
    college, other_college, own_client, django_capture_on_commit_callbacks
):
    # given a student with a résumé here and another student under the same id there
    ours = make_student(college, pk=6000)
    make_student(other_college, pk=6000)
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(client_for(college, ours.user), ours).status_code == 200
    theirs_staff = client_for(other_college, make_user(other_college, Role.COORDINATOR))

    response = theirs_staff.get(resume_url(ours))

    assert response.status_code == 404
    stored_path(college, ours).unlink()


def test_uploads_stop_at_the_plans_storage(college, student, own_client, tiny_plan):
    too_big = upload(own_client, student, PDF + b"0" * (2 * 1024 * 1024))  # 3 MB of a 2 MB plan
    fits = upload(own_client, student, PDF + b"0" * 1000)

    assert too_big.status_code == 402
    assert too_big.json()["error"]["code"] == "plan_limit_reached"
    assert fits.status_code == 200
    stored_path(college, student).unlink()
