"""Django caches ContentType rows per database alias; with a schema per college the same alias
holds one content-type table per schema, so the cache must be keyed by schema too."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection


class SchemaKeyedCache(dict):
    @staticmethod
    def _key(using):
        return (using, connection.schema_name)

    def __getitem__(self, using):
        return super().__getitem__(self._key(using))

    def __contains__(self, using):
        return super().__contains__(self._key(using))

    def get(self, using, default=None):
        return super().get(self._key(using), default)

    def setdefault(self, using, default=None):
        return super().setdefault(self._key(using), default)


def install() -> None:
    ContentType.objects._cache = SchemaKeyedCache()
