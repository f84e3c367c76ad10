"""`seed_college`: realistic rows in bulk, again without duplicates, and usable sign-ins."""

from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django_tenants.utils import tenant_context

from tenant_apps.announcements.models import Announcement, AnnouncementRecipient
from tenant_apps.applications.models import Application, Offer
from tenant_apps.assessments.models import Answer, Assessment, Attempt
from tenant_apps.companies.models import Company, Recruiter
from tenant_apps.drives.models import Drive, DriveRound
from tenant_apps.interviews.models import Interview, InterviewSlot
from tenant_apps.students.models import Student
from tests.conftest import client_for, login


def seed(college, **counts) -> str:
    out = StringIO()
    args = {"students": 40, "companies": 3, "drives": 6, "applications": 150, **counts}
    call_command(
        "seed_college", schema=college.subdomain, password="bench-password-2026", stdout=out,
        **args,
    )  # fmt: skip
    return out.getvalue()


def test_seed_college_fills_a_college_once_and_signs_in(college, other_college):
    # when the college is seeded twice, the second time with more applications
    first = seed(college)
    second = seed(college, applications=170)

    # then the counts are those asked for, nothing twice
    assert "150 applications added" in first and "20 applications added" in second
    with tenant_context(college):
        assert Student.objects.count() == 40
        assert Company.objects.count() == 3
        assert Drive.objects.count() == 6
        assert Application.objects.count() == 170
        pairs = list(Application.objects.values_list("student", "drive"))
        assert len(pairs) == len(set(pairs))
        assert DriveRound.objects.filter(drive__title__startswith="Seed drive").exists()
        recruiter = Recruiter.objects.get(user__email="seed.recruiter@seed.example.edu")
        assert recruiter.company.name == "Seed Co 0001"
        earliest = Application.objects.exclude(shortlisted_at=None).first()
        assert earliest.created_at < earliest.shortlisted_at
        offered = Application.objects.filter(status__in=["offered", "accepted", "declined"])
        assert Offer.objects.count() == offered.count() > 0
        past_shortlist = Application.objects.exclude(
            status__in=["applied", "rejected", "withdrawn"]
        )
        assert Interview.objects.count() == past_shortlist.count() > 0
        slots = list(Interview.objects.values_list("student", "scheduled_at"))
        assert len(slots) == len(set(slots))
        # the interviews to come are booked into slots; each department has its notice
        to_come = Interview.objects.filter(status="scheduled")
        assert to_come.exists() and not to_come.filter(slot__isnull=True).exists()
        assert InterviewSlot.objects.count() == to_come.count()
        departments = set(Student.objects.values_list("department", flat=True))
        assert Announcement.objects.count() == len(departments)
        assert AnnouncementRecipient.objects.count() == 40
    with tenant_context(other_college):
        assert not Student.objects.exists()
    # and the benchmark accounts sign in
    for email in ("seed.coordinator@seed.example.edu", "seed.student.00001@seed.example.edu"):
        response = login(client_for(college), email, "bench-password-2026")
        assert response.status_code == 200, response.json()


def test_seed_college_needs_an_existing_college(db):
    with pytest.raises(CommandError):
        call_command("seed_college", schema="nowhere", stdout=StringIO())


def test_seed_college_adds_assessments_with_attempts_and_an_audit_log(college, other_college):
    # when the college is seeded with assessments and audit entries, twice
    first = seed(college, assessments=4, audit_entries=300)
    second = seed(college, assessments=4, audit_entries=300)

    # then there are published assessments, for everybody and for a drive's first round, each
    # taken and scored, and the audit log has the entries asked for, not twice
    assert "attempts added" in first and "300 audit entries added" in first
    assert "0 attempts added" in second and "0 audit entries added" in second
    with tenant_context(college):
        assessments = Assessment.objects.filter(title__startswith="Seed assessment")
        assert assessments.count() == 4
        assert assessments.filter(drive=None).exists()
        assert assessments.filter(drive__isnull=False, round__sequence=1).exists()
        assert all(a.assessment_questions.count() == 20 for a in assessments)
        attempts = Attempt.objects.filter(assessment__in=assessments)
        assert attempts.exists() and not attempts.filter(score=None).exists()
        attempt = attempts.first()
        assert Answer.objects.filter(attempt=attempt).count() == 20
        assert LogEntry.objects.filter(additional_data__seeded=True).count() == 300
    with tenant_context(other_college):
        assert not Assessment.objects.exists() and not LogEntry.objects.exists()


def test_seed_college_gives_a_student_one_accepted_offer_at_most(college):
    # when a few students get many applications each (about 2% of them seeded as accepted)
    seed(college, students=2, companies=3, drives=150, applications=300)

    # then no student holds two accepted offers (the table refuses them) and the surplus is declined
    with tenant_context(college):
        accepted = list(
            Application.objects.filter(status="accepted").values_list("student", flat=True)
        )
        assert len(accepted) == len(set(accepted))
        assert Application.objects.filter(status="declined").exists()
