"""Rendering notification mail: templates `notifications/<kind>.{subject.txt,txt,html}` with the
college's name and branding; links to the college's own host; HTML escapes every value."""

from dataclasses import dataclass

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.accounts.policies import college_settings
from core.links import workspace_base
from tenant_apps.notifications.tokens import unsubscribe_token
from tenants.services import college_host

DEFAULT_COLOR = "#1f4e79"


@dataclass(frozen=True)
class Branding:
    college_name: str
    name: str  # the brand name, else the college's
    color: str
    footer: str
    base_url: str  # the college's own workspace: scheme, host and port
    time_zone: str  # every time in a mail is in the college's zone


def branding() -> Branding:
    """The current college's branding (its settings from the data cache)."""
    college = connection.tenant
    policy = college_settings()
    return Branding(
        college_name=college.name,
        name=policy.brand_name or college.name,
        color=policy.brand_color or DEFAULT_COLOR,
        footer=policy.email_footer,
        base_url=workspace_base(college_host(college.subdomain)),
        time_zone=college.time_zone,
    )


def unsubscribe_url(brand: Branding, *, user_id: int, category: str) -> str:
    token = unsubscribe_token(user_id=user_id, category=category)
    return f"{brand.base_url}{reverse('notifications-unsubscribe')}?token={token}"


def render(
    kind: str,
    *,
    to: str,
    context: dict,
    brand: Branding,
    user_id: int,
    category: str | None,
    attachments: tuple = (),
) -> EmailMultiAlternatives:
    """One message of `kind` to `to`. Non-essential mail (`category` given) carries an
    unsubscribe link, also as `List-Unsubscribe` headers for one-click unsubscribing."""
    headers = {}
    unsubscribe = None
    if category is not None:
        unsubscribe = unsubscribe_url(brand, user_id=user_id, category=category)
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    context = {**context, "brand": brand, "unsubscribe_url": unsubscribe}
    with timezone.override(brand.time_zone):
        subject = render_to_string(f"notifications/{kind}.subject.txt", context)
        body = render_to_string(f"notifications/{kind}.txt", context)
        html = render_to_string(f"notifications/{kind}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # one line: a header
        body=body,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(*attachment)
    return message


def send(messages: list[EmailMultiAlternatives], *, mail_connection=None) -> int:
    """Sends `messages` over one connection (the outbox in production)."""
    if not messages:
        return 0
    if mail_connection is None:
        with get_connection() as mail_connection:
            return mail_connection.send_messages(messages) or 0
    return mail_connection.send_messages(messages) or 0
