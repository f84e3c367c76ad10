"""Where a development or test run finds PostgreSQL when DATABASE_URL is not set.

django-tenants needs real PostgreSQL schemas, so there is no SQLite fallback: a machine with
nothing but Python gets an embedded server (the `pgserver` dev dependency) in `.data/postgres`.
"""

import socket
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

LOCAL_SERVER_URL = "postgres://postgres@127.0.0.1:5432/{name}"


def port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def embedded_server(
    data_dir: Path, *, stop_at_exit: bool = False
) -> tuple[str, Callable[[], None] | None]:
    """Start (or reuse) the embedded PostgreSQL in `data_dir`: its URL, and with `stop_at_exit`
    how to stop it when this call started it (None if it was already running: it is not ours).
    Otherwise it keeps running after we exit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs' notice about XDG_RUNTIME_DIR
        # a development dependency, imported only when `make run` has no DATABASE_URL
        import pgserver
        from pgserver.postgres_server import PostmasterInfo

    data_dir.mkdir(parents=True, exist_ok=True)
    info = PostmasterInfo.read_from_pgdata(data_dir)
    ours = stop_at_exit and not (info is not None and info.is_running())
    server = pgserver.get_server(data_dir, cleanup_mode="stop" if ours else None)
    print(f"Using the embedded PostgreSQL in {data_dir}", file=sys.stderr)
    url = f"postgres://postgres@{quote(str(data_dir), safe='')}/postgres"
    return url, server.cleanup if ours else None


def embedded_server_url(data_dir: Path) -> str:
    return embedded_server(data_dir)[0]


def local_or_embedded_url(data_dir: Path, *, name: str) -> str:
    if port_open("127.0.0.1", 5432):
        return LOCAL_SERVER_URL.format(name=name)
    return embedded_server_url(data_dir)
