"""Base viewsets of the API kit."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from core.accounts.models import Role

DELETED_PARAMETER = OpenApiParameter(
    "deleted", str, enum=["only"], description="Admins only: list soft-deleted rows instead."
)


class SoftDeleteModelViewSet(viewsets.ModelViewSet):
    """CRUD over a `SoftDeleteModel`: DELETE hides the row (204), admins list deleted rows with
    `?deleted=only` and bring one back with `POST {id}/restore/`.

    Subclasses define `get_base_queryset()` (the caller's scope, alive and deleted rows alike)."""

    def get_base_queryset(self):
        return self.queryset.model.all_objects.all()

    def _wants_deleted(self) -> bool:
        if self.action == "restore":
            return True
        deleted = self.request.query_params.get("deleted")
        if deleted is None:
            return False
        if deleted != "only":
            raise ValidationError({"deleted": ['The only accepted value is "only".']})
        if self.request.user.role != Role.ADMIN:
            raise PermissionDenied("Only admins can see deleted rows.")
        return True

    def get_queryset(self):
        queryset = self.get_base_queryset()
        return queryset.deleted() if self._wants_deleted() else queryset.alive()

    def perform_destroy(self, instance) -> None:
        instance.delete()

    @extend_schema(request=None, parameters=[])
    @action(detail=True, methods=["post"])
    def restore(self, request, *args, **kwargs):
        if request.user.role != Role.ADMIN:
            raise PermissionDenied("Only admins can restore deleted rows.")
        instance = self.get_object()
        self.perform_restore(instance)
        return Response(self.restored_output(instance))

    def perform_restore(self, instance) -> None:
        instance.restore()

    def restored_output(self, instance) -> dict:
        return self.get_serializer(instance).data

    @extend_schema(parameters=[DELETED_PARAMETER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
