"""Who is acting, and from where, for the audit trail and the `*_by` columns.

Inside a request the actor is read from the request *when a row is written*, so it is the user
DRF authenticated (which happens after the middleware ran). Outside requests (tasks, commands),
`acting_as()` names the actor explicitly.
"""

import contextlib
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from core.accounts.models import User
from core.http import client_ip


@dataclass(frozen=True)
class AuditContext:
    get_actor: Callable[[], object | None]
    ip: str | None = None


_context: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


def _authenticated(user):
    if isinstance(user, User) and user.is_authenticated:
        return user
    return None


def current_actor():
    context = _context.get()
    return _authenticated(context.get_actor()) if context else None


def current_ip() -> str | None:
    context = _context.get()
    return context.ip if context else None


@contextlib.contextmanager
def request_context(request):
    token = _context.set(AuditContext(lambda: getattr(request, "user", None), client_ip(request)))
    try:
        yield
    finally:
        _context.reset(token)


@contextlib.contextmanager
def acting_as(user, ip: str | None = None):
    token = _context.set(AuditContext(lambda: user, ip))
    try:
        yield
    finally:
        _context.reset(token)
