"""Read-only support sessions: an operator opens a college's admin as a view-only user, for two
minutes' worth of link and thirty of session, recorded in the operator audit log (public) and
in the college's own audit log. The college's admin can turn support access off."""

import hashlib

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.models import Permission
from django.core import signing
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpResponseForbidden, HttpResponseRedirect
from django_otp import login as otp_login

from core.accounts import security
from core.accounts.models import CollegeSettings, RecoveryCodeDevice, Role, User
from shared_apps.console.services import operator_action_record
from tenants.models import College

SALT = "placemate.support-session"
LINK_SECONDS = 120
SESSION_SECONDS = 30 * 60
SUPPORT_EMAIL = "support@placemate.invalid"
# Secrets that even a read-only support session does not see.
HIDDEN_APPS = ("token_blacklist", "sessions")
HIDDEN_MODELS = ("loginchallenge", "totpdevice", "recoverycodedevice", "recoverycode", "invitation")


def support_link(*, request, operator, college: College) -> str:
    """A one-time link into `college`'s admin, logged as the operator's action."""
    token = signing.dumps(
        {"college": college.pk, "operator": operator.pk, "email": operator.email}, salt=SALT
    )
    operator_action_record(
        request=request, operator=operator, college=college, action="support_session"
    )
    port = request.get_port()
    host = f"{college.subdomain}.{settings.PLATFORM_DOMAIN}"
    host += f":{port}" if port not in ("80", "443") else ""
    return f"{request.scheme}://{host}/admin/support/{token}/"


def _support_user() -> tuple[User, RecoveryCodeDevice]:
    user, created = User.objects.get_or_create(
        email=SUPPORT_EMAIL,
        defaults={"role": Role.SUPPORT, "is_staff": True, "first_name": "Placemate support"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.user_permissions.set(
            Permission.objects.filter(codename__startswith="view_")
            .exclude(content_type__app_label__in=HIDDEN_APPS)
            .exclude(content_type__model__in=HIDDEN_MODELS)
        )
    # The operator's console login is the second factor of this session.
    device, _ = RecoveryCodeDevice.objects.get_or_create(
        user=user, name="Placemate operator session", defaults={"confirmed": True}
    )
    return user, device


def support_session_open(request, token: str):
    """College host: exchange a support link for a read-only admin session."""
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
        user, device = _support_user()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        otp_login(request, device)
        request.session.set_expiry(SESSION_SECONDS)
        request.session["support_operator"] = data["email"]
        security.record(
            "support_session_opened", request=request, user=user, operator=data["email"]
        )
    return HttpResponseRedirect("/admin/")
