from django.contrib import admin
from django_tenants.admin import TenantAdminMixin

from tenants.models import College, Domain


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(College)
class CollegeAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["name", "subdomain", "status", "plan", "trial_ends_at", "created_at"]
    list_filter = ["status", "plan"]
    search_fields = ["name", "subdomain"]
    list_select_related = ["plan"]
    readonly_fields = ["schema_name", "created_at", "updated_at"]
    inlines = [DomainInline]
