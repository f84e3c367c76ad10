"""Read-only support sessions: one-time links, view-only, recorded on both sides, and the
college's admin can turn them off."""

from auditlog.models import LogEntry
from django.test import Client
from django_tenants.utils import tenant_context

from core.accounts.models import CollegeSettings
from shared_apps.console.models import OperatorAction
from tenant_apps.companies.models import Company


def support_link(ops, college) -> str:
    response = ops.post(f"/api/v1/platform/tenants/{college.pk}/support-session/")
    assert response.status_code == 200, response.content
    return response.json()["data"]["url"]


def follow(url: str) -> tuple[Client, object]:
    path = url.split("localhost", 1)[1]
    host = url.split("//", 1)[1].split("/", 1)[0]
    browser = Client(HTTP_HOST=host)
    return browser, browser.get(path)


def test_a_support_session_reads_the_college_admin_and_changes_nothing(ops, college):
    with tenant_context(college):
        company = Company.objects.create(name="Acme Corp")

    browser, opened = follow(support_link(ops, college))

    assert opened.status_code == 302 and opened["Location"] == "/admin/"
    listing = browser.get("/admin/companies/company/")
    assert listing.status_code == 200 and "Acme Corp" in listing.content.decode()
    assert browser.get("/admin/companies/company/add/").status_code == 403
    change = browser.post(f"/admin/companies/company/{company.pk}/change/", {"name": "Hacked"})
    assert change.status_code == 403
    with tenant_context(college):
        assert Company.objects.get(pk=company.pk).name == "Acme Corp"


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
    _, response = follow("http://alpha.localhost/admin/support/forged-token/")

    assert response.status_code == 403


def test_the_college_can_turn_support_access_off(ops, college, admin_client):
    admin_client.patch("/api/v1/settings/", {"support_access_enabled": False}, format="json")
    with tenant_context(college):
        assert CollegeSettings.load().support_access_enabled is False

    browser, response = follow(support_link(ops, college))

    assert response.status_code == 403
    assert browser.get("/admin/").status_code == 302  # no session was opened
