import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django_tenants.management.commands.migrate_schemas import Command as MigrateSchemas
from django_tenants.migration_executors import get_executor

from tenants import fleet
from tenants.services import public_tenant_ensure, template_ensure


class Command(BaseCommand):
    help = (
        "Migrate the public schema, the template schema and every college schema that is "
        "behind (found in one indexed query of the markers in public), colleges in parallel. "
        "Cheap when nothing is to migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only report what is behind.")
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Read every schema's own migration table instead of trusting the markers "
            "(slow: for a fleet whose schemas were changed by hand).",
        )
        parser.add_argument(
            "--executor", default="multiprocessing", choices=["standard", "multiprocessing"]
        )

    def handle(self, *args, check: bool, verify: bool, executor: str, verbosity: int, **options):
        started = time.monotonic()
        if fleet.public_is_behind():
            if check:
                self.stdout.write("public schema: behind")
            else:
                call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        if not check:
            public_tenant_ensure()  # a first deploy: the root domain must answer at once
            template_ensure()
        schemas = fleet.fleet_schemas()
        behind = fleet.fleet_behind(schemas, verify=verify, mark=not check)
        checked = time.monotonic() - started
        self.stdout.write(
            f"{len(behind)} of {len(schemas)} college schemas behind (checked in {checked:.2f} s)"
        )
        if check or not behind:
            return
        parser = MigrateSchemas().create_parser("manage.py", "migrate_schemas")
        defaults = vars(parser.parse_args([]))
        runner = get_executor(codename=executor)(
            args=(), options={**defaults, "interactive": False, "verbosity": verbosity}
        )
        runner.run_migrations(tenants=behind)
        connection.set_schema_to_public()
        self.stdout.write(f"migrated {len(behind)} schemas in {time.monotonic() - started:.1f} s")
