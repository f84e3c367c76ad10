"""Host → college resolution, cached in Redis so that a warm request costs no database query.

Entries are dropped whenever a College or Domain row changes (see `tenants.signals`), right away
and again once the transaction commits, so no reader re-caches the state being replaced.
"""

from django.conf import settings
from django.core.cache import caches

from tenants.models import College, Domain

NOT_FOUND = "-"


def _cache():
    return caches["tenancy"]


def _key(hostname: str) -> str:
    return f"host:{hostname}"


def resolve_host(hostname: str) -> College | None:
    cache = _cache()
    key = _key(hostname)
    cached = cache.get(key)
    if cached == NOT_FOUND:
        return None
    if cached is not None:
        return cached
    try:
        domain = Domain.objects.select_related("tenant").get(domain=hostname)
    except Domain.DoesNotExist:
        cache.set(key, NOT_FOUND, settings.TENANT_NEGATIVE_CACHE_TIMEOUT)
        return None
    cache.set(key, domain.tenant, settings.TENANT_CACHE_TIMEOUT)
    return domain.tenant


def forget_hosts(hostnames) -> None:
    keys = [_key(hostname) for hostname in hostnames]
    if keys:
        _cache().delete_many(keys)
