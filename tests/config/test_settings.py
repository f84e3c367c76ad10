"""Production settings: refuse to start without secrets; pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SAMPLE_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "sample-production-secret-9f8e7d6c5b4a39281706f5e4d3c2b1a0-zyxwvutsrq",
    "DATABASE_URL": "postgres://placemate:secret@db.internal:5432/placemate",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "PLATFORM_DOMAIN": "placemate.example.com",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
    "STRIPE_SECRET_KEY": "sk_live_sample",
    "STRIPE_WEBHOOK_SECRET": "whsec_sample",
}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SAMPLE_ENVIRONMENT}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=SAMPLE_ENVIRONMENT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret():
    for missing in (
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "PLATFORM_DOMAIN",
        "STRIPE_SECRET_KEY",
    ):
        env = {k: v for k, v in SAMPLE_ENVIRONMENT.items() if k != missing}

        result = manage("check", env=env)

        assert result.returncode != 0
        assert f"Set the {missing} environment variable" in result.stderr


def test_email_url_accepts_the_file_scheme(tmp_path):
    env = {**SAMPLE_ENVIRONMENT, "EMAIL_URL": f"filemail://{tmp_path}"}
    code = (
        "from django.conf import settings; "
        "print(settings.OUTBOX_EMAIL_BACKEND, settings.EMAIL_FILE_PATH, settings.ALLOWED_HOSTS)"
    )

    result = manage("shell", "-c", code, env=env)

    assert result.returncode == 0, result.stderr
    backend, path, hosts = result.stdout.strip().splitlines()[-1].split(" ", 2)
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert path == str(tmp_path)
    assert "'.placemate.example.com'" in hosts


def test_production_sends_mail_through_the_outbox_unless_told_otherwise():
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"

    default = manage("shell", "-c", code, env=SAMPLE_ENVIRONMENT)
    direct = manage("shell", "-c", code, env={**SAMPLE_ENVIRONMENT, "EMAIL_OUTBOX": "false"})

    assert default.stdout.split()[-1] == "core.outbox.backends.OutboxEmailBackend"
    assert direct.stdout.split()[-1] == "django.core.mail.backends.smtp.EmailBackend"
