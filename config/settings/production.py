"""Production settings: no default for anything secret or deployment-specific."""

import environ

_env = environ.Env()
for _name in (
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "PLATFORM_DOMAIN",
    "EMAIL_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
):
    _env(_name)  # ImproperlyConfigured: "Set the <name> environment variable"

from .base import *  # noqa: E402, F403
from .base import database_from_url, env  # noqa: E402

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
DATABASES = {"default": database_from_url(env("DATABASE_URL"))}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# Mail goes through the transactional outbox (core.outbox): a request that sends mail needs
# neither the broker nor the mail server to be up.
EMAIL_OUTBOX = env.bool("EMAIL_OUTBOX", default=True)
if EMAIL_OUTBOX:
    EMAIL_BACKEND = "core.outbox.backends.OutboxEmailBackend"
