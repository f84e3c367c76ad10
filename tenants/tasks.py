from celery import shared_task

from tenants.lifecycle import colleges_purge_due, trials_expire


@shared_task
def expire_trials() -> int:
    """Periodic (beat): colleges whose trial is over become read-only."""
    return trials_expire()


@shared_task
def purge_cancelled() -> int:
    """Periodic (beat): drop cancelled colleges' schemas and files after the retention."""
    return colleges_purge_due()
