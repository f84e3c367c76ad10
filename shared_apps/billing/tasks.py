from celery import shared_task

from shared_apps.billing.services import billing_enforce


@shared_task
def enforce() -> dict:
    """Periodic (beat): grace periods that ran out, subscriptions that ended long ago."""
    return billing_enforce()
