"""Usage snapshots follow the rows they count: a change schedules a refresh of that college's
snapshot after commit (at most one pending per college at a time)."""

import logging

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from shared_apps.console.tasks import refresh_usage

logger = logging.getLogger("placemate.console")

COUNTED_MODELS = ("accounts.User", "students.Student", "drives.Drive", "applications.Application")
DEBOUNCE_SECONDS = 30


def _schedule_refresh(sender, **kwargs) -> None:
    college_id = getattr(getattr(connection, "tenant", None), "pk", None)
    if college_id is None or connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return  # no college (public schema, or a bare schema_context)

    def refresh() -> None:
        if not caches["tenancy"].add(f"usage-refresh:{college_id}", 1, DEBOUNCE_SECONDS):
            return
        try:
            refresh_usage.apply_async(args=[college_id], countdown=DEBOUNCE_SECONDS)
        except Exception as exc:  # broker down: the hourly refresh catches up; never fail
            logger.warning("usage refresh not queued for college %s: %s", college_id, exc)

    transaction.on_commit(refresh)


for label in COUNTED_MODELS:
    try:
        model = apps.get_model(label)
    except LookupError:
        continue
    post_save.connect(_schedule_refresh, sender=model, dispatch_uid=f"usage-{label}-save")
    post_delete.connect(_schedule_refresh, sender=model, dispatch_uid=f"usage-{label}-delete")
