"""Celery application; tasks carry the college they run for (tenant-schemas-celery)."""

import os

from django_structlog.celery.steps import DjangoStructLogInitStep
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = CeleryApp("placemate")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# a worker's task lines carry the request id (and user) of the request that queued the task
app.steps["worker"].add(DjangoStructLogInitStep)
