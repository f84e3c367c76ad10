"""A college's members: invitations by its admin, and their acceptance."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from core.accounts import crypto, security, throttling
from core.accounts.adapter import college_link
from core.accounts.hooks import hooks
from core.accounts.models import STAFF_ROLES, Invitation, Role, User
from core.accounts.services.passwords import password_validate
from core.accounts.services.registration import (
    email_is_verified,
    email_mark_verified,
    unverified_accounts_reclaim,
)
from core.accounts.services.sessions import sessions_end_all
from core.api.errors import Conflict


def staff_seats_used() -> int:
    """Active staff members: what the plan's `max_staff` counts."""
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).count()


@transaction.atomic
def invitation_create(
    *, request, email: str, role: str, company_id: int | None, invited_by: User
) -> Invitation:
    email = email.strip().lower()
    if role == Role.RECRUITER:
        if company_id is None or not hooks.company_exists(company_id):
            raise ValidationError(
                {"company": ["A recruiter needs one of this college's companies."]}
            )
    else:
        company_id = None
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and email_is_verified(existing):
        raise Conflict("Somebody with this e-mail address already has an account.")
    throttling.mail_attempt(purpose="invitation", account=email)
    Invitation.objects.filter(email=email, accepted_at__isnull=True).delete()
    if role in STAFF_ROLES:  # pending staff invitations hold a seat of the plan
        pending = Invitation.objects.filter(
            role__in=STAFF_ROLES, accepted_at__isnull=True, expires_at__gt=timezone.now()
        ).count()
        hooks.ensure_room_for("max_staff", used=staff_seats_used() + pending)
    key = crypto.new_token()
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        company_id=company_id,
        key_hash=crypto.hash_token(key),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_EXPIRY_DAYS),
    )
    link = college_link(request, "invitation", key=key)
    college = connection.tenant
    context = {"invitation": invitation, "link": link, "college": college, "inviter": invited_by}
    transaction.on_commit(
        lambda: send_mail(
            subject=f"You are invited to {college.name} on Placemate",
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=None,
            recipient_list=[email],
        )
    )
    security.record("invitation_sent", request=request, user=invited_by, invited=email, role=role)
    return invitation


@transaction.atomic
def invitation_revoke(*, request, invitation: Invitation, actor: User) -> None:
    """Withdraw a pending invitation: its link stops working at once and a staff invitation's
    seat of the plan is free again. An accepted one is a member now (deactivate them instead).
    Recorded in the audit log as a security event, with whom it was for."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was accepted: deactivate the member instead.")
    email, role = invitation.email, invitation.role
    invitation.delete()
    security.record("invitation_revoked", request=request, user=actor, invited=email, role=role)


@transaction.atomic
def invitation_accept(*, request, key: str, password: str, first_name: str, last_name: str) -> User:
    throttling.token_attempt(request=request, purpose="invitation", token=key)
    invitation = (
        Invitation.objects.select_for_update().filter(key_hash=crypto.hash_token(key)).first()
    )
    if invitation is None or not invitation.is_usable:
        throttling.failure(request=request)
        raise ValidationError({"key": ["This invitation is invalid, used or expired."]})
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None and email_is_verified(existing):
        raise Conflict("Somebody with this e-mail address already has an account.")
    if invitation.role in STAFF_ROLES:
        hooks.ensure_room_for("max_staff")
    password_validate(
        password,
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
        field="password",
    )
    if existing is None:
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            role=invitation.role,
            first_name=first_name,
            last_name=last_name,
        )
    else:  # an unproven self sign-up on this address: the invited owner takes it over
        unverified_accounts_reclaim(user_ids=[existing.pk])
        user = User.objects.get(pk=existing.pk)
        user.role, user.first_name, user.last_name = invitation.role, first_name, last_name
        user.is_active = True
        user.set_password(password)
        user.save()
    email_mark_verified(user=user)  # the key came to this address
    if invitation.role == Role.RECRUITER:
        hooks.recruiter_attach(user=user, company_id=invitation.company_id)
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    security.record("invitation_accepted", request=request, user=user)
    return user


@transaction.atomic
def member_update(*, request, member: User, actor: User, **changes) -> User:
    """The admin changes a member's names, role or activity. Django's admin flags follow the
    role (User.save); a role change or a deactivation ends the member's sessions at once, so
    the old role's tokens and admin session stop working."""
    role_changed = changes.get("role", member.role) != member.role
    deactivated = member.is_active and changes.get("is_active", True) is False
    if member.pk == actor.pk and (role_changed or deactivated):
        raise ValidationError({"role": ["You cannot demote or deactivate yourself."]})
    for name, value in changes.items():
        setattr(member, name, value)
    member.save()
    if role_changed or deactivated:
        sessions_end_all(user=member)
        security.record(
            "member_changed", request=request, user=member, role=member.role,
            is_active=member.is_active, by=actor.pk,
        )  # fmt: skip
    return member
