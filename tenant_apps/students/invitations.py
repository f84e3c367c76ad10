"""The set-password mails of accounts staff create: one by one (`student_create`) or for the
students of an import (queued by tasks.py after the import's commit)."""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string

from core.accounts.models import User


def account_created_send(*, user: User, link: str) -> None:
    college = connection.tenant
    send_mail(
        subject=f"Your Placemate account at {college.name}",
        message=render_to_string(
            "students/email/account_created.txt", {"user": user, "link": link, "college": college}
        ),
        from_email=None,
        recipient_list=[user.email],
    )


def students_invite_send(*, user_ids: list[int], link_base: str) -> int:
    """Sends each new account its set-your-password link (the mail of `student_create`)."""
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"):
        token = default_token_generator.make_token(user)
        link = f"{link_base}?uid={user_pk_to_url_str(user)}&token={token}"
        account_created_send(user=user, link=link)
        sent += 1
    return sent
