"""Relaying the outbox to the mail server (see core/outbox/__init__.py); writing to it is
core/outbox/sending.py."""

import base64
import logging
from datetime import timedelta
from email.mime.base import MIMEBase
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from psycopg2 import sql

from core import due
from core.outbox.models import OutboxMessage

logger = logging.getLogger("placemate.outbox")

TABLE = OutboxMessage._meta.db_table
DUE_KIND = "outbox"
RETENTION = timedelta(days=7)  # sent rows (subject only) are kept this long


# --- Messages as JSON --------------------------------------------------------------------------
def _attachment(item) -> dict:
    if isinstance(item, MIMEBase):
        filename, content, mimetype = (
            item.get_filename(),
            item.get_payload(decode=True),
            item.get_content_type(),
        )
    else:
        filename, content, mimetype = item
    if isinstance(content, str):
        content = content.encode()
    return {
        "filename": filename,
        "content": base64.b64encode(content).decode(),
        "mimetype": mimetype,
    }


def serialize(message: EmailMessage) -> dict:
    headers = dict(message.extra_headers)
    headers.setdefault("Message-ID", make_msgid(domain=settings.PLATFORM_DOMAIN))
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": headers,
        "content_subtype": message.content_subtype,
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": [_attachment(item) for item in message.attachments],
    }


def deserialize(data: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    message.content_subtype = data["content_subtype"]
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for item in data["attachments"]:
        message.attach(item["filename"], base64.b64decode(item["content"]), item["mimetype"])
    return message


# --- Out: to the mail server -------------------------------------------------------------------
def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def relay(schema_name: str, ids: list[int] | None = None, *, limit: int = 200) -> int:
    """Send the due messages of one schema (only `ids` if given), each at most once."""
    sent = 0
    with schema_context(schema_name):
        backend = get_connection(settings.OUTBOX_EMAIL_BACKEND, fail_silently=False)
        for _ in range(limit):
            with transaction.atomic():
                rows = OutboxMessage.objects.due()
                if ids is not None:
                    rows = rows.filter(pk__in=ids)
                row = rows.order_by("pk").select_for_update(skip_locked=True).first()
                if row is None:
                    break
                sent += _deliver(row, backend)
        cutoff = timezone.now() - RETENTION
        OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return sent


def _deliver(row: OutboxMessage, backend) -> int:
    """Hand one locked row to the mail server and record the outcome (caller's transaction)."""
    row.attempts += 1
    now = timezone.now()
    try:
        backend.send_messages([deserialize(row.message)])
    except Exception as exc:  # any failure of the mail server: retry later
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            row.failed_at = now
            logger.error(
                "outbox: giving up on message %s of %s after %d attempts: %s",
                row.pk,
                connection.schema_name,
                row.attempts,
                type(exc).__name__,
            )
        else:
            row.next_attempt_at = now + backoff(row.attempts)
            logger.warning(
                "outbox: message %s of %s failed (attempt %d): %s",
                row.pk,
                connection.schema_name,
                row.attempts,
                type(exc).__name__,
            )
        row.save(update_fields=["attempts", "last_error", "failed_at", "next_attempt_at"])
        return 0
    row.sent_at = now
    row.message = {"subject": row.message.get("subject", "")}
    row.last_error = ""
    row.save(update_fields=["attempts", "sent_at", "message", "last_error"])
    return 1


def schemas_with_due_messages() -> list[str]:
    """The public schema and the colleges holding due messages: one indexed query of the
    schemas noted as holding mail (core.due), then one statement per 500 of those; the
    fleet's size does not matter."""
    connection.set_schema_to_public()
    return due.schemas_due(
        DUE_KIND,
        table=TABLE,
        pending=sql.SQL("sent_at IS NULL AND failed_at IS NULL"),
        due="next_attempt_at",
    )


def relay_pending() -> int:
    """The sweep: relay every schema's due messages (those whose queued task never ran)."""
    return sum(relay(schema_name) for schema_name in schemas_with_due_messages())
