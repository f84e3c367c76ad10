"""The student's e-mail preferences: the categories of non-essential mail, on or off, through
the preferences service; essential mail is listed as always sent."""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import ValidationError

from core.web.decorators import STUDENT, page
from core.web.forms import attach_errors
from tenant_apps.notifications import services
from tenant_apps.notifications.models import Category
from tenant_apps.notifications.selectors import preference_of
from tenant_apps.notifications.serializers import PreferenceInput, PreferenceOutput


class PreferencesForm(forms.Form):
    drive_openings = forms.BooleanField(
        label=Category.DRIVE_OPENINGS.label,
        required=False,
        help_text=PreferenceOutput().fields["drive_openings"].help_text,
    )
    application_updates = forms.BooleanField(
        label=Category.APPLICATION_UPDATES.label,
        required=False,
        help_text=PreferenceOutput().fields["application_updates"].help_text,
    )


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD", "POST"])
def notifications(request):
    preference = preference_of(request.user)
    initial = {name: getattr(preference, name) for name in Category.values}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = PreferenceInput(data=form.cleaned_data)
        try:
            data.is_valid(raise_exception=True)
            services.preference_update(user=request.user, **data.validated_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Your e-mail preferences are saved.")
            return HttpResponseRedirect(request.path)
    return render(request, "notifications/student/preferences.html", {"form": form})
