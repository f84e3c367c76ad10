"""Lists on workspace pages, as the API lists them: the caller's scope, the app's FilterSet, its
search fields and orderings, then one page of rows through the app's read model (a count, the
page's ids and its rows: the same few queries whatever the page holds)."""

from collections.abc import Iterable

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

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
