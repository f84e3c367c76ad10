"""Settings for the benchmarks: the local settings (same database and Redis as `make run`)
without DEBUG, with production's persistent connections (not the development server's none),
plus a floor route that skips tenancy entirely (through the JSON endpoints' middleware)."""

from config.settings.base import CONN_MAX_AGE
from config.settings.local import *  # noqa: F403
from config.settings.local import DATABASES, MIDDLEWARE

DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = CONN_MAX_AGE
MIDDLEWARE = [
    "deploy.bench.middleware.BenchTenantMiddleware"
    if name == "tenants.middleware.TenantResolutionMiddleware"
    else name
    for name in MIDDLEWARE
]
LOGGING = {"version": 1, "disable_existing_loggers": False}
# the floor view is a JSON endpoint: it measures the JSON stack without tenancy
JSON_ENDPOINT_PREFIXES = (*JSON_ENDPOINT_PREFIXES, "/floor/")  # noqa: F405
