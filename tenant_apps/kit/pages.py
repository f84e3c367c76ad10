"""Lists on workspace pages, as the API lists them: the caller's scope, the app's FilterSet, its
search fields and orderings, then one page of rows through the app's read model (a count, the
page's ids and its rows: the same few queries whatever the page holds). And `QuickSelect`, the
`<select>` of the pages' long choices (drives, companies, rounds)."""

from collections.abc import Iterable
from html import escape

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.safestring import mark_safe

from tenant_apps.kit.readmodel import ReadModel
from tenant_apps.kit.viewsets import PageRows

PER_PAGE = 20


def filtered(queryset: QuerySet, filterset_class, params) -> QuerySet:
    """The FilterSet's filters that `params` name; a value it refuses is ignored, as the API's
    filter backend does for a list without that parameter."""
    if not params.keys() & filterset_class.base_filters.keys():
        return queryset
    return filterset_class(params, queryset=queryset).qs


def searched(queryset: QuerySet, fields: Iterable[str], text: str) -> QuerySet:
    """Every word of `text` in one of `fields` (DRF's `SearchFilter` rule)."""
    for word in text.split():
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


def ordered(queryset: QuerySet, ordering: str, allowed: Iterable[str], default: tuple) -> QuerySet:
    """`ordering` (`field` or `-field`) when `allowed`, else `default`; ties by id."""
    if ordering.lstrip("-") in allowed:
        return queryset.order_by(ordering, "-id" if ordering.startswith("-") else "id")
    return queryset.order_by(*default)


def page_of(request, queryset: QuerySet, read_model: ReadModel, per_page: int = PER_PAGE) -> Page:
    """The `?page=` of `queryset` (the last page for a number past it), as read-model rows."""
    paginator = Paginator(PageRows(queryset, read_model), per_page)
    return paginator.get_page(request.GET.get("page"))


class QuickSelect(forms.Select):
    """Django's `<select>`, written in plain Python instead of one template include (and its
    escaping machinery) per option: the same HTML, but the thousand drives of a big college cost
    a few milliseconds instead of most of the page's time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_escaped(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group, options, _ in widget["optgroups"]:
            if group:
                parts.append(f'<optgroup label="{_escaped(group)}">')
            parts += [
                f'<option value="{_escaped(option["value"])}"{_attributes(option["attrs"])}>'
                f"{_escaped(option['label'])}</option>"
                for option in options
            ]
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # noqa: S308 (every value above is escaped)


def _escaped(value) -> str:
    """`conditional_escape` without its per-call wrappers: safe text as it is, the rest escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value), quote=True)


def _attributes(attrs: dict) -> str:
    """`flatatt`'s rule: `True` a bare attribute, `False` and `None` none."""
    return "".join(
        f" {key}" if item is True else f' {key}="{_escaped(item)}"'
        for key, item in attrs.items()
        if item is not False and item is not None
    )
