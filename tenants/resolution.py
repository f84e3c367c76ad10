"""Host → college resolution: a warm request costs no database query and no network round trip.

Two layers in front of the database:
- Redis (`tenancy` cache): shared by every process, dropped on every College/Domain change.
- A small in-process layer, trusted only while this process is subscribed to the Redis channel
  on which every change is announced. A listener thread drops the entry the moment a change is
  published; if the subscription breaks, the layer empties and stays off until it is back.
  A generation counter stops a lookup that raced with a change from storing the old state.

Changes are announced right away and again once the transaction commits, so no reader keeps
the state being replaced (see `tenants.signals`).
"""

import logging
import os
import threading
import time

import redis
from django.conf import settings
from django.core.cache import caches

from tenants.models import College, Domain

logger = logging.getLogger("placemate.tenancy")

NOT_FOUND = "-"
CHANNEL = "placemate:tenancy:changed"
EVERYTHING = "*"


def _cache():
    return caches["tenancy"]


def _key(hostname: str) -> str:
    return f"host:{hostname}"


def _redis_client():
    """The raw Redis client behind the `tenancy` cache, or None (local-memory fallback)."""
    backend = _cache()
    if not hasattr(backend, "client"):
        return None
    return backend.client.get_client(write=True)


class LocalLayer:
    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, College | None]] = {}
        self._lock = threading.Lock()
        self._generation = 0
        self._live = False
        self._pid: int | None = None

    @property
    def live(self) -> bool:
        return self._live

    def get(self, hostname: str):
        """(hit, college-or-None)."""
        if not self._live:
            self._start_listener()
            return False, None
        entry = self._entries.get(hostname)
        if entry is None or entry[0] < time.monotonic():
            return False, None
        return True, entry[1]

    def generation(self) -> int:
        return self._generation

    def put(self, hostname: str, college: College | None, generation: int) -> None:
        expires = time.monotonic() + settings.TENANT_LOCAL_CACHE_TIMEOUT
        with self._lock:
            if self._live and generation == self._generation:
                if len(self._entries) >= settings.TENANT_LOCAL_CACHE_SIZE:
                    self._entries.clear()
                self._entries[hostname] = (expires, college)

    def forget(self, hostname: str) -> None:
        with self._lock:
            self._generation += 1
            if hostname == EVERYTHING:
                self._entries.clear()
            else:
                self._entries.pop(hostname, None)

    def _set_live(self, live: bool) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()
            self._live = live

    def _start_listener(self) -> None:
        if self._pid == os.getpid() or not settings.TENANT_LOCAL_CACHE:
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()  # one listener per process, also after a fork
        if _redis_client() is None:
            return
        self.start(settings.CACHES["tenancy"]["LOCATION"])

    def start(self, redis_url: str) -> None:
        threading.Thread(
            target=self._listen, args=(redis_url,), name="tenancy-listener", daemon=True
        ).start()

    def _listen(self, redis_url: str) -> None:
        client = redis.Redis.from_url(
            redis_url,
            socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
            socket_timeout=5,
            socket_keepalive=True,
            health_check_interval=5,
        )
        while True:
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(CHANNEL)
                pubsub.get_message(timeout=settings.REDIS_SOCKET_TIMEOUT)  # confirmation
                self._set_live(True)
                while True:
                    pubsub.check_health()  # a PING now and then: notices a silent partition
                    message = pubsub.get_message(timeout=1.0)
                    if message and message["type"] == "message":
                        self.forget(message["data"].decode())
            except Exception as exc:  # the layer must never outlive its subscription
                logger.warning("tenancy listener lost Redis: %s", type(exc).__name__)
                self._set_live(False)
                time.sleep(1.0)
            finally:
                pubsub.close()


local_layer = LocalLayer()


def resolve_host(hostname: str) -> College | None:
    hit, college = local_layer.get(hostname)
    if hit:
        return college
    generation = local_layer.generation()
    cache = _cache()
    key = _key(hostname)
    cached = cache.get(key)
    if cached == NOT_FOUND:
        college = None
    elif cached is not None:
        college = cached
    else:
        try:
            college = Domain.objects.select_related("tenant").get(domain=hostname).tenant
        except Domain.DoesNotExist:
            college = None
        if college is None:
            cache.set(key, NOT_FOUND, settings.TENANT_NEGATIVE_CACHE_TIMEOUT)
        else:
            cache.set(key, college, settings.TENANT_CACHE_TIMEOUT)
    local_layer.put(hostname, college, generation)
    return college


def forget_hosts(hostnames) -> None:
    """Drop `hostnames` from both layers, in this process and in every other."""
    hostnames = list(hostnames)
    if not hostnames:
        return
    _cache().delete_many([_key(hostname) for hostname in hostnames])
    for hostname in hostnames:
        local_layer.forget(hostname)
    client = _redis_client()
    if client is None:
        return
    try:
        for hostname in hostnames:
            client.publish(CHANNEL, hostname)
    except Exception as exc:  # Redis down: listeners are off too, nothing stale is served
        logger.warning("could not announce a tenancy change: %s", type(exc).__name__)
