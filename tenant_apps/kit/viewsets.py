"""A base viewset for the placement resources: scoped, soft-deleting, and fast to list.

Lists and details are built from read-model rows (`.values()` with joins and `ARRAY` subqueries,
compiled once: see readmodel.py) shaped by plain functions, not by nested ModelSerializers: a
page costs the same few queries whatever its size, and a fraction of a millisecond to serialise.
Serializers remain for input validation and for the OpenAPI documentation of the output.

A page (its total and its output) is also kept in the college's data cache (core/datacache.py),
per user and exact URL, until the next write to one of the tables it is read from
(`datacache_models`, every write when None): reading it again costs no query,
and authentication reads it in the same Redis round trip as the user (`datacache_keys`). The
output is kept as JSON and sent as is; where it depends on the clock (an offer's `is_expired`,
`output_is_timeless = False`) the rows are kept instead and shaped on every read."""

import functools
import hashlib

import orjson
from django.apps import apps
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.response import Response

from core import datacache
from core.api.renderers import json_bytes
from core.api.viewsets import DELETED_PARAMETER, SoftDeleteModelViewSet
from tenant_apps.kit.filters import QuietDjangoFilterBackend
from tenant_apps.kit.permissions import ActionRoles
from tenant_apps.kit.readmodel import ReadModel

FILTER_BACKENDS = [QuietDjangoFilterBackend, SearchFilter, OrderingFilter]


class PageRows:
    """What the paginator pages: the count and the page's ids come from the caller's filtered
    queryset (without the read model's joins and subqueries), the rows from the read model."""

    def __init__(self, queryset: QuerySet, read_model: ReadModel) -> None:
        self.queryset = queryset
        self.read_model = read_model
        self.ordered = queryset.ordered

    def count(self) -> int:
        self.total = self.read_model.count(self.queryset)
        return self.total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict]:
        return self.read_model.rows(list(self.queryset.values_list("pk", flat=True)[index]))


class CachedPageRows:
    """A page read before, for the same user and URL: what the paginator asked of it then."""

    ordered = True

    def __init__(self, total: int, rows: list[dict]) -> None:
        self.total = total
        self.rows = rows

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: slice) -> list[dict]:
        return self.rows


@functools.cache
def _tables_of(models: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The tables of `datacache_models`, looked up once (twice a request otherwise)."""
    if models is None:
        return None
    return tuple(sorted({apps.get_model(name)._meta.db_table for name in models}))


def paginated_rows(view, queryset: QuerySet, read_model: ReadModel) -> list[dict]:
    """The rows of the asked page of `queryset` (the caller's scope, filtered) through
    `read_model`, the paginator of `view` set up for the response's pagination block: the total,
    the ids and the rows in one statement (`ReadModel.page`), else (the "last" page) the count
    first, as Django's paginator asks."""
    paginator = view.paginator
    bounds = paginator.page_slice(view.request)
    if bounds is None:
        return list(view.paginate_queryset(PageRows(queryset, read_model)))
    total, rows = read_model.page(queryset, *bounds)
    # checks the page number against the total (404 past the last page), as for a counted one
    return list(view.paginate_queryset(CachedPageRows(total, rows)))


class ReadModelViewSet(SoftDeleteModelViewSet):
    """Subclasses define `get_base_queryset()` (the caller's scope, deleted rows included),
    `read_model` and `to_output(row)`."""

    permission_classes = [ActionRoles]
    filter_backends = FILTER_BACKENDS
    action_roles: dict = {}
    read_model: ReadModel
    # `to_output(row)` depends on the row and the user only, not on the clock: a cached page
    # is kept as the JSON of its output. Otherwise (an offer's `is_expired`) its rows are kept
    # and shaped again on every read.
    output_is_timeless = True
    # The models a page is read from, for every role (its scope, filters, search and read
    # model), as "app_label.Model": a write to another table leaves cached pages in place.
    # None: any write drops them. (tests/core/test_datacache.py checks the lists' reads.)
    datacache_models: tuple[str, ...] | None = None
    http_method_names = ["get", "post", "patch", "delete", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # OpenAPI generation: no user
            return self.queryset.model.objects.none()
        return super().get_queryset()

    def to_output(self, row: dict) -> dict:
        return row

    def output_for(self, pk) -> dict:
        """The output of a row the caller was allowed to reach (looked up by them already)."""
        rows = self.read_model.rows([int(pk)])
        if not rows:
            raise NotFound()
        return self.to_output(rows[0])

    @classmethod
    def datacache_tables(cls) -> tuple[str, ...] | None:
        return _tables_of(cls.datacache_models)

    def datacache_keys(self, request, user_id: int) -> dict:
        """What authentication reads from the data cache with the user (one round trip): each
        key with the tables its entry depends on."""
        if self.action != "list" or not datacache.enabled():
            return {}
        return {self._page_key(request, user_id): self.datacache_tables()}

    @staticmethod
    def _page_key(request, user_id) -> str:
        url = request.get_full_path().encode()
        return f"list:{user_id}:{hashlib.blake2b(url, digest_size=16).hexdigest()}"

    @extend_schema(parameters=[DELETED_PARAMETER])
    def list(self, request, *args, **kwargs):
        key = self._page_key(request, request.user.pk)
        version, cached = datacache.lookup(
            key, getattr(request, "datacache", None), self.datacache_tables()
        )
        if not datacache.is_missing(cached):
            total, page = cached
            if self.output_is_timeless:  # `page` is the output's JSON
                self.paginate_queryset(CachedPageRows(total, []))  # the pagination block
                return self.get_paginated_response(orjson.Fragment(page))
            page = self.paginate_queryset(CachedPageRows(total, page))
            return self.get_paginated_response([self.to_output(row) for row in page])
        page = paginated_rows(self, self.filter_queryset(self.get_queryset()), self.read_model)
        total = self.paginator.page.paginator.count
        output = [self.to_output(row) for row in page]
        if version is None:
            pass  # the cache off (DATA_CACHE_SECONDS=0) or no Redis: nothing would be kept
        elif self.output_is_timeless:  # kept as its JSON: read again, it is sent as is
            datacache.store(key, version, (total, json_bytes(output)))
        else:
            datacache.store(key, version, (total, page))
        return self.get_paginated_response(output)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.output_for(self.get_object().pk))

    def restored_output(self, instance) -> dict:  # restore() is SoftDeleteModelViewSet's
        return self.output_for(instance.pk)
