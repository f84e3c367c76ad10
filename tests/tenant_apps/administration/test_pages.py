"""The placement head's settings, members and audit log pages: the API's serializers and
services (placement policy, branding by plan, invitations and seats, roles), one college only."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts import security
from core.accounts.models import CollegeSettings, Invitation, Role, User
from shared_apps.billing.models import Plan
from tests.conftest import make_user
from tests.tenant_apps.factories import make_company, make_recruiter
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

SETTINGS = "/office/settings/"
MEMBERS = "/office/members/"
INVITE = "/office/members/invite/"
AUDIT = "/office/audit/"
ADMIN_PAGES = (SETTINGS, MEMBERS, AUDIT)


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


def post(client, form_page: str, path: str, data: dict):
    token = csrf_of(client.get(form_page))
    return client.post(path, {"csrfmiddlewaretoken": token, **data})


def stored(college) -> CollegeSettings:
    with tenant_context(college):
        return CollegeSettings.load()


SETTINGS_FORM = {
    "one_offer_policy": "on",
    "dream_ctc_threshold": "2000000",
    "self_signup_enabled": "on",
    "student_email_domains": "Students.Alpha.edu\nalpha.edu",
    "support_access_enabled": "on",
}


@pytest.fixture
def admin_page(college, college_admin):
    return page_client(college, college_admin, csrf=True)


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_are_for_the_placement_head_only(college, college_admin, coordinator, path):
    assert page_client(college, college_admin).get(path).status_code == 200
    assert page_client(college, coordinator).get(path).status_code == 403
    assert page_client(college, make_user(college, Role.STUDENT)).get(path).status_code == 403
    assert page_client(college).get(path)["Location"].startswith("/sign-in/")


# --- Settings ------------------------------------------------------------------------------------


def test_the_settings_are_saved_through_the_apis_serializer(college, admin_page):
    response = post(admin_page, SETTINGS, SETTINGS, SETTINGS_FORM)

    assert response.status_code == 302
    saved = stored(college)
    assert saved.one_offer_policy and saved.self_signup_enabled
    assert str(saved.dream_ctc_threshold) == "2000000.00"
    assert saved.student_email_domains == ["alpha.edu", "students.alpha.edu"]
    assert saved.support_access_enabled and not saved.require_2fa_for_staff


def test_a_bad_domain_is_explained_and_what_was_typed_stays(college, admin_page):
    response = post(
        admin_page, SETTINGS, SETTINGS, {**SETTINGS_FORM, "student_email_domains": "not a domain"}
    )

    body = text_of(response)
    assert response.status_code == 400
    assert 'id="error-student_email_domains"' in body
    assert "2000000" in body  # the threshold typed is still there
    assert stored(college).student_email_domains == []


def test_branding_is_offered_only_on_plans_that_have_it(college, admin_page):
    body = text_of(admin_page.get(SETTINGS))
    assert 'id="branding-unavailable"' in body and "Enterprise" in body
    assert 'name="brand_name"' not in body

    college.plan = Plan.objects.get(code="enterprise")
    college.save()
    saved = post(admin_page, SETTINGS, SETTINGS, {**SETTINGS_FORM, "brand_name": "Alpha Careers"})
    bad = post(admin_page, SETTINGS, SETTINGS, {**SETTINGS_FORM, "brand_color": "red"})

    assert saved.status_code == 302
    assert stored(college).brand_name == "Alpha Careers"
    assert bad.status_code == 400 and 'id="error-brand_color"' in text_of(bad)


def test_settings_belong_to_one_college(college, other_college, admin_page):
    post(admin_page, SETTINGS, SETTINGS, SETTINGS_FORM)

    assert stored(other_college).one_offer_policy is False
    beta = page_client(other_college, make_user(other_college, Role.ADMIN))
    assert "alpha.edu" not in text_of(beta.get(SETTINGS))


# --- Members -------------------------------------------------------------------------------------


def test_members_are_listed_with_role_status_and_2fa(college, college_admin, coordinator):
    company = make_company(college, "Acme Hiring")
    make_recruiter(college, company, "hr@acme.example")

    body = text_of(page_client(college, college_admin).get(MEMBERS))

    assert coordinator.email in body and "hr@acme.example" in body
    assert "Acme Hiring" in body
    assert "That is you" in body
    assert f'id="deactivate-{coordinator.pk}"' in body


def test_an_invitation_goes_through_the_service_and_is_pending(
    college, admin_page, django_capture_on_commit_callbacks
):
    company = make_company(college, "Acme Hiring")

    preselected = text_of(admin_page.get(MEMBERS, {"company": company.pk}))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            admin_page,
            MEMBERS,
            INVITE,
            {"email": "HR@acme.example", "role": "recruiter", "company": str(company.pk)},
        )

    assert f'<option value="{company.pk}" selected>' in preselected
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["hr@acme.example"]
    assert "hr@acme.example" in text_of(admin_page.get(MEMBERS))
    with tenant_context(college):
        assert Invitation.objects.get(email="hr@acme.example").company_id == company.pk


def test_invitation_errors_are_shown_on_the_form(college, admin_page, coordinator):
    no_company = post(admin_page, MEMBERS, INVITE, {"email": "r@x.example", "role": "recruiter"})
    taken = post(admin_page, MEMBERS, INVITE, {"email": coordinator.email, "role": "coordinator"})

    assert no_company.status_code == 400
    assert 'id="error-company"' in text_of(no_company)
    assert 'value="r@x.example"' in text_of(no_company)
    assert taken.status_code == 400 and "already has an account" in text_of(taken)


def test_the_plans_staff_seats_are_a_clear_message(college, admin_page, coordinator):
    # the trial plan has 3 staff seats: the admin, the coordinator, and one invitation
    first = post(admin_page, MEMBERS, INVITE, {"email": "c1@alpha.example", "role": "coordinator"})
    second = post(admin_page, MEMBERS, INVITE, {"email": "c2@alpha.example", "role": "coordinator"})

    assert first.status_code == 302
    assert second.status_code == 400
    assert "Your plan allows 3 staff members" in text_of(second)


def test_a_role_change_and_deactivation_use_the_members_rules(college, college_admin, admin_page):
    member = make_user(college, Role.COORDINATOR, "coord2@alpha.example")

    promoted = post(admin_page, MEMBERS, f"/office/members/{member.pk}/", {"role": "admin"})
    deactivated = post(admin_page, MEMBERS, f"/office/members/{member.pk}/", {"is_active": "false"})
    myself = post(admin_page, MEMBERS, f"/office/members/{college_admin.pk}/", {"role": "student"})
    shown = text_of(admin_page.get(MEMBERS))

    assert promoted.status_code == deactivated.status_code == myself.status_code == 302
    with tenant_context(college):
        member.refresh_from_db()
        assert (member.role, member.is_active) == (Role.ADMIN, False)
        assert User.objects.get(pk=college_admin.pk).role == Role.ADMIN
    assert "You cannot demote or deactivate yourself." in shown


def test_members_of_another_college_are_not_found(college, other_college, admin_page):
    with tenant_context(other_college):
        stranger = User.objects.create_user(
            pk=987654, email="stranger@beta.example", role=Role.COORDINATOR
        )

    response = post(admin_page, MEMBERS, f"/office/members/{stranger.pk}/", {"role": "admin"})
    body = text_of(admin_page.get(MEMBERS))

    assert response.status_code == 404
    assert "stranger@beta.example" not in body
    with tenant_context(other_college):
        assert User.objects.get(pk=stranger.pk).role == Role.COORDINATOR


def test_the_member_list_costs_the_same_queries_for_few_or_many(college, college_admin):
    client = page_client(college, college_admin)

    def count_for(n: int) -> int:
        for i in range(n):
            make_user(college, Role.STUDENT, f"bulk{n}-{i}@alpha.example")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(MEMBERS)
        assert response.status_code == 200
        return len(queries)

    client.get(MEMBERS)
    assert count_for(1) == count_for(15)


# --- Audit log -----------------------------------------------------------------------------------


def test_the_audit_log_shows_changes_and_security_events(college, college_admin, admin_page):
    post(admin_page, SETTINGS, SETTINGS, SETTINGS_FORM)
    make_company(college, "Logged Co")
    with tenant_context(college):
        security.record("login_failed", email="intruder@x.example")

    everything = text_of(admin_page.get(AUDIT))
    security_only = text_of(admin_page.get(AUDIT, {"action": "security"}))
    companies = text_of(admin_page.get(AUDIT, {"model": "company"}))

    assert "Logged Co" in everything
    assert "login failed" in security_only and "Logged Co" not in security_only
    assert "Logged Co" in companies and "login failed" not in companies


def test_the_audit_log_filters_by_actor_and_dates(college, college_admin, admin_page):
    with tenant_context(college):
        security.record("login", user=college_admin)
        security.record("login_failed", email="someone@x.example")

    mine = text_of(admin_page.get(AUDIT, {"actor": college_admin.pk}))
    future = text_of(admin_page.get(AUDIT, {"since": "2999-01-01"}))
    bad = admin_page.get(AUDIT, {"since": "not-a-date"})

    assert ">login<" in mine and "someone@x.example" not in mine
    assert "Nothing in the log" in future
    assert bad.status_code == 200 and 'id="audit-errors"' in text_of(bad)


def test_the_audit_log_is_the_colleges_own(college, other_college, admin_page):
    make_company(other_college, "Beta Secret Co")

    assert "Beta Secret Co" not in text_of(admin_page.get(AUDIT))


def test_the_audit_log_costs_the_same_queries_for_few_or_many(college, college_admin):
    client = page_client(college, college_admin)

    def count_for(n: int) -> int:
        for i in range(n):
            make_company(college, f"Audited {n}-{i}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(AUDIT)
        assert response.status_code == 200
        return len(queries)

    client.get(AUDIT)
    assert count_for(1) == count_for(12)


def test_a_pending_invitation_is_withdrawn_from_the_members_page(
    college, college_admin, admin_page
):
    # given a pending invitation on the members page
    post(admin_page, MEMBERS, INVITE, {"email": "late@alpha.example", "role": "coordinator"})
    with tenant_context(college):
        invitation = Invitation.objects.get(email="late@alpha.example")
    before = text_of(admin_page.get(MEMBERS))

    # when the admin withdraws it
    response = post(admin_page, MEMBERS, f"/office/members/invitations/{invitation.pk}/revoke/", {})

    # then it is gone from the list, its link is dead, and the audit log shows for whom
    after = admin_page.get(response["Location"])
    assert f'id="revoke-{invitation.pk}"' in before
    assert response.status_code == 302
    assert "The invitation of late@alpha.example is withdrawn." in text_of(after)
    assert f'id="invitation-{invitation.pk}"' not in text_of(after)
    with tenant_context(college):
        assert not Invitation.objects.filter(pk=invitation.pk).exists()
    log = text_of(admin_page.get(AUDIT, {"action": "security"}))
    assert "invitation revoked" in log and "for late@alpha.example" in log


def test_only_the_admin_withdraws_and_only_their_colleges_invitations(
    college, other_college, college_admin, coordinator, admin_page
):
    with tenant_context(other_college):
        theirs = Invitation.objects.create(
            pk=424242, email="x@beta.example", role="coordinator", key_hash="k" * 64,
            expires_at=timezone.now() + timedelta(days=3),
        )  # fmt: skip
    coordinator_page = page_client(college, coordinator, csrf=True)

    as_coordinator = coordinator_page.post(f"/office/members/invitations/{theirs.pk}/revoke/")
    other_college_id = post(
        admin_page, MEMBERS, f"/office/members/invitations/{theirs.pk}/revoke/", {}
    )

    assert as_coordinator.status_code == 403
    assert other_college_id.status_code == 404
    with tenant_context(other_college):
        assert Invitation.objects.filter(pk=theirs.pk).exists()
