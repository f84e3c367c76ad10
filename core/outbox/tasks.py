from celery import shared_task

from core.outbox import relay as outbox


@shared_task(ignore_result=True)
def relay(schema_name: str, ids: list[int] | None = None) -> int:
    """Queued after the commit that wrote `ids`: send them now."""
    return outbox.relay(schema_name, ids)


@shared_task(ignore_result=True)
def relay_pending() -> int:
    """Periodic (beat): send what no queued task sent (broker down at the time, worker lost)."""
    return outbox.relay_pending()
