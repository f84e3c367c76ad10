"""Who may do what: roles per viewset action, checked so that rows outside the caller's scope
answer 404 before any role check could answer 403.

A viewset declares `action_roles = {"list": ALL, "create": STAFF, "*": STAFF, ...}`. Actions on
the collection (`list`, `create`, `me`...) are refused with 403 when the role is not listed.
Actions on one row (`retrieve`, `update`, `verify`...) first look the row up in the caller's
scoped queryset (404 when it is not theirs), and only then check the role (403)."""

from rest_framework.permissions import BasePermission

from core.accounts.models import STAFF_ROLES, Role

STAFF = STAFF_ROLES  # the office (core.accounts.models), named for `action_roles`
RECRUITER = frozenset({Role.RECRUITER})
STUDENT = frozenset({Role.STUDENT})
STAFF_AND_RECRUITER = STAFF | RECRUITER
ALL = STAFF | RECRUITER | STUDENT


def roles_for(view) -> frozenset[str]:
    roles = view.action_roles
    return roles.get(getattr(view, "action", None), roles.get("*", frozenset()))


class ActionRoles(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.role in ALL):
            return False
        if getattr(view, "detail", False) and view.action != "metadata":
            return True  # decided in has_object_permission, once the row is known to be theirs
        return user.role in roles_for(view)

    def has_object_permission(self, request, view, obj) -> bool:
        return request.user.role in roles_for(view)
