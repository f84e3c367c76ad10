"""Helpers of the browser tests: the app as `make run` starts it, on the test database,
Chromium, and committed rows (the server sees only committed data; tests clean up after
themselves)."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

needs_chromium = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]


def committed(work):
    """Run `work` on a connection of its own, so that it commits (and return its result)."""
    result = {}

    def run() -> None:
        try:
            result["value"] = work()
        except BaseException as exc:  # re-raised in the caller's thread
            result["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


def drop_college(subdomain: str) -> None:
    from tenants.models import College, Domain

    def drop() -> None:
        college = College.objects.filter(subdomain=subdomain).first()
        if college is not None:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{college.schema_name}" CASCADE')
            Domain.objects.filter(tenant=college).delete()
            College.objects.filter(pk=college.pk).delete()

    committed(drop)


def server_env(mail_dir: Path) -> dict:
    """The environment of the app as the browser tests run it: local settings (as `make run`),
    the test database, the tests' Redis database (cache and Celery broker), mail into files."""
    db = connection.settings_dict
    inherited = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "PORT")}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "EMAIL_URL": f"filemail://{mail_dir}",
        "DEBUG": "false",
    }


def manage(mail_dir: Path, code: str) -> None:
    """Run Python in a `manage.py shell` of the server's configuration (its hashers...)."""
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=server_env(mail_dir), check=True, capture_output=True, timeout=120,
    )  # fmt: skip


class Server:
    """A fresh `make run`-style start on the test database: `python -m config.devserver`
    (Django's development server, a Celery worker and beat), without its setup steps (the
    fixtures have migrated the test database) and without the reloader (others' edits of the
    tree would restart it under a test). Its output goes to `log`."""

    START_SECONDS = 60
    STOP_SECONDS = 20  # the runner gives its children 8 seconds, then kills them

    def __init__(self, mail_dir: Path) -> None:
        self.port = free_port()
        self.mail_dir = mail_dir
        self.log = mail_dir.parent / "devserver.log"
        command = [sys.executable, "-m", "config.devserver", "--port", str(self.port)]
        command += ["--host", "127.0.0.1", "--skip-setup", "--no-reload"]
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=server_env(mail_dir), stdin=subprocess.DEVNULL,
                stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        if not self._serving():
            self.stop()
            pytest.fail(f"the development server did not start:\n{self.output()[-4000:]}")

    def _serving(self) -> bool:
        probe = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/healthz", headers={"Host": "localhost"}
        )
        deadline = time.monotonic() + self.START_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                urllib.request.urlopen(probe, timeout=1).close()  # noqa: S310 (http, ours)
                return True
            except OSError:
                time.sleep(0.2)
        return False

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM to the runner's process group (it stops its web server, worker and beat);
        SIGKILL if it is still there after STOP_SECONDS."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=self.STOP_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def launch(playwright):
    ARTIFACTS.mkdir(exist_ok=True)
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# --- One server and one browser for every browser test --------------------------------------
# Browser tests are marked `browser` (needs_chromium does it) and run last (tests/conftest.py),
# so the browser's event loop never overlaps the database tests.

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="session")
def workspace_server(_schemas, tmp_path_factory):
    """The app as `make run` starts it, on the test database, for the whole session (a test
    using it also asks for `db`, which is how pytest-django knows to set up the test database)."""
    server = Server(tmp_path_factory.mktemp("mail"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    """One Chromium for every browser test. Playwright's sync API keeps an event loop in this
    thread while it lives, which Django's async-safety check mistakes for async code calling the
    ORM; the calls stay synchronous and in order, so the check is lifted for this last phase."""
    from playwright.sync_api import sync_playwright  # here: only browser runs pay its import

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    browser = launch(playwright)
    yield browser
    browser.close()
    playwright.stop()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def browser_context(chromium, request):
    """A fresh context (cookies, storage) per test; `@pytest.mark.viewport("phone")` for a phone."""
    marker = request.node.get_closest_marker("viewport")
    viewport = VIEWPORTS[marker.args[0] if marker else "laptop"]
    context = chromium.new_context(viewport=viewport, locale="en-IN")
    yield context
    context.close()


def snapshot(page, name: str) -> None:
    """A full-page screenshot in test-artifacts/, and axe's check: no serious or critical
    violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe  # here: only browser runs pay its import

    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # else the sticky top bar shows mid-page
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]
    assert not violations, f"{name}: " + "; ".join(violations)
