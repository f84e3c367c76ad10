"""`make run`'s seed: the demo college with a season in progress and its people, idempotent, as
`make run` calls it."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from core.accounts.models import Role, TOTPDevice, User
from tenant_apps.access import applications_for, drives_for, interviews_for, offers_for
from tenant_apps.applications.models import Application, ApplicationStatus, Offer, OfferStatus
from tenant_apps.drives.models import Drive, DriveStatus
from tenant_apps.interviews.models import Interview, InterviewStatus
from tenant_apps.students.models import Student
from tenants.models import College, CollegeStatus
from tests.conftest import client_for, login

ROOT = Path(__file__).resolve().parents[2]


def seed() -> str:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--port", "8123"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


DEMO_ROLES = {
    "admin@demo.edu": Role.ADMIN,
    "coordinator@demo.edu": Role.COORDINATOR,
    "recruiter@acme.example": Role.RECRUITER,
    "student@demo.edu": Role.STUDENT,
}


def season_counts() -> tuple[int, ...]:
    return tuple(
        model._base_manager.count()
        for model in (User, Student, Drive, Application, Interview, Offer)
    )


def test_seed_creates_the_demo_college_its_people_and_a_season_in_progress_once(
    db, _schemas, college, settings
):
    from config.settings import base

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS  # the seed ran with Argon2
    first = seed()
    demo = College.objects.get(subdomain="demo")
    with tenant_context(demo):
        before = season_counts()
    second = seed()

    assert "http://demo.localhost:8123/" in first and "already there" in second
    assert "admin@demo.edu" in first and "otpauth://totp/" in first
    with tenant_context(demo):
        roles = dict(User.objects.values_list("email", "role"))
        assert season_counts() == before  # the second run added nothing
    assert {email: roles[email] for email in DEMO_ROLES} == DEMO_ROLES
    with schema_context("public"):
        operator = User.objects.get(email="operator@placemate.local")
        assert TOTPDevice.objects.filter(user=operator, confirmed=True).count() == 1
    response = login(client_for(demo), "admin@demo.edu", "placemate-demo-2026")
    assert response.status_code == 200

    now = timezone.now()
    today = timezone.localdate(timezone=ZoneInfo(demo.time_zone))

    demo.refresh_from_db()
    with tenant_context(demo):
        # a few hundred students, some not verified yet, within the plan of an active college
        assert Student.objects.count() >= 300
        assert demo.status == CollegeStatus.ACTIVE
        assert demo.plan.limits["max_students"] >= Student.objects.count()
        assert Student.objects.filter(is_verified=False).exists()
        # drives in every status, some open ones closing within 48 hours
        assert set(Drive.objects.values_list("status", flat=True)) == set(DriveStatus.values)
        closing = Drive.objects.filter(
            status=DriveStatus.OPEN, apply_by__range=(now, now + timedelta(hours=48))
        )
        assert closing.count() >= 2
        # applications at every stage, interviews today, offers expiring soon and accepted
        statuses = set(Application.objects.values_list("status", flat=True))
        assert statuses == set(ApplicationStatus.values)
        local_days = [
            timezone.localtime(at, ZoneInfo(demo.time_zone)).date()
            for at in Interview.objects.values_list("scheduled_at", flat=True)
        ]
        assert local_days.count(today) >= 3
        pending = Offer.objects.filter(status=OfferStatus.PENDING)
        assert pending.filter(expires_at__range=(now, now + timedelta(hours=48))).count() >= 2
        assert Offer.objects.filter(status=OfferStatus.ACCEPTED).exists()

        # the demo student: a profile, applications, an interview to come and an offer to answer
        kiran = User.objects.get(email="student@demo.edu")
        profile = Student.objects.get(user=kiran)
        assert profile.is_verified and profile.education and profile.experience
        assert profile.skill_ratings.count() >= 4
        assert applications_for(kiran).count() >= 3
        assert (
            interviews_for(kiran)
            .filter(status=InterviewStatus.SCHEDULED, scheduled_at__gt=now)
            .exists()
        )
        assert offers_for(kiran).filter(status=OfferStatus.PENDING, expires_at__gt=now).exists()

        # the demo recruiter: its company's drives, with applicants
        recruiter = User.objects.get(email="recruiter@acme.example")
        assert drives_for(recruiter).count() >= 4
        assert applications_for(recruiter).count() >= 20
        companies = set(applications_for(recruiter).values_list("drive__company", flat=True))
        assert companies == {recruiter.recruiter.company_id}
    with tenant_context(college):  # nothing of it lands in another college
        assert not Student.objects.filter(roll_number="DEMO2026001").exists()
        assert not Drive.objects.filter(title="Backend Engineer").exists()
