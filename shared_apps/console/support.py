"""Read-only support sessions: an operator opens a college's workspace as a view-only user, for
two minutes' worth of link and thirty of session, recorded in the operator audit log (public) and
in the college's own audit log. The college's admin can turn support access off.

The session is the workspace's own sign-in (an access token in the `access_token` cookie, no
refresh token, so it ends when the token does); the workspace lets the support role read every
page of the placement office and refuses every write (core/web/decorators.py)."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpResponseForbidden, HttpResponseRedirect

from core.accounts import security
from core.accounts.models import CollegeSettings, Role, User
from core.accounts.tokens import tokens_for
from core.links import workspace_url
from shared_apps.console.services import operator_action_record
from tenants.models import College

SALT = "placemate.support-session"
LINK_SECONDS = 120
SESSION_SECONDS = 30 * 60
SUPPORT_EMAIL = "support@placemate.invalid"


def support_link(*, request, operator, college: College) -> str:
    """A one-time link into `college`'s workspace, logged as the operator's action."""
    token = signing.dumps(
        {"college": college.pk, "operator": operator.pk, "email": operator.email}, salt=SALT
    )
    operator_action_record(
        request=request, operator=operator, college=college, action="support_session"
    )
    host = f"{college.subdomain}.{settings.PLATFORM_DOMAIN}"
    return workspace_url(f"/support/{token}/", host=host, request=request)


def _support_user() -> User:
    user, created = User.objects.get_or_create(
        email=SUPPORT_EMAIL, defaults={"role": Role.SUPPORT, "first_name": "Placemate support"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def support_session_open(request, token: str):
    """College host: exchange a support link for a read-only workspace session."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_SECONDS)
    except signing.BadSignature:
        return HttpResponseForbidden("This support link is invalid or has expired.")
    if data.get("college") != connection.tenant.pk:
        return HttpResponseForbidden("This support link is for another college.")
    if not CollegeSettings.load().support_access_enabled:
        return HttpResponseForbidden("This college has turned support access off.")
    used = hashlib.sha256(token.encode()).hexdigest()
    if not caches["tenancy"].add(f"support-link:{used}", 1, LINK_SECONDS + 60):
        return HttpResponseForbidden("This support link has been used already.")
    with transaction.atomic():
        user = _support_user()
        security.record(
            "support_session_opened", request=request, user=user, operator=data["email"]
        )
    # the operator's console sign-in (password and TOTP) is this session's second factor
    access = tokens_for(user, otp_verified=True).access_token
    access.set_exp(lifetime=timedelta(seconds=SESSION_SECONDS))
    response = HttpResponseRedirect("/office/")
    response.set_cookie(
        settings.REST_AUTH["JWT_AUTH_COOKIE"],
        str(access),
        max_age=SESSION_SECONDS,
        httponly=True,
        secure=settings.REST_AUTH["JWT_AUTH_SECURE"],
        samesite=settings.REST_AUTH["JWT_AUTH_SAMESITE"],
    )
    response.delete_cookie(settings.REST_AUTH["JWT_AUTH_REFRESH_COOKIE"])
    return response
