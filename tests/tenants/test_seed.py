"""`make run`'s seed: the demo college and its people, idempotent, as `make run` calls it."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from core.accounts.models import Role, TOTPDevice, User
from tenants.models import College
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


def test_seed_creates_the_demo_college_and_its_people_once(db, _schemas, settings):
    from config.settings import base

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS  # the seed ran with Argon2
    first, second = seed(), seed()

    assert "http://demo.localhost:8123/" in first and "already there" in second
    assert "admin@demo.edu" in first and "otpauth://totp/" in first
    demo = College.objects.get(subdomain="demo")
    with tenant_context(demo):
        roles = dict(User.objects.values_list("email", "role"))
    assert roles == {
        "admin@demo.edu": Role.ADMIN,
        "coordinator@demo.edu": Role.COORDINATOR,
        "recruiter@acme.example": Role.RECRUITER,
        "student@demo.edu": Role.STUDENT,
    }
    with tenant_context(demo):
        assert User.objects.get(email="recruiter@acme.example").recruiter.company.name
    with schema_context("public"):
        operator = User.objects.get(email="operator@placemate.local")
        assert TOTPDevice.objects.filter(user=operator, confirmed=True).count() == 1
    response = login(client_for(demo), "admin@demo.edu", "placemate-demo-2026")
    assert response.status_code == 200
