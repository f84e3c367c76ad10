from django.conf import settings
from django.core.management.base import BaseCommand

from tenants.services import college_ensure, college_host, public_tenant_ensure


class Command(BaseCommand):
    help = "Create the public tenant and the demo college (idempotent) and print their URLs."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")

    def handle(self, *args, port: str, **options):
        public_tenant_ensure()
        demo, created = college_ensure(subdomain="demo", name="Demo College of Engineering")
        state = "created" if created else "already there"
        self.stdout.write(f"Demo college {state}.")
        self.stdout.write(f"  Platform:     http://{settings.PLATFORM_DOMAIN}:{port}/")
        self.stdout.write(f"  Demo college: http://{college_host(demo.subdomain)}:{port}/")
        self.stdout.write(f"  API docs:     http://{college_host(demo.subdomain)}:{port}/api/docs/")
