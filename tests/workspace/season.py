"""Helpers of the workspace's browser tests: a fresh college with its placement office (an admin
with an authenticator, a coordinator) created in the server's configuration, its TOTP codes,
and the Playwright steps every test repeats (signing in, the navigation)."""

import time

from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

PASSWORD = "a-long-and-unusual-passphrase"
SECRET_HEX = "3132333435363738393031323334353637383931"
SKILLS = ("Python", "SQL", "Data structures")


def office_setup(*, subdomain: str, name: str, admin: str, coordinator: str) -> str:
    """Python for `tests.browser.manage`: the college (cloned from the template), its admin with
    a confirmed authenticator, a coordinator without one, and the skills the drives weigh
    (the workspace has no page for the skills list)."""
    return f"""
from django_tenants.utils import tenant_context
from core.accounts.models import Role, TOTPDevice, User
from core.accounts.services import email_mark_verified
from tenant_apps.students.models import Skill
from tenants.services import college_ensure
college, _ = college_ensure(subdomain="{subdomain}", name="{name}")
with tenant_context(college):
    admin = User.objects.create_user(
        email="{admin}", password="{PASSWORD}", role=Role.ADMIN,
        first_name="Kavya", last_name="Menon",
    )
    email_mark_verified(user=admin)
    device = TOTPDevice.for_new_secret(user=admin, hex_key="{SECRET_HEX}")
    device.confirmed = True
    device.save()
    coordinator = User.objects.create_user(
        email="{coordinator}", password="{PASSWORD}", role=Role.COORDINATOR,
        first_name="Arjun", last_name="Rao",
    )
    email_mark_verified(user=coordinator)
    for skill in {SKILLS!r}:
        Skill.objects.create(name=skill)
"""


def totp_now() -> str:
    """The code the admin's authenticator app shows now."""
    totp = TOTP(bytes.fromhex(SECRET_HEX), step=30, digits=6)
    totp.time = time.time()
    return f"{totp.token():06d}"


def sign_in(page: Page, email: str) -> None:
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("#sign-in")


def go_to(page: Page, label: str) -> None:
    """Follow the workspace's navigation (the sidebar on a laptop, the menu on a phone) and wait
    for the page it leads to."""
    sidebar = page.locator("nav.sidebar")
    if sidebar.is_visible():
        link = sidebar.get_by_role("link", name=label, exact=True)
    else:
        page.locator("#menu summary").click()
        link = page.locator("nav.sidenav").get_by_role("link", name=label, exact=True)
    path = link.get_attribute("href")
    link.click()
    page.wait_for_url(f"**{path}")
    expect(page.locator("nav.sidebar a[aria-current=page]")).to_have_text(label)


def message(page: Page):
    """The page's flash messages (after a form's redirect)."""
    return page.locator(".messages")
