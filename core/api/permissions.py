from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.accounts.models import Role


class HasRole(BasePermission):
    """Allows users whose role is in `roles` (set by subclasses or `HasRole.of(...)`)."""

    roles: frozenset[str] = frozenset()

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role in self.roles)

    @classmethod
    def of(cls, *roles: str) -> type["HasRole"]:
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": frozenset(roles)})


class IsCollegeAdmin(HasRole):
    roles = frozenset({Role.ADMIN})


class IsCollegeStaff(HasRole):
    roles = frozenset({Role.ADMIN, Role.COORDINATOR})


class StaffWriteAuthenticatedRead(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or user.role in IsCollegeStaff.roles
