from django.contrib import admin

from tenant_apps.companies.models import Company


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "created_at"]
    search_fields = ["name", "industry"]
