"""Requests through Django's real WSGI entry point (what gunicorn calls), for tests that need
what wraps it: Sentry's WSGI middleware, schemathesis' WSGI transport, connection handling."""

import contextlib

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from werkzeug.test import Client


@contextlib.contextmanager
def wsgi_application(*, keep_connection: bool = True):
    """A WSGI application. With `keep_connection` (tests inside the `db` fixture's transaction),
    requests do not close the connection at their end, as with Django's test client."""
    if keep_connection:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        if keep_connection:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


class HostClient(Client):
    """A werkzeug client whose requests go to one host."""

    def __init__(self, application, host: str):
        super().__init__(application)
        self.base_url = f"http://{host}"

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", self.base_url)
        return super().open(*args, **kwargs)


def wsgi_client(application, host: str) -> HostClient:
    return HostClient(application, host)
