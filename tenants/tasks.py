from celery import shared_task

from tenants.lifecycle import colleges_purge_due, trials_expire
from tenants.pool import pool_fill


@shared_task
def expire_trials() -> int:
    """Periodic (beat): colleges whose trial is over become read-only."""
    return trials_expire()


@shared_task
def purge_cancelled() -> int:
    """Periodic (beat): drop cancelled colleges' schemas and files after the retention."""
    return colleges_purge_due()


@shared_task(ignore_result=True)
def refill_schema_pool() -> int:
    """After a sign-up, and periodically: clone the template until the pool is full again."""
    return pool_fill()
