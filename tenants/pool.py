"""A small pool of schemas cloned from the template ahead of time, so that a sign-up renames one
(`ALTER SCHEMA ... RENAME`, milliseconds) instead of cloning (hundreds of milliseconds).

- `pool_fill()` (a Celery task after every sign-up, and on beat) tops the pool up to
  `TENANT_SCHEMA_POOL_SIZE`, one clone per transaction.
- `schema_take(target)` runs in the sign-up's transaction: it takes the oldest pooled schema
  whose migrations marker equals the template's (a pooled schema never lags the template:
  `migrate_fleet` migrates pooled schemas too, and one it has not reached yet is skipped), locks
  its row with SKIP LOCKED (two sign-ups racing never get the same schema; the second takes the
  next one), renames it and moves its marker. If the sign-up rolls back, so does all of it.
- An empty pool (or none current) answers None: the sign-up clones, as before.

A schema's objects are bound to it by OID, never by name (identity sequences, foreign keys,
defaults), so a renamed schema is the same as one cloned under the new name (tested).
"""

import logging
import uuid

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import schema_exists
from psycopg2 import sql

from tenants import cloning, fleet
from tenants.models import PooledSchema

logger = logging.getLogger("placemate.tenancy")

PREFIX = "pool_"


def pool_schemas() -> list[str]:
    return list(PooledSchema.objects.values_list("schema_name", flat=True))


def schema_take(target: str) -> bool:
    """Make a pooled schema into `target`, in the caller's transaction. False if none is ready."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            DELETE FROM public.tenants_pooledschema WHERE id = (
                SELECT p.id FROM public.tenants_pooledschema p
                JOIN public.tenants_schemamigrations m ON m.schema_name = p.schema_name
                WHERE m.digest = (SELECT digest FROM public.tenants_schemamigrations
                                  WHERE schema_name = %s)
                ORDER BY p.id LIMIT 1 FOR UPDATE OF p SKIP LOCKED
            ) RETURNING schema_name
            """,
            [settings.TENANT_TEMPLATE_SCHEMA],
        )
        row = cursor.fetchone()
        if row is None:
            return False
        (pooled,) = row
        cursor.execute(
            sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                sql.Identifier(pooled), sql.Identifier(target)
            )
        )
        cursor.execute(
            "UPDATE public.tenants_schemamigrations SET schema_name = %s, updated_at = now() "
            "WHERE schema_name = %s",
            [target, pooled],
        )
    return True


def pool_fill(*, size: int | None = None) -> int:
    """Clone the template until the pool holds `size` schemas (TENANT_SCHEMA_POOL_SIZE).
    Returns how many were added. Safe to run concurrently: an advisory lock lets one run."""
    size = settings.TENANT_SCHEMA_POOL_SIZE if size is None else size
    if size <= 0:
        return 0
    if not schema_exists(settings.TENANT_TEMPLATE_SCHEMA):
        return 0  # the release step (migrate_fleet) creates it
    added = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext('placemate.schema_pool'))")
        if not cursor.fetchone()[0]:
            return 0  # another worker is filling it
    try:
        while PooledSchema.objects.count() < size:
            name = f"{PREFIX}{uuid.uuid4().hex[:16]}"
            with transaction.atomic():
                # the catalog read in the same transaction as the marker copied below
                cloning.clone_schema(settings.TENANT_TEMPLATE_SCHEMA, name)
                fleet.schema_mark_like(name, settings.TENANT_TEMPLATE_SCHEMA)
                PooledSchema.objects.create(schema_name=name)
            added += 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext('placemate.schema_pool'))")
    if added:
        logger.info("schema pool: %d added", added)
    return added


def pool_drain() -> int:
    """Drop every pooled schema (a shrunk pool, tests)."""
    dropped = 0
    for name in pool_schemas():
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
                )
            fleet.schema_forget(name)
            PooledSchema.objects.filter(schema_name=name).delete()
        dropped += 1
    return dropped
