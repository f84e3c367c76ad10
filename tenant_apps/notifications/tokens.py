"""Unsubscribe links: a signed token naming the college's schema, the user and the category.

The signature makes the token unforgeable; the schema makes it useless on any other college,
where the same user id belongs to somebody else."""

from datetime import timedelta

from django.core import signing
from django.db import connection

from tenant_apps.notifications.models import Category

SALT = "placemate.notifications.unsubscribe"
MAX_AGE = timedelta(days=365)


def unsubscribe_token(*, user_id: int, category: str) -> str:
    return signing.dumps({"s": connection.schema_name, "u": user_id, "c": category}, salt=SALT)


def unsubscribe_target(token: str) -> tuple[int, str] | None:
    """(user id, category) of a valid token of this college; None otherwise."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("s") != connection.schema_name:
        return None
    user_id, category = data.get("u"), data.get("c")
    if type(user_id) is not int or category not in Category.values:
        return None
    return user_id, category
