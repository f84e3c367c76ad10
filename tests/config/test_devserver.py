"""`make run` (config/devserver.py): the development server, a Celery worker and beat on the test
database; bounded database connections under load; SIGTERM stops every process it started."""

import contextlib
import os
import signal
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.browser import committed
from tests.celery_worker import database_url
from tests.conftest import free_port, host_of, wait_for

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 100
# The worker (its main process and pool child), beat and the development server's own checks
# may hold a few; one per request served would be a hundred.
MAX_CONNECTIONS = 8


def process_table() -> dict[int, tuple[int, str]]:
    """pid: (parent pid, state) of every process (Linux /proc)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # gone meanwhile
            state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
            table[int(entry.name)] = (int(ppid), state)
    return table


def descendants(pid: int) -> set[int]:
    table = process_table()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, (parent, _) in table.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    table = process_table()
    return {pid for pid in pids if pid in table and table[pid][1] != "Z"}


def environment_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if item)


def get(port: int, path: str, host: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (ours)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def database_connections() -> int:
    """Connections to the test database, other than this test's own."""

    def count() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0]

    return committed(count) - 1  # the test's transaction


class Runner:
    """`python -m config.devserver` as `make run` starts it, without the setup steps."""

    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.port = free_port()
        self.log = tmp_path / "run.log"
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DEBUG", "CELERY_BROKER_URL", "CONN_MAX_AGE")
        }
        environment.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings.local",
                "DATABASE_URL": database_url(),
                "REDIS_URL": settings.CACHES["default"]["LOCATION"],
                "EMAIL_URL": f"filemail://{tmp_path}",
                **env,
            }
        )
        command = [sys.executable, "-m", "config.devserver", "--port", str(self.port)]
        # (no reloader: others' edits of the tree would restart the server under the test)
        command += ["--host", "127.0.0.1", "--skip-setup", "--no-reload"]
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_running(self) -> None:
        assert wait_for(lambda: "Running:" in self.output(), timeout=30), self.output()

    def kill(self) -> None:
        if self.process.poll() is None:
            for pid in descendants(self.process.pid) | {self.process.pid}:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def runner_factory(tmp_path):
    runners = []

    def start(**env: str) -> Runner:
        runners.append(Runner(tmp_path, **env))
        return runners[-1]

    yield start
    for runner in runners:
        runner.kill()


def test_runs_web_worker_and_beat_with_bounded_connections_and_stops_them_all(
    _schemas, db, college, runner_factory
):
    # given make run's processes on the test database
    runner = runner_factory()
    runner.wait_until_running()
    assert "Running: web, worker, beat" in runner.output()
    assert wait_for(lambda: "ready." in runner.output(), timeout=30), runner.output()  # worker
    children = descendants(runner.process.pid)
    commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children]
    assert any(b"runserver" in command for command in commands)
    assert any(b"worker" in command for command in commands)
    assert any(b"beat" in command for command in commands)
    # the port of links in mails reaches the server and the worker
    assert {environment_of(pid).get("PORT") for pid in children} == {str(runner.port)}

    # when a hundred requests that touch the database reach the threaded development server
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(
            pool.map(lambda _: get(runner.port, "/readyz", host_of(college)), range(REQUESTS))
        )

    # then every one was served and the connections did not pile up
    assert statuses == [200] * REQUESTS
    assert wait_for(lambda: database_connections() <= MAX_CONNECTIONS, timeout=5), (
        database_connections()
    )

    # when SIGTERM reaches the runner
    runner.process.send_signal(signal.SIGTERM)

    # then it and every process it started are gone within seconds
    assert runner.process.wait(timeout=12) == 0
    assert wait_for(lambda: not alive(children), timeout=3), alive(children)
    assert "Stopping (SIGTERM)" in runner.output()


def test_without_redis_serves_alone_with_eager_tasks_and_says_so(_schemas, db, runner_factory):
    closed = f"redis://127.0.0.1:{free_port()}/0"

    runner = runner_factory(REDIS_URL=closed)
    runner.wait_until_running()

    output = runner.output()
    assert f"Redis is not reachable at {closed}: no Celery worker or beat" in output
    assert "Running: web on port" in output
    assert get(runner.port, "/healthz", "localhost") == 200
    children = descendants(runner.process.pid)
    assert not any(b"celery" in Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children)
    runner.process.send_signal(signal.SIGINT)  # Ctrl-C
    assert runner.process.wait(timeout=12) == 0
    assert wait_for(lambda: not alive(children), timeout=3), alive(children)
