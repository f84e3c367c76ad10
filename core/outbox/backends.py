from django.core.mail.backends.base import BaseEmailBackend

from core.outbox import sending


class OutboxEmailBackend(BaseEmailBackend):
    """Writes each message to the current schema's outbox, in the current transaction, and
    queues its delivery once that transaction commits."""

    def send_messages(self, email_messages) -> int:
        return sending.enqueue(list(email_messages))
