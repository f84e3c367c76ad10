from zoneinfo import available_timezones

from django import forms

from shared_apps.billing.models import Plan
from tenants.models import DEFAULT_TIME_ZONE

TIME_ZONES = sorted(zone for zone in available_timezones() if "/" in zone or zone == "UTC")


class SignupForm(forms.Form):
    college_name = forms.CharField(label="College name", max_length=200)
    subdomain = forms.CharField(
        label="Sub-domain",
        max_length=30,
        help_text="3-30 characters: a-z, 0-9 and '-'.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-check-subdomain": "1"}),
    )
    admin_first_name = forms.CharField(label="Your first name", max_length=150)
    admin_last_name = forms.CharField(label="Your last name", max_length=150, required=False)
    admin_email = forms.EmailField(label="Your e-mail address")
    admin_password = forms.CharField(
        label="Password", widget=forms.PasswordInput, help_text="At least 10 characters."
    )
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.public(), to_field_name="code", required=False, empty_label=None
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=[(zone, zone.replace("_", " ")) for zone in TIME_ZONES],
        initial=DEFAULT_TIME_ZONE,
        help_text="Every date in your workspace, its mails and calendar invitations uses it.",
        widget=forms.Select(attrs={"data-browser-time-zone": "1"}),
    )
