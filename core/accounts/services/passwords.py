"""Password rules."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError

from core.accounts.models import User


def password_validate(
    password: str, *, email: str, first_name: str = "", last_name: str = "", field: str
) -> None:
    """Django's validators (length, common, numeric, similarity to the person's details)."""
    candidate = User(email=email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ValidationError({field: list(exc.messages)}) from exc
