"""`GET auth/user/`, the read every client makes first: the user and their 2FA state come from
the data cache with the rest of authentication, and a change to either shows at once."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.authentication import cached_user, stored_user
from core.accounts.models import TOTPDevice, User
from core.accounts.serializers import UserSerializer, user_output
from tests.conftest import client_for, login
from tests.core.accounts.test_two_factor import csrf, enable_2fa


def me(client) -> dict:
    response = client.get("/api/v1/auth/user/")
    assert response.status_code == 200, response.content
    return response.json()["data"]


def test_the_user_is_read_again_without_a_query(college, coordinator):
    client = client_for(college)
    login(client, coordinator.email)
    first = me(client)

    with CaptureQueriesContext(connection) as queries:
        again = me(client)

    assert again == first
    assert first["is_2fa_enabled"] is False
    assert [query["sql"] for query in queries] == []  # neither the user nor their devices


def test_a_confirmed_authenticator_shows_at_once_though_the_user_is_cached(college, coordinator):
    client = client_for(college)
    login(client, coordinator.email)
    assert me(client)["is_2fa_enabled"] is False  # cached from here on

    enable_2fa(client)
    assert me(client)["is_2fa_enabled"] is True
    with CaptureQueriesContext(connection) as queries:
        assert me(client)["is_2fa_enabled"] is True  # cached again
    assert len(queries) == 0

    with tenant_context(college):
        TOTPDevice.objects.filter(user=coordinator).update(confirmed=False)
    assert me(client)["is_2fa_enabled"] is False


def test_the_output_is_the_serializers(college, coordinator):
    client = client_for(college)
    login(client, coordinator.email)
    enable_2fa(client)
    client.post("/api/v1/auth/2fa/totp/setup/", **csrf(client))  # a second, unconfirmed one

    with tenant_context(college):
        for user in User.objects.all():
            cached = cached_user(stored_user(user.pk))
            fresh = User.objects.get(pk=user.pk)
            assert user_output(cached) == UserSerializer(fresh).data
            assert cached.is_2fa_enabled is fresh.is_2fa_enabled
        assert cached_user(stored_user(coordinator.pk)).is_2fa_enabled is True
