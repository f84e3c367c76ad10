"""A college signs up in a real headless Chromium, follows the verification mail from the mail
backend and logs in to its new workspace's API."""

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

from tenants.models import College, Domain
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PASSWORD = "a-long-and-unusual-passphrase"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


@pytest.fixture
def server(db, _schemas, tmp_path):
    """The app under gunicorn, on the test database, mailing into files."""
    port = free_port()
    mail_dir = tmp_path / "mail"
    db_settings = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": (
            f"postgres://{db_settings['USER']}@{db_settings['HOST']}:{db_settings['PORT']}"
            f"/{db_settings['NAME']}"
        ),
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "EMAIL_URL": f"filemail://{mail_dir}",
        "DEBUG": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "4", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        import urllib.request

        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://localhost:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield port, mail_dir
    finally:
        process.terminate()
        process.wait(timeout=10)
        _drop_college("browser-college")


def _drop_college(subdomain: str) -> None:
    """The server committed a college into the test database: remove it for the next tests."""

    def drop() -> None:
        college = College.objects.filter(subdomain=subdomain).first()
        if college is not None:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{college.schema_name}" CASCADE')
            Domain.objects.filter(tenant=college).delete()
            College.objects.filter(pk=college.pk).delete()
        connections.close_all()

    thread = threading.Thread(target=drop)
    thread.start()
    thread.join()


def test_sign_up_verify_and_log_in_in_a_browser(server):
    from playwright.sync_api import expect, sync_playwright

    port, mail_dir = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )  # fmt: skip
        page = browser.new_page()

        # the landing page shows the plans and leads to the form
        page.goto(f"http://localhost:{port}/")
        expect(page.locator("#plan-growth")).to_contain_text("Growth")
        page.click("text=Start your free trial")

        # a taken sub-domain: the live check says so, and so does the form, next to the field
        page.fill("#id_college_name", "Browser College")
        page.fill("#id_subdomain", "alpha")
        expect(page.locator("#subdomain-check")).to_have_text("This sub-domain is already taken.")
        page.fill("#id_admin_first_name", "Bela")
        page.fill("#id_admin_last_name", "Roy")
        page.fill("#id_admin_email", "head@browser.edu")
        page.fill("#id_admin_password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("#field-subdomain #error-subdomain")).to_contain_text("taken")
        page.screenshot(path=str(ARTIFACTS / "signup-errors.png"), full_page=True)

        # a free one: the workspace is created
        page.fill("#id_subdomain", "browser-college")
        expect(page.locator("#subdomain-check")).to_have_text("browser-college is available")
        page.fill("#id_admin_password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Browser College is ready")
        expect(page.locator("#workspace-link")).to_have_attribute(
            "href", f"http://browser-college.localhost:{port}/"
        )
        page.screenshot(path=str(ARTIFACTS / "signup-done.png"), full_page=True)

        # the verification mail, from the mail backend, opens the college's own host
        mails = "".join(path.read_text() for path in mail_dir.glob("*"))
        link = re.search(r"http://browser-college\.localhost:\d+/verify-email/\?key=\w+", mails)
        assert link, mails
        page.goto(link[0])
        page.click("#submit")
        expect(page.locator("#result")).to_contain_text("verified")

        # and the admin logs in to the new college's API (from the page: same origin)
        status, body = page.evaluate(
            """async ([email, password]) => {
                const response = await fetch("/api/v1/auth/login/", {
                    method: "POST",
                    headers: {"Content-Type": "application/json"},
                    body: JSON.stringify({email, password}),
                });
                return [response.status, await response.json()];
            }""",
            ["head@browser.edu", PASSWORD],
        )
        assert status == 200, body
        assert body["data"]["user"]["role"] == "admin"
        me = page.evaluate("fetch('/api/v1/auth/user/').then(r => r.json())")
        assert me["data"]["email"] == "head@browser.edu"  # the HttpOnly cookies work
        browser.close()
