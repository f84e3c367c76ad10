"""A real Celery worker on a private redis-server, for the tests that must see tasks leave the
process: publishing to a broker instead of running eagerly, and a `celery worker` subprocess
under the production settings, as deployed."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from config.celery import app as celery_app
from tests.conftest import wait_for

ROOT = Path(__file__).resolve().parents[1]


def forget_broker_connections() -> None:
    # The pools are bound to the broker URL they were made for. (Not app.close(): that also
    # unregisters the app, and tasks imported afterwards would never be registered.)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def celery_broker(url: str):
    """Tasks are published to `url` instead of running eagerly."""
    conf = celery_app.conf
    saved = conf["CELERY_TASK_ALWAYS_EAGER"], conf["CELERY_BROKER_URL"]
    forget_broker_connections()
    conf["CELERY_TASK_ALWAYS_EAGER"], conf["CELERY_BROKER_URL"] = False, url
    try:
        yield
    finally:
        forget_broker_connections()
        conf["CELERY_TASK_ALWAYS_EAGER"], conf["CELERY_BROKER_URL"] = saved


def database_url() -> str:
    settings = connection.settings_dict
    host = quote(settings["HOST"] or "127.0.0.1", safe="")
    credentials = quote(settings["USER"] or "postgres", safe="")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    return f"postgres://{credentials}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


def start_redis(port: int) -> subprocess.Popen:
    command = [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    assert wait_for(lambda: subprocess.run(
        ["redis-cli", "-p", str(port), "ping"], capture_output=True, check=False
    ).stdout.strip() == b"PONG", timeout=10)  # fmt: skip
    return process


def start_worker(
    *, broker: str, mail_dir: Path, log: Path, beat: bool = True, concurrency: int = 2
) -> subprocess.Popen:
    """`celery worker` (with its beat: `-B`) under the production settings, as deployed
    (deploy/Procfile), mailing into files in `mail_dir`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "worker-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": database_url(),
        "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
        "CELERY_BROKER_URL": broker,
        "PLATFORM_DOMAIN": "localhost",
        "EMAIL_URL": f"filemail://{mail_dir}",
        "STRIPE_SECRET_KEY": "sk_test_worker",
        "STRIPE_WEBHOOK_SECRET": "whsec_worker",
        "OUTBOX_RELAY_INTERVAL": "1",
    }
    command = [
        str(Path(sys.executable).parent / "celery"), "-A", "config", "worker",
        "--pool", "prefork", "--concurrency", str(concurrency), "--loglevel", "INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    if beat:
        command += ["-B", "--schedule", str(log.parent / "beat-schedule")]
    with log.open("w") as output:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
