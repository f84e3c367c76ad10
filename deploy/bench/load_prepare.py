"""Accounts, tokens and ids for load.sh, written as a Lua table for mix.lua.

    .venv/bin/python deploy/bench/load_prepare.py --base http://127.0.0.1:8767 \
        --host demo.localhost --out deploy/bench/results/load_config.lua [--students 50]

Needs the demo college filled by `manage.py seed_college --schema demo ... --password P`. Gives the
first --students seeded students that password and a verified address, then signs them and the
seeded coordinator in over HTTP, as clients would.
"""

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.bench.settings")

import django

django.setup()

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django_tenants.utils import tenant_context

from core.accounts.models import User
from tenants.models import College

STUDENT_EMAIL = "seed.student.{:05d}@seed.example.edu"
COORDINATOR_EMAIL = "seed.coordinator@seed.example.edu"


def prepare_accounts(subdomain: str, count: int, password: str) -> list[str]:
    emails = [STUDENT_EMAIL.format(n) for n in range(1, count + 1)]
    college = College.objects.get(subdomain=subdomain)
    with tenant_context(college):
        users = list(User.objects.filter(email__in=emails))
        User.objects.filter(pk__in=[u.pk for u in users]).update(password=make_password(password))
        for user in users:
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
    return [user.email for user in users]


def call(base: str, host: str, path: str, *, token: str | None = None, body=None) -> dict:
    request = urllib.request.Request(  # noqa: S310 (our own server, http)
        base + path,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Host": host, "Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our server)
        return json.load(response)


def login(base: str, host: str, email: str, password: str) -> str:
    body = {"email": email, "password": password}
    return call(base, host, "/api/v1/auth/login/", body=body)["data"]["access"]


def lua(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "{" + ", ".join(lua(item) for item in value) + "}"
    return "{\n" + ",\n".join(f"  {key} = {lua(item)}" for key, item in value.items()) + "\n}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--password", default="bench-password-2026")
    args = parser.parse_args()

    emails = prepare_accounts(args.host.split(".")[0], args.students, args.password)
    staff = login(args.base, args.host, COORDINATOR_EMAIL, args.password)
    tokens = [login(args.base, args.host, email, args.password) for email in emails]
    drives = call(args.base, args.host, "/api/v1/drives/?status=open&page_size=100", token=staff)
    students = call(args.base, args.host, "/api/v1/students/?page_size=100", token=staff)
    try:
        call(args.base, args.host, "/api/v1/dashboard/stats/", token=staff)
        dashboard = True
    except urllib.error.HTTPError:
        dashboard = False
    config = {
        "host": args.host,
        "password": args.password,
        "staff_token": staff,
        "student_emails": emails,
        "student_tokens": tokens,
        "drive_ids": [row["id"] for row in drives["data"]],
        "student_ids": [row["id"] for row in students["data"]],
        "dashboard": dashboard,
    }
    Path(args.out).write_text("return " + lua(config) + "\n")
    print(
        f"{len(tokens)} students signed in, {len(config['drive_ids'])} open drives, "
        f"dashboard {'present' if dashboard else 'absent'}"
    )


if __name__ == "__main__":
    main()
