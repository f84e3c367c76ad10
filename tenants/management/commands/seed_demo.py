import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import schema_context, tenant_context

from core.accounts import services as accounts
from core.accounts.models import Role, TOTPDevice, User
from tenant_apps.companies.models import Company, Recruiter
from tenants.services import college_ensure, college_host, public_tenant_ensure

DEMO_PASSWORD = "placemate-demo-2026"  # noqa: S105 (a local demo; refused without DEBUG)
DEMO_PEOPLE = [
    (Role.ADMIN, "admin@demo.edu", "Asha", "Rao"),
    (Role.COORDINATOR, "coordinator@demo.edu", "Ravi", "Iyer"),
    (Role.RECRUITER, "recruiter@acme.example", "Meera", "Shah"),
    (Role.STUDENT, "student@demo.edu", "Kiran", "Das"),
]
OPERATOR_EMAIL = "operator@placemate.local"


def ensure_user(*, role: str, email: str, first_name: str, last_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        is_admin = role in (Role.ADMIN, Role.OPERATOR)
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            role=role,
            first_name=first_name,
            last_name=last_name,
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        accounts.email_mark_verified(user=user)
    return user


class Command(BaseCommand):
    help = "Create the public tenant, the demo college and its people (idempotent); print URLs."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")

    def handle(self, *args, port: str, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates accounts with known passwords: DEBUG only.")
        public_tenant_ensure()
        demo, created = college_ensure(subdomain="demo", name="Demo College of Engineering")
        with tenant_context(demo), transaction.atomic():
            for role, email, first_name, last_name in DEMO_PEOPLE:
                user = ensure_user(
                    role=role, email=email, first_name=first_name, last_name=last_name
                )
                if role == Role.RECRUITER:
                    acme, _ = Company.objects.get_or_create(
                        name="Acme Software", defaults={"industry": "Software"}
                    )
                    Recruiter.objects.get_or_create(user=user, defaults={"company": acme})
        with schema_context(settings.PUBLIC_SCHEMA_NAME), transaction.atomic():
            operator = ensure_user(
                role=Role.OPERATOR, email=OPERATOR_EMAIL, first_name="Ops", last_name="Person"
            )
            device = TOTPDevice.objects.filter(user=operator, confirmed=True).first()
            if device is None:
                device = TOTPDevice.for_new_secret(user=operator, hex_key=secrets.token_hex(20))
                device.confirmed = True
                device.save()
            otpauth = accounts.otpauth_uri(device=device, issuer="Placemate (operators)")

        state = "created" if created else "already there"
        platform = f"http://{settings.PLATFORM_DOMAIN}:{port}"
        college = f"http://{college_host(demo.subdomain)}:{port}"
        self.stdout.write(f"Demo college {state}.")
        self.stdout.write(f"  Platform:     {platform}/   (console: {platform}/admin/)")
        self.stdout.write(f"  Demo college: {college}/   (API docs: {college}/api/docs/)")
        self.stdout.write(f"  Demo users (password {DEMO_PASSWORD}):")
        for role, email, *_ in DEMO_PEOPLE:
            self.stdout.write(f"    {role:<12} {email}  on {college}")
        self.stdout.write(f"    operator     {OPERATOR_EMAIL}  on {platform}, TOTP:")
        self.stdout.write(f"      {otpauth}")
