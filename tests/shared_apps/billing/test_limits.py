"""Plan limits where rows are created: N-1 and N fit, N+1 is `402 plan_limit_reached`."""

import pytest
from django_tenants.utils import tenant_context

from core.accounts.models import Role, User
from shared_apps.billing import limits
from shared_apps.billing.models import Plan
from tests.conftest import client_for, make_user


@pytest.fixture
def tiny_plan(college):
    plan = Plan.objects.create(
        code="tiny",
        name="Tiny",
        is_public=False,
        limits={"max_students": 2, "max_active_drives": 1, "max_staff": 3, "storage_mb": 1},
        features={"assessments": False, "recommendations": True, "exports": False},
    )
    college.plan = plan
    college.save()
    return plan


def invite(client, n: int):
    return client.post(
        "/api/v1/users/invite/",
        {"email": f"staff{n}@alpha.edu", "role": Role.COORDINATOR},
        format="json",
    )


def test_staff_invitations_stop_at_the_plan_limit(college, tiny_plan, admin_client):
    # given the admin (1 of 3 seats)
    # when inviting two coordinators (2 of 3, then 3 of 3) and a third
    second, third, fourth = (
        invite(admin_client, 1),
        invite(admin_client, 2),
        invite(admin_client, 3),
    )

    # then
    assert second.status_code == third.status_code == 201
    assert fourth.status_code == 402
    error = fourth.json()["error"]
    assert error["code"] == "plan_limit_reached"
    assert error["details"] == {"limit": "max_staff", "allowed": 3, "used": 3, "adding": 1}


def test_recruiter_and_student_seats_are_not_staff(college, tiny_plan, admin_client):
    from tenant_apps.companies.models import Company

    with tenant_context(college):
        company = Company.objects.create(name="Acme")
        for n in range(3):
            User.objects.create_user(email=f"c{n}@alpha.edu", role=Role.COORDINATOR)

    response = admin_client.post(
        "/api/v1/users/invite/",
        {"email": "r@acme.com", "role": Role.RECRUITER, "company": company.pk},
        format="json",
    )

    assert response.status_code == 201


def test_a_downgrade_keeps_existing_rows_and_blocks_new_ones(college, tiny_plan, admin_client):
    # given more staff than the new plan allows (the plan changed under them)
    for n in range(4):
        make_user(college, Role.COORDINATOR, f"existing{n}@alpha.edu")

    # then everybody still works, but nobody new joins
    with tenant_context(college):
        existing = User.objects.get(email="existing0@alpha.edu")
    assert client_for(college, existing).get("/api/v1/companies/").status_code == 200
    assert invite(admin_client, 9).status_code == 402


def test_the_limit_counts_in_the_college_it_applies_to(college, other_college, tiny_plan):
    for n in range(3):
        make_user(other_college, Role.COORDINATOR, f"busy{n}@beta.edu")

    other_college.plan = tiny_plan  # beta on the same plan, at 3 of 3
    other_college.save()

    with tenant_context(college):
        limits.ensure_room_for("max_staff")  # alpha has no staff: fits
    with tenant_context(other_college), pytest.raises(limits.PlanLimitReached):
        limits.ensure_room_for("max_staff")


def test_a_disabled_feature_is_named(college, tiny_plan):
    with tenant_context(college), pytest.raises(limits.PlanLimitReached) as refused:
        limits.ensure_feature("exports")

    assert refused.value.details == {"feature": "exports", "plan": "tiny"}
    assert "exports" in refused.value.message
    with tenant_context(college):
        limits.ensure_feature("recommendations")  # enabled: no error
