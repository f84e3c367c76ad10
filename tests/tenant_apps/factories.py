"""Rows of the placement apps, created directly in a college's schema (no API, no audit actor).

Each helper takes the college first and returns the saved instance; `pk` lets isolation tests
create rows under the same id in two colleges (each schema has its own sequences)."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import CollegeSettings, Role, User
from core.accounts.services import email_mark_verified
from tenant_apps.applications.models import Application, ApplicationStatus, Offer
from tenant_apps.applications.tiers import policy_set, tiers_replace
from tenant_apps.companies.models import Company, Recruiter
from tenant_apps.drives.models import Drive, DriveRound, DriveSkill, DriveStatus
from tenant_apps.interviews.models import Interview
from tenant_apps.students.models import Skill, Student, StudentSkill
from tests.conftest import PASSWORD

_sequence = itertools.count(1)


def _n() -> int:
    return next(_sequence)


def make_skill(college, name: str | None = None, *, pk: int | None = None) -> Skill:
    with tenant_context(college):
        return Skill.objects.create(pk=pk, name=name or f"Skill {_n()}")


def make_student(
    college,
    *,
    email: str | None = None,
    roll_number: str | None = None,
    department: str = "CSE",
    graduation_year: int = 2027,
    cgpa: str = "8.00",
    backlogs: int = 0,
    verified: bool = True,
    placed: bool = False,
    skills: dict | None = None,
    first_name: str = "Stu",
    last_name: str = "Dent",
    pk: int | None = None,
) -> Student:
    n = _n()
    with tenant_context(college):
        user = User.objects.create_user(
            email=email or f"student{n}@{college.subdomain}.example.edu",
            password=PASSWORD,
            role=Role.STUDENT,
            first_name=first_name,
            last_name=last_name,
        )
        email_mark_verified(user=user)
        student = Student.objects.create(
            pk=pk,
            user=user,
            roll_number=roll_number or f"R{n:05d}",
            department=department,
            graduation_year=graduation_year,
            cgpa=Decimal(cgpa),
            backlogs=backlogs,
            is_verified=verified,
            verified_at=timezone.now() if verified else None,
            placement_status="placed" if placed else "unplaced",
        )
        for skill, rating in (skills or {}).items():
            StudentSkill.objects.create(student=student, skill=skill, rating=rating)
        return student


def make_company(college, name: str | None = None, *, pk: int | None = None) -> Company:
    with tenant_context(college):
        return Company.objects.create(pk=pk, name=name or f"Company {_n()}")


def make_recruiter(college, company: Company, email: str | None = None) -> User:
    with tenant_context(college):
        user = User.objects.create_user(
            email=email or f"recruiter{_n()}@{college.subdomain}.example.com",
            password=PASSWORD,
            role=Role.RECRUITER,
        )
        email_mark_verified(user=user)
        Recruiter.objects.create(user=user, company=company)
        return user


def make_drive(
    college,
    company: Company | None = None,
    *,
    title: str | None = None,
    status: str = DriveStatus.OPEN,
    apply_by=None,
    ctc: str = "1000000",
    min_cgpa: str = "0",
    max_backlogs: int | None = None,
    departments: list[str] | None = None,
    graduation_years: list[int] | None = None,
    rounds: tuple[str, ...] = ("aptitude", "technical", "hr"),
    skills: dict | None = None,
    job_type: str = "full_time",
    pk: int | None = None,
) -> Drive:
    company = company or make_company(college)
    with tenant_context(college):
        drive = Drive.objects.create(
            pk=pk,
            company=company,
            title=title or f"Drive {_n()}",
            job_type=job_type,
            ctc=Decimal(ctc),
            min_cgpa=Decimal(min_cgpa),
            max_backlogs=max_backlogs,
            departments=departments or [],
            graduation_years=graduation_years or [],
            apply_by=apply_by or timezone.now() + timedelta(days=7),
            status=status,
        )
        for sequence, kind in enumerate(rounds, start=1):
            DriveRound.objects.create(drive=drive, sequence=sequence, kind=kind)
        for skill, weight in (skills or {}).items():
            DriveSkill.objects.create(drive=drive, skill=skill, weight=weight)
        return drive


def make_application(
    college,
    student: Student,
    drive: Drive,
    status: str = ApplicationStatus.APPLIED,
    *,
    pk: int | None = None,
) -> Application:
    with tenant_context(college):
        return Application.objects.create(pk=pk, student=student, drive=drive, status=status)


def make_offer(
    college,
    application: Application,
    *,
    ctc: str | None = None,
    expires_in: timedelta = timedelta(days=3),
    pk: int | None = None,
) -> Offer:
    with tenant_context(college):
        return Offer.objects.create(
            pk=pk,
            application=application,
            ctc=Decimal(ctc) if ctc else application.drive.ctc,
            expires_at=timezone.now() + expires_in,
        )


def make_interview(
    college,
    application: Application,
    *,
    round_sequence: int = 1,
    scheduled_at=None,
    duration_minutes: int = 60,
    pk: int | None = None,
) -> Interview:
    with tenant_context(college):
        round_ = DriveRound.objects.get(drive=application.drive_id, sequence=round_sequence)
        return Interview.objects.create(
            pk=pk,
            application=application,
            student_id=application.student_id,
            round=round_,
            scheduled_at=scheduled_at or timezone.now() + timedelta(days=1),
            duration_minutes=duration_minutes,
            venue="Room 101",
        )


def set_policy(college, *, one_offer_policy: bool, dream_ctc_threshold: str | None = None) -> None:
    """The old placement policy, as the tiers it became (what the data migration makes)."""
    with tenant_context(college):
        policy_set(
            one_offer_policy=one_offer_policy,
            dream_ctc_threshold=Decimal(dream_ctc_threshold) if dream_ctc_threshold else None,
        )


def set_tiers(college, *tiers: tuple[str, str | None], max_offers: int | None = None) -> list:
    """The college's offer tiers, lowest first: `("Regular", "0"), ("Dream", "2000000")`; a
    CTC of None names a tier drives are put in by name only."""
    with tenant_context(college):
        saved = tiers_replace(
            tiers=[
                {"name": name, "min_ctc": None if ctc is None else Decimal(ctc)}
                for name, ctc in tiers
            ]
        )
        CollegeSettings.objects.update_or_create(
            pk=1, defaults={"max_offers_per_student": max_offers}
        )
        return saved


def refreshed(college, instance):
    with tenant_context(college):
        return type(instance)._base_manager.get(pk=instance.pk)
