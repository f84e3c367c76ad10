"""Celery application; tasks carry the college they run for (tenant-schemas-celery)."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = CeleryApp("placemate")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
