"""Password rules, resets through mailed links, and changes."""

from dj_rest_auth.app_settings import api_settings as rest_auth_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError

from core.accounts import security, throttling
from core.accounts.models import User
from core.accounts.services.lockout import login_failures_reset
from core.accounts.services.sessions import sessions_end_all


def password_validate(
    password: str, *, email: str, first_name: str = "", last_name: str = "", field: str
) -> None:
    """Django's validators (length, common, numeric, similarity to the person's details)."""
    candidate = User(email=email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ValidationError({field: list(exc.messages)}) from exc


def password_reset_confirm(*, request, data: dict) -> User:
    """A new password through a mailed reset or set-password link (API and page alike): the
    link is throttled per token, a wrong one spends the address's failure budget, and every
    session of the person ends (a stolen token stops working with the old password)."""
    token = f"{data.get('uid', '')}:{data.get('token', '')}"
    throttling.token_attempt(request=request, purpose="password_reset", token=token)
    serializer = rest_auth_settings.PASSWORD_RESET_CONFIRM_SERIALIZER(
        data=data, context={"request": request}
    )
    if not serializer.is_valid():
        throttling.failure(request=request)
        raise ValidationError(serializer.errors)
    serializer.save()
    user = serializer.user
    sessions_end_all(user=user)
    login_failures_reset(user=user)
    security.record("password_reset", request=request, user=user)
    return user


def password_changed(*, request, user: User) -> None:
    """After a password change by its owner: every other session ends (the caller hands
    this one fresh tokens)."""
    sessions_end_all(user=user)
    security.record("password_changed", request=request, user=user)
