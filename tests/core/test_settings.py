"""What the libraries read from the settings on every request is written out in them: a setting
read with getattr's default, when absent, raises and catches an AttributeError each time (about
4 µs here; eleven of them were a twentieth of a college host's `/healthz`)."""

import pytest
from django.conf import LazySettings

from tests.conftest import client_for, login
from tests.web import page_client


@pytest.fixture
def absent_settings(monkeypatch) -> list[str]:
    """The names of absent settings looked up while the fixture is active."""
    looked_up = []
    lookup = LazySettings.__getattr__

    def recording(self, name):
        try:
            return lookup(self, name)
        except AttributeError:
            looked_up.append(name)
            raise

    monkeypatch.setattr(LazySettings, "__getattr__", recording)
    return looked_up


@pytest.mark.parametrize("path", ["/healthz", "/api/v1/auth/user/", "/api/v1/students/"])
def test_a_json_request_reads_no_absent_setting(college, coordinator, absent_settings, path):
    client = client_for(college)
    access = login(client, coordinator.email).json()["data"]["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert client.get(path).status_code == 200  # first reads of their kind: imports, caches
    absent_settings.clear()

    assert client.get(path).status_code == 200
    assert absent_settings == []


@pytest.mark.parametrize("path", ["/office/", "/office/students/"])
def test_a_page_reads_no_absent_setting(college, coordinator, absent_settings, path):
    client = page_client(college, coordinator)
    assert client.get(path).status_code == 200
    absent_settings.clear()

    assert client.get(path).status_code == 200
    assert absent_settings == []
