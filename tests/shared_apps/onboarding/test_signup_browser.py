"""A college signs up in a real headless Chromium, follows the verification mail from the mail
backend and logs in to its new workspace's API."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import ARTIFACTS, drop_college, needs_chromium

PASSWORD = "a-long-and-unusual-passphrase"

pytestmark = needs_chromium


@pytest.fixture
def server(db, workspace_server):
    """The app as `make run` starts it, on the test database, mailing into files."""
    yield workspace_server.port, workspace_server.mail_dir
    drop_college("browser-college")


def test_sign_up_verify_and_log_in_in_a_browser(server, browser_context):
    port, mail_dir = server
    page = browser_context.new_page()

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
