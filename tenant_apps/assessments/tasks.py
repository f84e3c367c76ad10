from celery import shared_task

from tenant_apps.assessments.sweep import expire_overdue_everywhere


@shared_task(ignore_result=True)
def expire_overdue() -> int:
    """Periodic (beat): submit and score the attempts whose deadline passed, in every college
    (those nobody touched since; a call on an overdue attempt submits it at once)."""
    return expire_overdue_everywhere()
