"""One admin site serves every host; these keep each model's admin on its own side: public
models (colleges, plans, billing, console) only on the root domain, college models only on
college hosts. Elsewhere the admin neither lists nor opens them."""

from django.conf import settings
from django.db import connection


def on_public_schema() -> bool:
    return connection.schema_name == settings.PUBLIC_SCHEMA_NAME


class PublicOnlyAdminMixin:
    def has_module_permission(self, request):
        return on_public_schema() and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return on_public_schema() and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return on_public_schema() and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return on_public_schema() and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return on_public_schema() and super().has_delete_permission(request, obj)


class CollegeOnlyAdminMixin:
    def has_module_permission(self, request):
        return not on_public_schema() and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return not on_public_schema() and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return not on_public_schema() and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return not on_public_schema() and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not on_public_schema() and super().has_delete_permission(request, obj)
