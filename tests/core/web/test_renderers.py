"""The workspace's form renderer writes the plain widgets exactly as Django's templates do."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from core.web.renderers import QuickRenderer


class Everything(forms.Form):
    text = forms.CharField(
        widget=forms.TextInput(attrs={"placeholder": 'Say "hi" & <go>', "autofocus": True})
    )
    number = forms.DecimalField()
    when = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    email = forms.EmailField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    agree = forms.BooleanField(required=False)
    upload = forms.FileField(required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    empty_notes = forms.CharField(widget=forms.Textarea, required=False)
    choice = forms.ChoiceField(
        choices=[("", "Any"), ("a", "A & <b>"), (2026, 2026), ("s", mark_safe("<em>safe</em>"))]
    )
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("x", "Other")]
    )
    many = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two")], required=False)
    radio = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    split = forms.SplitDateTimeField(required=False)


DATA = {
    "text": "O'Neil <script>",
    "number": Decimal("12.50"),
    "when": datetime.datetime(2026, 12, 1, 9, 30),
    "day": datetime.date(2026, 12, 1),
    "secret": "s3&cret",
    "hidden": mark_safe("<kept>"),
    "agree": True,
    "notes": "line one\n<two> & 'three'",
    "choice": "a",
    "grouped": "pear",
    "many": [1, 2],
    "radio": "b",
}


@pytest.mark.parametrize("bound", [False, True])
def test_every_widget_is_written_as_djangos_templates_write_it(bound):
    # given the same form, bound and unbound, with values that need escaping
    make = (
        (lambda r: Everything(DATA, renderer=r))
        if bound
        else (lambda r: Everything(initial=DATA, renderer=r))
    )
    quick, django = make(QuickRenderer()), make(DjangoTemplates())
    for name in Everything.base_fields:
        # then each widget's HTML is identical, and so is a whole field group
        assert str(quick[name]) == str(django[name]), name
        assert quick[name].as_field_group() == django[name].as_field_group(), name
    assert str(quick) == str(django)


def test_the_workspace_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    get_default_renderer.cache_clear()
    try:
        assert isinstance(get_default_renderer(), QuickRenderer)
    finally:
        get_default_renderer.cache_clear()
