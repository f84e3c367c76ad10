"""Self sign-up, the first admin of a college, and e-mail verification."""

import contextlib

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.core import context as allauth_context
from django.conf import settings
from django.db import connection, transaction
from django.test import RequestFactory
from django_tenants.utils import tenant_context
from rest_framework.exceptions import ValidationError

from core.accounts import security, throttling
from core.accounts.errors import PermissionDenied
from core.accounts.models import CollegeSettings, Role, User
from core.accounts.services.passwords import password_validate
from core.accounts.tokens import current_host


def email_is_verified(user: User) -> bool:
    return EmailAddress.objects.filter(user=user, email=user.email, verified=True).exists()


def email_mark_verified(*, user: User) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


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
