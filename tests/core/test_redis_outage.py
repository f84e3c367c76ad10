"""Redis stopped, as cache and as Celery broker at once (one Redis in our deployments): people
still sign in, lists answer, mail is kept for later, /readyz says what is wrong; nothing hangs."""

import time

from django.core import mail
from django_tenants.utils import tenant_context

from core.outbox.models import OutboxMessage
from tests.conftest import client_for, login
from tests.core.test_health import caches_at
from tests.core.test_outbox import LOCMEM, OUTBOX, celery_broker


def test_with_redis_stopped_the_api_signs_in_lists_and_keeps_mail(
    college, coordinator, redis_server, settings, django_capture_on_commit_callbacks
):
    # given: Redis is the cache and the broker, and it stops
    port, process = redis_server
    url = f"redis://127.0.0.1:{port}/0"
    settings.CACHES = caches_at(url)
    settings.EMAIL_BACKEND, settings.OUTBOX_EMAIL_BACKEND = OUTBOX, LOCMEM
    process.terminate()
    process.wait()

    # when
    with celery_broker(url), django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        signed_in = login(client_for(college), coordinator.email)
        access = signed_in.json()["data"]["access"]
        listing = client_for(college).get(
            "/api/v1/companies/", HTTP_AUTHORIZATION=f"Bearer {access}"
        )
        reset = client_for(college).post(
            "/api/v1/auth/password/reset/", {"email": coordinator.email}
        )
        ready = client_for(college).get("/readyz")
        elapsed = time.monotonic() - started

    # then
    assert signed_in.status_code == 200  # throttle counts are misses, not errors
    assert listing.status_code == 200
    assert reset.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["error"]["details"] == {"database": "ok", "redis": "unavailable"}
    assert elapsed < 5
    assert mail.outbox == []
    with tenant_context(college):
        assert OutboxMessage.objects.due().count() == 1  # the sweep sends it once Redis is back
