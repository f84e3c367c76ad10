from django.contrib import admin

from shared_apps.billing.models import Plan, StripeEvent, Subscription, SubscriptionStatusChange
from tenants.admin_mixins import PublicOnlyAdminMixin


class ReadOnlyAdmin(PublicOnlyAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(PublicOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "price_monthly", "currency", "is_public", "sort_order"]


class StatusChangeInline(admin.TabularInline):
    model = SubscriptionStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "college_status", "event_id", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["college", "plan", "status", "current_period_end", "cancel_at_period_end"]
    list_filter = ["status", "plan"]
    search_fields = ["college__name", "college__subdomain", "stripe_customer_id"]
    list_select_related = ["college", "plan"]
    inlines = [StatusChangeInline]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "created", "processed_at"]
    list_filter = ["type"]
    search_fields = ["id"]
