"""An operator, in a real headless Chromium: password and TOTP, finds a college by search,
suspends it. Screenshots of the college list and of the metrics page are kept."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tenants.models import College, CollegeStatus
from tests.browser import ARTIFACTS, committed, drop_college, manage, needs_chromium

pytestmark = needs_chromium

PASSWORD = "a-long-and-unusual-passphrase"
EMAIL = "browser-ops@placemate.example"
SECRET_HEX = "3132333435363738393031323334353637383930"
SECRET_B32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


CREATE_OPERATOR = f"""
from django_tenants.utils import schema_context
from core.accounts.models import TOTPDevice, User
from core.accounts.services import email_mark_verified
from tenants.services import college_ensure
college_ensure(subdomain="console-target", name="Console Target College")
with schema_context("public"):
    operator = User.objects.create_superuser(email="{EMAIL}", password="{PASSWORD}")
    email_mark_verified(user=operator)  # every sign-in, the admin's too, needs a proven address
    device = TOTPDevice.for_new_secret(user=operator, hex_key="{SECRET_HEX}")
    device.confirmed = True
    device.save()
"""


def remove_operator():
    from allauth.account.models import EmailAddress
    from auditlog.models import LogEntry
    from django_tenants.utils import schema_context

    from core.accounts.models import LoginChallenge, TOTPDevice, User
    from shared_apps.console.models import OperatorAction

    with schema_context("public"):
        # raw deletes: the operator log refuses deletion by design, and Django's cascade
        # would look for college-only tables (recruiters) in the public schema
        OperatorAction.objects.filter(operator_email=EMAIL)._raw_delete(OperatorAction.objects.db)
        operator = User.objects.get(email=EMAIL)
        LogEntry.objects.filter(actor=operator).delete()
        EmailAddress.objects.filter(user=operator).delete()
        LoginChallenge.objects.filter(user=operator).delete()  # the admin's code step
        TOTPDevice.objects.filter(user=operator).delete()
        User.objects.filter(pk=operator.pk)._raw_delete(User.objects.db)


@pytest.fixture
def server(db, workspace_server):
    manage(workspace_server.mail_dir, CREATE_OPERATOR)  # with the server's password hashers
    yield workspace_server.port
    committed(remove_operator)
    drop_college("console-target")


def totp_now() -> str:
    totp = TOTP(b32decode(SECRET_B32), step=30, digits=6)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_operator_signs_in_with_totp_finds_a_college_and_suspends_it(server, browser_context):
    port = server
    page = browser_context.new_page()

    # password and TOTP code on the console's login page
    page.goto(f"http://localhost:{port}/admin/")
    page.fill("#id_username", EMAIL)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", totp_now())
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_contain_text("Placemate console")

    # find the college by search
    page.goto(f"http://localhost:{port}/admin/tenants/college/")
    page.fill("#searchbar", "console-target")
    page.press("#searchbar", "Enter")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Console Target College")
    page.screenshot(path=str(ARTIFACTS / "console-colleges.png"), full_page=True)

    # suspend it, with a reason
    page.check("#result_list tbody input.action-select")
    page.select_option("select[name=action]", "suspend")
    page.click("button[name=index]")
    page.fill("#id_reason", "Payment dispute under review")
    page.click("#apply-action")
    expect(page.locator("ul.messagelist")).to_contain_text("Suspend: 1 college(s).")

    # the metrics page
    page.goto(f"http://localhost:{port}/admin/metrics/")
    expect(page.locator("#chart-status")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "console-metrics.png"), full_page=True)

    status = committed(lambda: College.objects.get(subdomain="console-target").status)
    assert status == CollegeStatus.SUSPENDED
