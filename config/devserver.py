"""`make run`: everything a college needs, on one machine, in one terminal.

    python -m config.devserver [--port 8000] [--host 0.0.0.0] [--skip-setup] [--no-reload]

Finds PostgreSQL (`DATABASE_URL`, else the embedded server in `.data/postgres`, started here if
it is not running), migrates every schema and seeds the demo college, then starts and watches
Django's development server, a Celery worker and Celery beat. Without a reachable Redis there is
no broker: the worker and beat are left out, tasks run in the web process and the cache is local
memory (`config/settings/local.py`). Ctrl-C or SIGTERM stops every process, and the embedded
PostgreSQL when this run started it; so does any of them exiting on its own.

Django is not imported here: the settings would start the embedded PostgreSQL themselves, and
leave it running, before this process could tell whether it was already there.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from config.devdb import embedded_server, port_open

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
STOP_SECONDS = 8  # then SIGKILL: a worker finishing a task should not hold the terminal


class Stop(Exception):
    """Ctrl-C or SIGTERM."""


def _stop(signum, frame):
    raise Stop(signal.Signals(signum).name)


class Supervisor:
    """Child processes, each in a session of its own (a signal reaches all of its processes:
    the development server's reloader and its server, the worker's pool), their output prefixed
    with their name."""

    def __init__(self, env: dict) -> None:
        self.env = env
        self.children: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *argv: str) -> subprocess.Popen:
        process = subprocess.Popen(  # noqa: S603 (our own commands)
            [sys.executable, *argv],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.children[name] = process
        threading.Thread(target=self._relay, args=(name, process), daemon=True).start()
        return process

    def _relay(self, name: str, process: subprocess.Popen) -> None:
        prefix = f"{name:<6} | ".encode()
        for line in process.stdout:
            sys.stdout.buffer.write(prefix + line)
            sys.stdout.buffer.flush()

    def run(self, name: str, *argv: str) -> None:
        """A setup step, to its end; a failure stops the run."""
        returncode = self.start(name, *argv).wait()
        del self.children[name]
        if returncode != 0:
            raise SystemExit(f"`{' '.join(argv)}` failed (exit status {returncode}).")

    def exited(self) -> str | None:
        for name, process in self.children.items():
            if process.poll() is not None:
                return f"{name} exited (status {process.returncode})"
        return None

    def stop_all(self) -> None:
        """SIGTERM to every child's session, SIGKILL to those still there after STOP_SECONDS."""
        for process in self.children.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for process in self.children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError):  # leftovers of its session too
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    return port_open(parsed.hostname or "127.0.0.1", parsed.port or 6379)


def wait_until_serving(port: str, host: str, supervisor: Supervisor, timeout: float = 60) -> bool:
    """Until the development server answers its liveness probe on the platform's host."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and supervisor.exited() is None:
        try:
            urllib.request.urlopen(request, timeout=1).close()  # noqa: S310 (http, ours)
            return True
        except OSError:
            time.sleep(0.2)
    return False


def serve(options: argparse.Namespace, env: dict, supervisor: Supervisor, scratch: Path) -> str:
    """Set up, start everything, and watch it; the reason it ended (a signal ends it by `Stop`)."""
    port = str(options.port)
    if not options.skip_setup:
        supervisor.run("setup", "manage.py", "migrate_fleet")
        supervisor.run("setup", "manage.py", "seed_demo", "--port", port)
    reload = [] if options.reload else ["--noreload"]
    supervisor.start("web", "manage.py", "runserver", f"{options.host}:{port}", *reload)
    broker = env.get("CELERY_BROKER_URL") or env.get("REDIS_URL") or DEFAULT_REDIS_URL
    if redis_reachable(broker):
        celery = ["-m", "celery", "-A", "config"]
        quiet = ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        supervisor.start("worker", *celery, "worker", "--loglevel", "INFO", "-c", "1", *quiet)
        schedule = str(scratch / "beat-schedule")
        supervisor.start("beat", *celery, "beat", "--loglevel", "INFO", "--schedule", schedule)
    else:
        print(
            f"Redis is not reachable at {broker}: no Celery worker or beat. Tasks run in the web "
            "process (eager) and the cache is local memory.",
            file=sys.stderr,
        )
    domain = env.get("PLATFORM_DOMAIN", "localhost")
    if wait_until_serving(port, domain, supervisor):
        names = ", ".join(supervisor.children)
        print(
            f"Running: {names} on port {port} (the demo college: http://demo.{domain}:{port}/). "
            "Ctrl-C stops everything.",
            flush=True,
        )
    while True:
        reason = supervisor.exited()
        if reason:
            return reason
        time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on")  # noqa: S104
    parser.add_argument(
        "--skip-setup", action="store_true", help="serve at once: no migrations, no demo seed"
    )
    parser.add_argument(
        "--no-reload",
        dest="reload",
        action="store_false",
        help="do not restart the web server when a source file changes",
    )
    options = parser.parse_args()
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)

    env = {**os.environ, "PORT": str(options.port), "PYTHONUNBUFFERED": "1"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    env.setdefault("LOG_FORMAT", "console")
    stop_database = None
    supervisor = Supervisor(env)
    scratch = tempfile.TemporaryDirectory(prefix="placemate-run-")
    try:
        if not env.get("DATABASE_URL"):
            env["DATABASE_URL"], stop_database = embedded_server(
                ROOT / ".data" / "postgres", stop_at_exit=True
            )
        reason = serve(options, env, supervisor, Path(scratch.name))
        print(f"Stopping: {reason}.", file=sys.stderr)
        status = 1
    except Stop as stop:
        print(f"Stopping ({stop}).", file=sys.stderr)
        status = 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut this short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        supervisor.stop_all()
        if stop_database is not None:
            print("Stopping the embedded PostgreSQL.", file=sys.stderr)
            stop_database()
        scratch.cleanup()
    return status


if __name__ == "__main__":
    sys.exit(main())
