from django.core.management.base import BaseCommand

from core.outbox.relay import relay_pending


class Command(BaseCommand):
    help = "Send every schema's due outbox mail now (what the periodic relay_pending task does)."

    def handle(self, *args, **options):
        self.stdout.write(f"{relay_pending()} message(s) sent")
