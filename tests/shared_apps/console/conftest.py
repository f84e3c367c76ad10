"""Fixtures of the console tests: an operator, and an API client authenticated as them."""

import pytest
from django_tenants.utils import tenant_context

from core.accounts.models import Role, User
from core.accounts.tokens import tokens_for
from tenants.models import College
from tests.conftest import client_for, make_user


def bearer_client(tenant: College, user: User, *, otp: bool = True):
    host = "localhost" if tenant.is_public else f"{tenant.subdomain}.localhost"
    tenant.domain_url = host
    with tenant_context(tenant):
        access = str(tokens_for(user, otp_verified=otp).access_token)
    return client_for(tenant), {"HTTP_AUTHORIZATION": f"Bearer {access}"}


@pytest.fixture
def operator(public_tenant):
    user = make_user(public_tenant, Role.OPERATOR, "ops@placemate.example")
    with tenant_context(public_tenant):
        User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
        user.refresh_from_db()
    return user


@pytest.fixture
def ops(public_tenant, operator):
    client, auth = bearer_client(public_tenant, operator)

    class Ops:
        def get(self, path, **params):
            return client.get(path, params, **auth)

        def post(self, path, data=None):
            return client.post(path, data or {}, format="json", **auth, REMOTE_ADDR="192.0.2.44")

    return Ops()
