"""The form renderer of the workspace: Django's, except that the plain widgets (`<input>` of
every type, `<select>` with its options, `<textarea>`) are written in Python instead of through
three template includes each. The HTML is the same character for character as Django's
templates write it (`django/forms/widgets/input.html`, `attrs.html`, `select.html`,
`select_option.html`, `textarea.html`); anything else (radio buttons, multi-widgets, a widget
with a template of its own) is rendered by the templates as before.

A page with a hundred fields (a drive's editor, a student's profile) spent most of its time in
the template engine rendering them, one render context per widget and per option."""

from html import escape

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

WIDGETS = "django/forms/widgets/"
INPUTS = frozenset(
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)  # fmt: skip  (the templates that are only `{% include "django/forms/widgets/input.html" %}`)
SELECT = f"{WIDGETS}select.html"
OPTION = f"{WIDGETS}select_option.html"
TEXTAREA = f"{WIDGETS}textarea.html"


class QuickRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if len(context) == 1 else None
        if isinstance(widget, dict):
            if template_name in INPUTS:
                return _input(widget)
            if template_name == SELECT:
                html = _select(widget)
                if html is not None:
                    return html
            if template_name == TEXTAREA:
                return _textarea(widget)
        return super().render(template_name, context, request)


_CONTEXT = Context(autoescape=True)


def _text(value) -> str:
    """`{{ value }}`: localized, then escaped unless safe (a plain `str` at once: the labels of
    a thousand options)."""
    if type(value) is str:
        return escape(value, quote=True)
    return render_value_in_context(value, _CONTEXT)


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: `str()`, escaped unless the value was safe."""
    if type(value) is str:
        return escape(value, quote=True)
    if type(value) is int:
        return str(value)
    if isinstance(value, tuple):
        value = str(value)
    text = "%s" % value  # noqa: UP031 (the filter's own operation)
    return text if hasattr(value, "__html__") else conditional_escape(text)


def _attrs(attrs: dict) -> str:
    """`attrs.html`: `True` a bare attribute, `False` none, anything else `name="value"`."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return SafeString(
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION:
                return None  # an option of its own: the templates render the whole select
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"  # (the include's last line break)
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return SafeString("".join(parts))


def _textarea(widget: dict) -> str:
    value = widget["value"]
    return SafeString(
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )
