from django_filters.rest_framework import DjangoFilterBackend


class QuietDjangoFilterBackend(DjangoFilterBackend):
    """django-filter, except that a request without any filter parameter does not pay for
    building (deep-copying) the FilterSet: the lists' common case."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None and not (
            request.query_params.keys() & filterset_class.base_filters.keys()
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
