from typing import ClassVar

from django_filters.rest_framework import DjangoFilterBackend


class QuietDjangoFilterBackend(DjangoFilterBackend):
    """django-filter, except that

    - the FilterSet of a view's `filterset_fields` is built once per view and model, not on
      every request (django-filter declares that class afresh each time it is asked for);
    - a request without any filter parameter does not pay for building (deep-copying) the
      FilterSet: the lists' common case."""

    _classes: ClassVar[dict] = {}  # (view class, model) -> the FilterSet class, per process

    def get_filterset_class(self, view, queryset=None):
        if getattr(view, "filterset_class", None) or queryset is None:
            return super().get_filterset_class(view, queryset)
        key = (type(view), queryset.model)
        filterset_class = self._classes.get(key)
        if filterset_class is None:
            filterset_class = self._classes[key] = super().get_filterset_class(view, queryset)
        return filterset_class

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not (
            request.query_params.keys() & filterset_class.base_filters.keys()
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
