"""Settings for the benchmarks: the local settings (same database and Redis as `make run`)
without DEBUG, plus a floor route that skips tenancy entirely."""

from config.settings.local import *  # noqa: F403
from config.settings.local import MIDDLEWARE

DEBUG = False
MIDDLEWARE = [
    "deploy.bench.middleware.BenchTenantMiddleware"
    if name == "tenants.middleware.TenantResolutionMiddleware"
    else name
    for name in MIDDLEWARE
]
LOGGING = {"version": 1, "disable_existing_loggers": False}
