"""The Placemate console: the Django admin of the root domain (OTP required), for operators."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from rest_framework.exceptions import ValidationError

from shared_apps.billing.models import Plan
from shared_apps.console import services
from shared_apps.console.models import OperatorAction
from shared_apps.console.support import support_link
from tenants.admin_mixins import PublicOnlyAdminMixin
from tenants.models import College, Domain

admin.site.site_header = "Placemate console"
admin.site.site_title = "Placemate console"
admin.site.index_title = "Platform"


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=True)


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ExtendTrialForm(OptionalReasonForm):
    days = forms.IntegerField(min_value=1, max_value=365, initial=14)


class ChangePlanForm(OptionalReasonForm):
    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), to_field_name="code")


class DropNowForm(ReasonForm):
    confirm = forms.CharField(
        help_text="Type DROP to delete the selected colleges' schemas and files now."
    )

    def clean_confirm(self):
        if self.cleaned_data["confirm"] != "DROP":
            raise forms.ValidationError("Type DROP in capitals to confirm.")
        return self.cleaned_data["confirm"]


def _college_action(*, name: str, title: str, form_class, service, extra=None):
    """An admin action that asks for its input on an intermediate page, then applies
    `service` to each selected college and reports per college."""

    def run(modeladmin, request, queryset):
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for college in queryset:
                try:
                    service(
                        request=request,
                        operator=request.user,
                        college=college,
                        **{**form.cleaned_data, **(extra or {})},
                    )
                    done += 1
                except ValidationError as exc:
                    problems = "; ".join(
                        str(message)
                        for messages_ in exc.detail.values()
                        for message in (messages_ if isinstance(messages_, list) else [messages_])
                    )
                    modeladmin.message_user(request, f"{college}: {problems}", messages.ERROR)
            if done:
                modeladmin.message_user(request, f"{title}: {done} college(s).", messages.SUCCESS)
            return None
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "colleges": queryset,
            "form": form,
            "action": name,
            "opts": modeladmin.model._meta,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return render(request, "console/action_form.html", context)

    run.__name__ = name
    run.short_description = title
    return run


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(College)
class CollegeAdmin(PublicOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "name", "subdomain", "status", "plan", "trial_ends_at", "created_at", "last_activity",
        "students", "staff", "drives", "applications", "storage_mb",
    ]  # fmt: skip
    list_filter = ["status", "plan"]
    search_fields = ["name", "subdomain", "usage__admin_email"]
    list_select_related = ["plan", "usage"]
    list_per_page = 100
    show_full_result_count = False
    readonly_fields = [
        "subdomain", "schema_name", "status", "status_reason", "plan", "trial_ends_at",
        "cancelled_at", "purged_at", "export_file", "created_at", "updated_at",
    ]  # fmt: skip
    fields = ["name", *readonly_fields]
    inlines = [DomainInline]
    actions = [
        _college_action(
            name="suspend", title="Suspend", form_class=ReasonForm,
            service=services.college_suspend,
        ),
        _college_action(
            name="reactivate", title="Reactivate", form_class=OptionalReasonForm,
            service=services.college_reactivate,
        ),
        _college_action(
            name="extend_trial", title="Extend the trial", form_class=ExtendTrialForm,
            service=services.trial_extend,
        ),
        _college_action(
            name="change_plan", title="Change the plan", form_class=ChangePlanForm,
            service=services.college_plan_change,
        ),
        _college_action(
            name="cancel", title="Cancel (export, delete after retention)",
            form_class=ReasonForm, service=services.college_cancel_by_operator,
        ),
        _college_action(
            name="drop_now", title="Drop now", form_class=DropNowForm,
            service=services.college_cancel_by_operator, extra={"drop_now": True},
        ),
        "support_session",
    ]  # fmt: skip

    @admin.action(description="Open a read-only support session")
    def support_session(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one college.", messages.ERROR)
            return None

        url = support_link(request=request, operator=request.user, college=queryset.get())
        return HttpResponseRedirect(url)

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(schema_name="public")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # colleges are cancelled, never deleted here
        return actions

    def has_add_permission(self, request):
        return False  # colleges sign up

    def has_delete_permission(self, request, obj=None):
        return False

    def _usage(self, college, field):
        snapshot = getattr(college, "usage", None)
        return getattr(snapshot, field) if snapshot else None

    @admin.display(description="Last activity", ordering="usage__last_activity_at")
    def last_activity(self, college):
        return self._usage(college, "last_activity_at")

    @admin.display(ordering="usage__students")
    def students(self, college):
        return self._usage(college, "students")

    @admin.display(ordering="usage__staff")
    def staff(self, college):
        return self._usage(college, "staff")

    @admin.display(ordering="usage__drives")
    def drives(self, college):
        return self._usage(college, "drives")

    @admin.display(ordering="usage__applications")
    def applications(self, college):
        return self._usage(college, "applications")

    @admin.display(description="Storage (MB)", ordering="usage__storage_mb")
    def storage_mb(self, college):
        return self._usage(college, "storage_mb")


@admin.register(OperatorAction)
class OperatorActionAdmin(PublicOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "operator_email", "action", "college_name", "reason", "ip"]
    list_filter = ["action"]
    search_fields = ["operator_email", "college_name", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
