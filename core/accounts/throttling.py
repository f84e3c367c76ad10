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
`d` (e.g. `10/min`, `40/10min`, `3/h`). Counters are fixed windows of that period.

A sign-in is on the path of every student of a drive's opening at once, so its counters cost one
Redis round trip (`_counts`: a pipeline), not one per counter and step."""

import hashlib
import re
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from core.api.codes import ErrorCode
from core.api.errors import PlacemateError
from core.http import client_ip

# DRF's spellings too (`second`, `minute`): the flood ceiling's rate is one of DRF's settings
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|second|m|min|minute|h|hour|d|day)\s*$")
_UNIT_SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60}
_UNIT_SECONDS |= {"h": 3600, "hour": 3600, "d": 86400, "day": 86400}
FAILURE_BUDGET_SPENT = "Too many failed attempts from your network: wait a little."


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


def _counts(added: list[tuple[str, int]], read: list[str]) -> tuple[list[int], list[int]]:
    """In one round trip, counts one event under each `(key, seconds)` of `added` and reads the
    counters of `read`: `(the counts after the events, the counters read)`, zeros when Redis
    fails (throttles fail open). A transaction (MULTI): a window cannot expire between the
    counter's creation and its increment, as it can between `_add`'s two calls."""
    try:
        redis, make_key = cache.client.get_client(write=True), cache.client.make_key
    except AttributeError:  # not django-redis (the development server's local memory)
        return [_add(key, seconds) for key, seconds in added], [_count(key) for key in read]
    try:
        with redis.pipeline() as pipeline:
            for key, seconds in added:  # what `_add` does: create the window, count in it
                pipeline.set(make_key(key), 0, ex=seconds + 1, nx=True)
                pipeline.incr(make_key(key))
            for key in read:
                pipeline.get(make_key(key))
            results = pipeline.execute()
    except Exception:  # a dead or odd cache: throttles fail open
        return [0] * len(added), [0] * len(read)
    first_read = 2 * len(added)
    return [int(n) for n in results[1:first_read:2]], [int(n or 0) for n in results[first_read:]]


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
        raise Throttled(retry_after, FAILURE_BUDGET_SPENT)


def sign_in_attempt(*, request, account: str) -> None:
    """Before a password or code is checked: refused while the address has spent its failure
    budget, or beyond the attempts one address may make at one account. One round trip: the
    attempt is counted even when the budget is spent (a refused attempt is an attempt)."""
    limit, seconds = parse_rate(settings.AUTH_ACCOUNT_ADDRESS_RATE)
    address = _address(request)
    attempts_key, attempts_retry = _window("account", (address, _digest(account)), seconds)
    budget, budget_seconds = parse_rate(settings.AUTH_ADDRESS_FAILURE_RATE)
    failures_key, failures_retry = _window("failures", (address,), budget_seconds)
    (attempts,), (failures,) = _counts([(attempts_key, seconds)], [failures_key])
    if failures >= budget:
        raise Throttled(failures_retry, FAILURE_BUDGET_SPENT)
    if attempts > limit:
        raise Throttled(attempts_retry)


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


class AddressRateThrottle(BaseThrottle):
    """The flood ceiling of the public auth endpoints per client address (the view's
    `throttle_scope`, its rate in DRF's `DEFAULT_THROTTLE_RATES`), counted like the sign-in's
    throttles: a fixed window, one round trip. DRF's ScopedRateThrottle keeps the time of every
    request of its window in one cache entry, read and written whole on each request: a list of
    1,200 timestamps (two round trips, 20 kB) on every sign-in of a campus's peak minute."""

    def allow_request(self, request, view) -> bool:
        scope = view.throttle_scope
        limit, seconds = parse_rate(api_settings.DEFAULT_THROTTLE_RATES[scope])
        key, self.retry_after = _window("scope", (scope, _address(request)), seconds)
        (count,), _read = _counts([(key, seconds)], [])
        return count <= limit

    def wait(self) -> int:
        return self.retry_after
