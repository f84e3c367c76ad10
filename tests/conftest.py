"""Shared fixtures: two real college schemas created once per session, host-bound clients."""

import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.db import connection
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from core.accounts.models import Role, User
from core.accounts.services import email_mark_verified
from tenants.models import College
from tenants.resolution import EVERYTHING, local_layer
from tenants.services import college_ensure, college_host, public_tenant_ensure

COLLEGES = {
    "college": ("alpha", "Alpha Institute of Technology"),
    "other_college": ("beta", "Beta College of Engineering"),
}
PASSWORD = "correct-horse-battery-staple"
# the browser tests' shared server and browser
pytest_plugins = ["tests.browser"]


@pytest.fixture(scope="session")
def _schemas(django_db_setup, django_db_blocker):
    """The public tenant and two colleges, schemas migrated once for the whole session."""
    with django_db_blocker.unblock():
        public_tenant_ensure()
        return {
            key: college_ensure(subdomain=subdomain, name=name)[0].pk
            for key, (subdomain, name) in COLLEGES.items()
        }


@pytest.fixture(autouse=True)
def _isolated_state():
    caches["default"].clear()  # one Redis database for both aliases in tests
    local_layer.get("localhost")  # starts this process's listener on first use
    wait_for(lambda: local_layer.live)
    local_layer.forget(EVERYTHING)  # rows cached by a rolled-back test are gone
    yield
    connection.set_schema_to_public()


@pytest.fixture
def public_tenant(db, _schemas) -> College:
    return College.objects.get(schema_name="public")


@pytest.fixture
def college(db, _schemas) -> College:
    return College.objects.get(pk=_schemas["college"])


@pytest.fixture
def other_college(db, _schemas) -> College:
    return College.objects.get(pk=_schemas["other_college"])


def host_of(college: College) -> str:
    return "localhost" if college.is_public else college_host(college.subdomain)


def client_for(college: College, user: User | None = None, *, csrf: bool = False) -> APIClient:
    """An API client talking to `college`'s host, authenticated as `user` if given; with
    `csrf`, it enforces CSRF checks as browsers' requests get them."""
    client = APIClient(enforce_csrf_checks=csrf, HTTP_HOST=host_of(college))
    if user is not None:
        client.force_authenticate(user)
    return client


def make_user(
    college: College, role: str = Role.STUDENT, email: str | None = None, *, verified: bool = True
) -> User:
    """A user in `college`'s schema, with a verified e-mail address unless told otherwise."""
    with tenant_context(college):
        user = User.objects.create_user(
            email=email or f"{role}@{college.subdomain}.example.edu",
            password=PASSWORD,
            role=role,
            first_name=role.title(),
        )
        if verified:
            email_mark_verified(user=user)
        return user


def login(client: APIClient, email: str, password: str = PASSWORD, **extra):
    return client.post("/api/v1/auth/login/", {"email": email, "password": password}, **extra)


@pytest.fixture
def college_admin(college) -> User:
    return make_user(college, Role.ADMIN)


@pytest.fixture
def coordinator(college) -> User:
    return make_user(college, Role.COORDINATOR)


@pytest.fixture
def student(college) -> User:
    return make_user(college, Role.STUDENT)


@pytest.fixture
def admin_client(college, college_admin) -> APIClient:
    return client_for(college, college_admin)


@pytest.fixture
def coordinator_client(college, coordinator) -> APIClient:
    return client_for(college, coordinator)


@pytest.fixture
def student_client(college, student) -> APIClient:
    return client_for(college, student)


@pytest.fixture
def anonymous_client(college) -> APIClient:
    return client_for(college)


def wait_for(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_server():
    """A Redis server of our own, so that the test can stop it."""
    binary = shutil.which("redis-server")
    assert binary is not None, "redis-server is needed (Debian package redis-server)"
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield port, process
    process.kill()
    process.wait()


def pytest_collection_modifyitems(items):
    """Browser tests last: they share one server and one browser, whose event loop must not
    overlap the database tests (Django refuses ORM calls inside a running loop)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
