"""Self sign-up, the first admin of a college, and e-mail verification."""

import contextlib

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import F
from django.test import RequestFactory
from django_tenants.utils import tenant_context
from rest_framework.exceptions import ValidationError

from core.accounts import security, throttling
from core.accounts.errors import PermissionDenied
from core.accounts.models import CollegeSettings, Role, User
from core.accounts.services.passwords import password_validate
from core.accounts.services.sessions import refresh_tokens_revoke_all
from core.accounts.tokens import current_host


def email_is_verified(user: User) -> bool:
    return EmailAddress.objects.filter(user=user, email=user.email, verified=True).exists()


def email_mark_verified(*, user: User) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def unverified_accounts_reclaim(*, user_ids: list[int]) -> list[int]:
    """Staff vouch for these addresses (a student they create or import, a member invited):
    an account on one of them that nobody proved by its mailed link may have been registered
    by somebody else, waiting for the owner to click the confirmation mail. Such an account
    loses its password, its sessions and its pending confirmation links, and its address
    counts as verified: the owner sets a password through the mail they are sent now.
    Returns the ids of the accounts reclaimed; proven accounts are left alone."""
    proven = EmailAddress.objects.filter(
        user_id__in=user_ids, verified=True, email__iexact=F("user__email")
    ).values_list("user_id", flat=True)
    reclaimed = list(
        User.objects.filter(pk__in=user_ids).exclude(pk__in=proven).values_list("pk", flat=True)
    )
    if not reclaimed:
        return []
    User.objects.filter(pk__in=reclaimed).update(
        password=make_password(None), token_version=F("token_version") + 1
    )
    for user in User.objects.filter(pk__in=reclaimed):
        refresh_tokens_revoke_all(user=user)
    EmailConfirmation.objects.filter(email_address__user_id__in=reclaimed).delete()
    EmailAddress.objects.filter(user_id__in=reclaimed).delete()
    EmailAddress.objects.bulk_create(
        EmailAddress(user_id=pk, email=email, verified=True, primary=True)
        for pk, email in User.objects.filter(pk__in=reclaimed).values_list("pk", "email")
    )
    return reclaimed


def college_admin_create(
    *, request, email: str, password: str, first_name: str, last_name: str, verified: bool
) -> User:
    """The first admin of a new college (called inside the college's schema)."""
    user = User.objects.create_user(
        email=email.strip().lower(),
        password=password,
        role=Role.ADMIN,
        first_name=first_name,
        last_name=last_name,
        is_staff=True,
        is_superuser=True,
    )
    address = EmailAddress.objects.create(
        user=user, email=user.email, primary=True, verified=verified
    )
    if not verified:
        college = connection.tenant
        transaction.on_commit(lambda: _send_verification(request, address, college=college))
    return user


@transaction.atomic
def student_register(
    *, request, email: str, password: str, first_name: str, last_name: str
) -> User:
    if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        raise PermissionDenied("Sign-up happens on a college's own host.")
    college_settings = CollegeSettings.load()
    if not college_settings.self_signup_enabled:
        raise PermissionDenied("This college does not allow students to sign up themselves.")
    email = email.strip().lower()
    if not college_settings.allows_student_email(email):
        domains = ", ".join(college_settings.student_email_domains) or "none"
        raise ValidationError({"email": [f"Use your college e-mail address ({domains})."]})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": ["An account with this e-mail address already exists."]})
    password_validate(
        password, email=email, first_name=first_name, last_name=last_name, field="password1"
    )
    user = User.objects.create_user(
        email=email,
        password=password,
        role=Role.STUDENT,
        first_name=first_name,
        last_name=last_name,
    )
    address = EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    transaction.on_commit(lambda: _send_verification(request, address))
    security.record("registered", request=request, user=user)
    return user


def _send_verification(request, address: EmailAddress, *, college=None) -> None:
    # allauth renders its mails within its per-request context, which is gone if the commit
    # happens after the request (a task, a test's transaction): set it up again, in the
    # college's schema when the request was served elsewhere (a sign-up on the root domain).
    with contextlib.ExitStack() as stack:
        if college is not None:
            stack.enter_context(tenant_context(college))
        if request is None:  # provisioned from a command or task: links still need a host
            request = RequestFactory().get("/", secure=not settings.DEBUG, HTTP_HOST=current_host())
        stack.enter_context(allauth_context.request_context(request))
        address.send_confirmation(request, signup=True)


@transaction.atomic
def email_verify(*, request, key: str) -> None:
    throttling.token_attempt(request=request, purpose="verify_email", token=key)
    confirmation = (
        EmailConfirmation.objects.all_valid()
        .select_related("email_address")
        .filter(key=key)
        .first()
    )
    if confirmation is None:
        throttling.failure(request=request)
        raise ValidationError({"key": ["This link is invalid or has expired."]})
    confirmation.confirm(request)
