from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tenants.lifecycle import LifecycleError, college_cancel
from tenants.models import College


class Command(BaseCommand):
    help = "Cancel a college (operators): export its data, take it down; --now drops it at once."

    def add_arguments(self, parser):
        parser.add_argument("subdomain")
        parser.add_argument("--now", action="store_true", help="Drop schema and files now.")

    def handle(self, *args, subdomain: str, now: bool, **options):
        college = College.objects.filter(subdomain=subdomain).first()
        if college is None:
            raise CommandError(f"No college on {subdomain!r}.")
        try:
            college_cancel(
                college=college, immediately=now, link_base=f"https://{settings.PLATFORM_DOMAIN}"
            )
        except LifecycleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{college.name} cancelled{' and purged' if now else ''}.")
