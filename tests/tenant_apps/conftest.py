import pytest

from shared_apps.billing.models import Plan


@pytest.fixture
def tiny_plan(college):
    """The college on a plan of 2 students, 1 open drive and 2 MB of files."""
    plan = Plan.objects.create(
        code="tiny-placement",
        name="Tiny",
        is_public=False,
        limits={"max_students": 2, "max_active_drives": 1, "max_staff": 5, "storage_mb": 2},
        features={},
    )
    college.plan = plan
    college.save()
    return plan
