from django.contrib import admin

from tenant_apps.companies.models import Company
from tenants.admin_mixins import CollegeOnlyAdminMixin


@admin.register(Company)
class CompanyAdmin(CollegeOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "industry", "created_at"]
    search_fields = ["name", "industry"]
