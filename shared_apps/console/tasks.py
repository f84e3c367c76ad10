from celery import shared_task

from shared_apps.console.services import usage_refresh, usage_refresh_all
from tenants.models import College


@shared_task
def refresh_usage(college_id: int) -> None:
    college = College.objects.filter(pk=college_id, purged_at__isnull=True).first()
    if college is not None and not college.is_public:
        usage_refresh(college=college)


@shared_task
def refresh_all_usage() -> int:
    """Periodic (beat): the usage snapshot of every college written to since its last one."""
    return usage_refresh_all()
