"""`QuickSelect` writes the HTML of Django's own `<select>` (the forms' attributes, the chosen
option, groups, escaping), only faster."""

import re

from django import forms
from django.utils.safestring import mark_safe

from tenant_apps.kit.pages import QuickSelect

CHOICES = [
    ("", "All drives"),
    (1, 'Analyst · "Acme" & <Sons>'),
    ("Rounds of Drive 2", [(2, "1. Aptitude"), (3, mark_safe("2. <b>HR</b>"))]),
]


class DriveForm(forms.Form):
    quick = forms.TypedChoiceField(
        label="Drive", coerce=int, choices=CHOICES, help_text="Any drive.", widget=QuickSelect
    )
    django = forms.TypedChoiceField(
        label="Drive", coerce=int, choices=CHOICES, help_text="Any drive."
    )


def compact(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).replace("id_quick", "id_x").replace("quick", "x")


def as_django(html: str) -> str:
    return compact(html).replace("id_django", "id_x").replace("django", "x")


def test_the_html_is_djangos_for_a_chosen_option_and_groups():
    form = DriveForm({"quick": "3", "django": "3"})
    assert compact(form["quick"]) == as_django(form["django"])
    assert '<option value="3" selected>2. <b>HR</b></option>' in str(form["quick"])
    assert "&quot;Acme&quot; &amp; &lt;Sons&gt;" in str(form["quick"])


def test_the_html_is_djangos_for_a_refused_value_with_attributes():
    form = DriveForm({"quick": "x", "django": "x"})
    assert not form.is_valid()
    extra = {"hx-get": "/office/?a=1&b=2", "required": True, "disabled": False}
    quick = form["quick"].as_widget(attrs=extra)
    assert compact(quick) == as_django(form["django"].as_widget(attrs=extra))
    assert 'aria-invalid="true"' in quick and 'hx-get="/office/?a=1&amp;b=2"' in quick
    assert " required" in quick and "disabled" not in quick and "selected" not in quick
