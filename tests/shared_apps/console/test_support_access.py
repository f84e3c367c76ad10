"""Read-only support sessions: one-time links into the college's workspace, view-only, recorded
on both sides, and the college's admin can turn them off."""

from auditlog.models import LogEntry
from django.test import Client
from django_tenants.utils import tenant_context

from core.accounts.models import CollegeSettings
from shared_apps.console.models import OperatorAction
from tenant_apps.companies.models import Company
from tests.conftest import client_for
from tests.web import HTML


def support_link(ops, college) -> str:
    response = ops.post(f"/api/v1/platform/tenants/{college.pk}/support-session/")
    assert response.status_code == 200, response.content
    return response.json()["data"]["url"]


def follow(url: str) -> tuple[Client, object]:
    path = url.split("localhost", 1)[1]
    host = url.split("//", 1)[1].split("/", 1)[0]
    browser = Client(HTTP_HOST=host, HTTP_ACCEPT=HTML)
    return browser, browser.get(path)


def test_a_support_session_reads_the_workspace_and_changes_nothing(ops, college):
    with tenant_context(college):
        company = Company.objects.create(name="Acme Corp")

    browser, opened = follow(support_link(ops, college))

    assert opened.status_code == 302 and opened["Location"] == "/office/"
    assert "refresh_token" not in opened.cookies or not opened.cookies["refresh_token"].value
    listing = browser.get("/office/companies/")
    assert listing.status_code == 200 and "Acme Corp" in listing.content.decode()
    assert "read-only" in listing.content.decode()
    assert browser.get("/office/members/").status_code == 200  # what the placement head sees
    change = browser.post(f"/office/companies/{company.pk}/edit/", {"name": "Hacked"})
    assert change.status_code == 403
    with tenant_context(college):
        assert Company.objects.get(pk=company.pk).name == "Acme Corp"


def test_a_support_session_cannot_use_the_api_for_writes(ops, college):
    browser, _ = follow(support_link(ops, college))
    api = client_for(college)  # a bearer token: no CSRF check stands in the way
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {browser.cookies['access_token'].value}")
    assert api.get("/api/v1/auth/user/").json()["data"]["role"] == "support"
    response = api.post("/api/v1/companies/", {"name": "Sneaky"}, format="json")
    assert response.status_code == 403
    with tenant_context(college):
        assert not Company.objects.filter(name="Sneaky").exists()


def test_a_college_host_has_no_django_admin(ops, college):
    browser, _ = follow(support_link(ops, college))
    assert browser.get("/admin/").status_code == 404
    assert browser.get("/admin/login/").status_code == 404


def test_support_sessions_are_recorded_on_both_sides(ops, operator, college):
    follow(support_link(ops, college))

    action = OperatorAction.objects.get()
    assert (action.action, action.college_id, action.operator_id) == (
        "support_session", college.pk, operator.pk,
    )  # fmt: skip
    with tenant_context(college):
        entry = LogEntry.objects.get(additional_data__event="support_session_opened")
    assert entry.additional_data["operator"] == operator.email


def test_a_link_works_once(ops, college):
    url = support_link(ops, college)
    follow(url)

    _, again = follow(url)

    assert again.status_code == 403


def test_a_link_for_one_college_does_not_open_another(ops, college, other_college):
    url = support_link(ops, college).replace("alpha.localhost", "beta.localhost")

    _, response = follow(url)

    assert response.status_code == 403


def test_a_forged_link_is_refused(college):
    _, response = follow("http://alpha.localhost/support/forged-token/")

    assert response.status_code == 403


def test_the_college_can_turn_support_access_off(ops, college, admin_client):
    admin_client.patch("/api/v1/settings/", {"support_access_enabled": False}, format="json")
    with tenant_context(college):
        assert CollegeSettings.load().support_access_enabled is False

    browser, response = follow(support_link(ops, college))

    assert response.status_code == 403
    assert browser.get("/office/").status_code == 302  # no session was opened: sign in first
