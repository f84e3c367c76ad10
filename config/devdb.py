"""Where a development or test run finds PostgreSQL when DATABASE_URL is not set.

django-tenants needs real PostgreSQL schemas, so there is no SQLite fallback: a machine with
nothing but Python gets an embedded server (the `pgserver` dev dependency) in `.data/postgres`.
"""

import socket
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

LOCAL_SERVER_URL = "postgres://postgres@127.0.0.1:5432/{name}"


def port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def embedded_server_url(data_dir: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL in `data_dir`; it keeps running after we exit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs' notice about XDG_RUNTIME_DIR
        import pgserver

        data_dir.mkdir(parents=True, exist_ok=True)
        pgserver.get_server(data_dir, cleanup_mode=None)
    print(f"Using the embedded PostgreSQL in {data_dir}", file=sys.stderr)
    return f"postgres://postgres@{quote(str(data_dir), safe='')}/postgres"


def local_or_embedded_url(data_dir: Path, *, name: str) -> str:
    if port_open("127.0.0.1", 5432):
        return LOCAL_SERVER_URL.format(name=name)
    return embedded_server_url(data_dir)
