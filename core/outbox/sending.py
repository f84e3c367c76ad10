"""In: writing mail to the outbox from the sender's transaction, and queueing its relay."""

import logging

from django.core.mail import EmailMessage
from django.db import connection, transaction

from core import due
from core.outbox.models import OutboxMessage
from core.outbox.relay import DUE_KIND, serialize
from core.outbox.tasks import relay as relay_task
from core.queueing import publish

logger = logging.getLogger("placemate.outbox")


def enqueue(messages: list[EmailMessage]) -> int:
    """Store `messages` in the current schema's outbox; queue their delivery after the commit."""
    if not messages:
        return 0
    rows = OutboxMessage.objects.bulk_create(
        [OutboxMessage(message=serialize(message)) for message in messages]
    )
    due.note(DUE_KIND)  # the sweep's pointer to this schema, in the same transaction
    schema_name = connection.schema_name
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: queue_relay(schema_name, ids))
    return len(rows)


def queue_relay(schema_name: str, ids: list[int]) -> None:
    """Ask a worker to relay `ids` now. Never fails the sender: with the broker down, the
    periodic sweep relays them once it is back."""
    try:
        publish(relay_task, args=[schema_name, ids])
    except Exception as exc:  # broker unreachable: the rows wait for the sweep
        logger.warning(
            "outbox: could not queue %d message(s) of %s (%s); the periodic relay will send them",
            len(ids),
            schema_name,
            type(exc).__name__,
        )
