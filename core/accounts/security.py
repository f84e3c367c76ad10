"""Security events (logins, failures, lockouts, 2FA, passwords): written to the audit log of
the schema they happen in, with IP and user agent, and to the `placemate.security` logger."""

import logging

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Subquery

from core.accounts.models import User
from core.http import client_ip

logger = logging.getLogger("placemate.security")

SECURITY_ACTION = LogEntry.Action.ACCESS


def _users_content_type() -> Subquery:
    """The users' content type, read by the entry's INSERT itself: django-tenants empties
    Django's cache of content types whenever a connection changes schema (their ids differ
    between schemas), so `get_for_model` cost every event, every sign-in, a query of its own."""
    meta = User._meta
    return Subquery(
        ContentType.objects.filter(app_label=meta.app_label, model=meta.model_name).values("pk")
    )


def record(event: str, *, request=None, user=None, email: str | None = None, **data) -> None:
    ip = client_ip(request) if request is not None else None
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    subject = user.email if user is not None else (email or "").strip().lower()[:254]
    LogEntry.objects.create(
        content_type_id=_users_content_type(),
        object_pk=str(user.pk) if user is not None else "",
        object_id=user.pk if user is not None else None,
        object_repr=subject,
        action=SECURITY_ACTION,
        actor=user,
        actor_email=user.email if user is not None else None,
        remote_addr=ip,
        additional_data={"event": event, "user_agent": user_agent, **data},
    )
    logger.info("security event=%s user=%s ip=%s", event, user.pk if user is not None else "-", ip)
