from django.core.cache import cache
from django_redis import get_redis_connection
from django_tenants.utils import tenant_context


def test_cache_keys_are_prefixed_by_the_college_schema(college, other_college):
    with tenant_context(college):
        cache.set("dashboard", "alpha's figures")
    with tenant_context(other_college):
        assert cache.get("dashboard") is None
        cache.set("dashboard", "beta's figures")
    with tenant_context(college):
        assert cache.get("dashboard") == "alpha's figures"

    raw_keys = sorted(get_redis_connection("default").keys("*dashboard"))
    assert raw_keys == [
        f"{college.schema_name}::1:dashboard".encode(),
        f"{other_college.schema_name}::1:dashboard".encode(),
    ]


def test_delete_in_one_college_leaves_the_other_alone(college, other_college):
    for tenant in (college, other_college):
        with tenant_context(tenant):
            cache.set("stats", tenant.subdomain)
    with tenant_context(college):
        cache.delete("stats")
    with tenant_context(other_college):
        assert cache.get("stats") == other_college.subdomain
