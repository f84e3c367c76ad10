"""Provisioning by cloning: all or nothing, retryable, one winner per sub-domain."""

import threading

import pytest
from django.db import connections
from django_tenants.utils import schema_exists, tenant_context

from core.accounts.models import User
from tenant_apps.companies.models import Company
from tenants.models import College, Domain
from tenants.services import AdminAccount, college_provision
from tests.browser import drop_college

ADMIN = AdminAccount("head@delta.edu", "a-long-and-unusual-passphrase", "Dev", "Rao")


def test_a_cloned_schema_is_a_full_current_workspace(db, _schemas):
    college = college_provision(name="Delta", subdomain="delta", admin=ADMIN)

    with tenant_context(college):
        assert User.objects.count() == 1  # only the new admin: the template holds no people
        Company.objects.create(name="Works")  # every college table is there
        assert Company.objects.count() == 1


def test_a_failure_after_the_schema_exists_leaves_nothing_and_can_be_retried(
    db, _schemas, monkeypatch
):
    # given a failure injected after the schema has been cloned
    seen = {}

    def fail(**kwargs):
        seen["schema_existed"] = schema_exists("c_delta")
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr("core.accounts.services.college_admin_create", fail)

    # when
    with pytest.raises(RuntimeError):
        college_provision(name="Delta", subdomain="delta", admin=ADMIN)

    # then nothing is left behind
    assert seen["schema_existed"] is True
    assert not schema_exists("c_delta")
    assert not College.objects.filter(subdomain="delta").exists()
    assert not Domain.objects.filter(domain="delta.localhost").exists()

    # and the same sign-up works afterwards
    monkeypatch.undo()
    college = college_provision(name="Delta", subdomain="delta", admin=ADMIN)
    assert schema_exists(college.schema_name)


def run_in_threads(target, count: int) -> list:
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = target()
        except Exception as exc:  # the loser's error is the result under test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_signups_for_one_subdomain_have_exactly_one_winner(db, _schemas):
    from rest_framework.exceptions import ValidationError

    def sign_up():
        return college_provision(name="Race", subdomain="race-one", admin=ADMIN)

    try:
        results = run_in_threads(sign_up, 3)

        winners = [r for r in results if isinstance(r, College)]
        losers = [r for r in results if isinstance(r, ValidationError)]
        assert len(winners) == 1, results
        assert len(losers) == 2
        assert all("subdomain" in loser.detail for loser in losers)
        assert College.objects.filter(subdomain="race-one").count() == 1
    finally:
        drop_college("race-one")


def test_the_template_is_created_when_missing(db, _schemas, settings):
    settings.TENANT_TEMPLATE_SCHEMA = "template_for_this_test"
    assert not schema_exists("template_for_this_test")

    college = college_provision(name="Epsilon", subdomain="epsilon", admin=ADMIN)

    assert schema_exists("template_for_this_test")
    with tenant_context(college):
        assert User.objects.count() == 1  # (the new schemas go with the test's rollback)
