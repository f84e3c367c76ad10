"""The sign-in throttles: what is limited is failures and per-person tokens, never people
arriving together (a campus reaches us from one NAT address, hundreds within a minute).

- per (address, account): attempts at one account's password or code from one address
  (`AUTH_ACCOUNT_ADDRESS_RATE`);
- per address: a budget of *failures* (wrong passwords, wrong codes, invalid mailed tokens)
  that slows a password spray across many accounts (`AUTH_ADDRESS_FAILURE_RATE`); successes
  never spend it;
- per account or token: the mails a person can be sent (`AUTH_MAIL_RATE`) and the tries at
  one mailed token (`AUTH_TOKEN_RATE`).
The lockout of an account after consecutive failures from any address is in the database
(services/login.py) and holds without Redis; these counters are in Redis, per college (the
default cache prefixes keys with the schema), and fail open when Redis is unreachable.

Rates read "<count>/<period>", the period a number (default 1) and a unit: `s`, `min`, `h`,
`d` (e.g. `10/min`, `40/10min`, `3/h`). Counters are fixed windows of that period."""

import hashlib
import re
import time

from django.conf import settings
from django.core.cache import cache

from core.api.codes import ErrorCode
from core.api.errors import PlacemateError
from core.http import client_ip

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|m|min|h|hour|d|day)\s*$")
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400}
_UNIT_SECONDS["day"] = 86400


class Throttled(PlacemateError):
    code = ErrorCode.THROTTLED
    message = "Too many attempts: wait a little and try again."

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.headers = {"Retry-After": str(retry_after)}


def parse_rate(rate: str) -> tuple[int, int]:
    """`(count, seconds)` of a rate setting."""
    match = _RATE.match(rate)
    if match is None:
        raise ValueError(f"Not a rate: {rate!r} (write e.g. '10/min' or '40/10min').")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _UNIT_SECONDS[unit]


def _digest(value: str) -> str:
    # e-mail addresses and tokens never appear in Redis keys
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def _window(name: str, parts: tuple[str, ...], seconds: int) -> tuple[str, int]:
    now = time.time()
    window = int(now // seconds)
    key = "throttle:" + ":".join((name, *parts, str(window)))
    return key, max(1, int((window + 1) * seconds - now + 0.999))


def _count(key: str) -> int:
    try:
        return int(cache.get(key) or 0)
    except Exception:  # a dead or odd cache: throttles fail open
        return 0


def _add(key: str, seconds: int) -> int:
    try:
        cache.add(key, 0, seconds + 1)
        return int(cache.incr(key))
    except Exception:  # the key vanished between add and incr, or no cache: fail open
        return 0


def _hit(name: str, parts: tuple[str, ...], rate: str, message: str | None = None) -> None:
    """Counts one event; refuses it beyond the rate."""
    limit, seconds = parse_rate(rate)
    key, retry_after = _window(name, parts, seconds)
    if _add(key, seconds) > limit:
        raise Throttled(retry_after, message)


def _address(request) -> str:
    return client_ip(request) or "-"


def failure_budget_check(*, request) -> None:
    """Refused while the address has spent its budget of failures."""
    limit, seconds = parse_rate(settings.AUTH_ADDRESS_FAILURE_RATE)
    key, retry_after = _window("failures", (_address(request),), seconds)
    if _count(key) >= limit:
        raise Throttled(retry_after, "Too many failed attempts from your network: wait a little.")


def sign_in_attempt(*, request, account: str) -> None:
    """Before a password or code is checked: refused while the address has spent its failure
    budget, or beyond the attempts one address may make at one account."""
    failure_budget_check(request=request)
    _hit("account", (_address(request), _digest(account)), settings.AUTH_ACCOUNT_ADDRESS_RATE)


def failure(*, request) -> None:
    """A wrong password or code, or an invalid mailed token: spends the address's budget."""
    _limit, seconds = parse_rate(settings.AUTH_ADDRESS_FAILURE_RATE)
    key, _retry_after = _window("failures", (_address(request),), seconds)
    _add(key, seconds)


def token_attempt(*, request, purpose: str, token: str) -> None:
    """A try at one mailed token (reset, set-password, invitation, verification); the
    address's failure budget applies too, so guessing many tokens is slowed as well."""
    failure_budget_check(request=request)
    _hit("token", (purpose, _digest(token)), settings.AUTH_TOKEN_RATE)


def mail_attempt(*, purpose: str, account: str) -> None:
    """Another mail of `purpose` to `account`: refused beyond the rate."""
    message = "This address was sent this mail several times already: wait before another."
    _hit("mail", (purpose, _digest(account)), settings.AUTH_MAIL_RATE, message)


def mail_allowed(*, purpose: str, account: str) -> bool:
    """Whether another mail of `purpose` may go to `account` (counted when it may), for the
    callers that must answer alike either way (a reset request)."""
    try:
        mail_attempt(purpose=purpose, account=account)
    except Throttled:
        return False
    return True
