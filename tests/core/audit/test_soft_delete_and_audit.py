"""Audited soft delete on a real college model (Company), through the API and the model."""

from auditlog.models import LogEntry
from django_tenants.utils import tenant_context

from core.audit.context import acting_as
from tenant_apps.companies.models import Company


def entries_for(company: Company) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(company).order_by("timestamp", "id"))


def test_create_and_update_are_audited_with_actor_ip_and_changes(
    college, coordinator_client, coordinator
):
    # given
    created = coordinator_client.post(
        "/api/v1/companies/",
        {"name": "Acme", "industry": "Steel"},
        format="json",
        REMOTE_ADDR="203.0.113.7",
    ).json()["data"]

    # when
    coordinator_client.patch(
        f"/api/v1/companies/{created['id']}/",
        {"industry": "Software"},
        format="json",
        REMOTE_ADDR="203.0.113.8",
    )

    # then
    with tenant_context(college):
        company = Company.objects.get(pk=created["id"])
        create, update = entries_for(company)
    assert company.created_by == coordinator and company.updated_by == coordinator
    assert create.action == LogEntry.Action.CREATE
    assert create.actor_id == coordinator.pk and create.remote_addr == "203.0.113.7"
    assert update.action == LogEntry.Action.UPDATE
    assert update.changes_dict == {"industry": ["Steel", "Software"]}
    assert update.actor_id == coordinator.pk and update.remote_addr == "203.0.113.8"


def test_spoofed_forwarded_for_does_not_change_the_recorded_ip(coordinator_client, college):
    response = coordinator_client.post(
        "/api/v1/companies/",
        {"name": "Acme"},
        format="json",
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )

    with tenant_context(college):
        (entry,) = entries_for(Company.objects.get(pk=response.json()["data"]["id"]))
    assert entry.remote_addr == "203.0.113.7"


def test_forwarded_for_counts_behind_a_configured_proxy(coordinator_client, college, settings):
    settings.NUM_PROXIES = 1
    response = coordinator_client.post(
        "/api/v1/companies/",
        {"name": "Acme"},
        format="json",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9",
    )

    with tenant_context(college):
        (entry,) = entries_for(Company.objects.get(pk=response.json()["data"]["id"]))
    assert entry.remote_addr == "198.51.100.9"  # the hop our proxy saw, not the client's claim


def test_delete_is_soft_hidden_everywhere_and_audited(college, coordinator_client, coordinator):
    company_id = coordinator_client.post(
        "/api/v1/companies/", {"name": "Acme"}, format="json"
    ).json()["data"]["id"]

    response = coordinator_client.delete(f"/api/v1/companies/{company_id}/")

    assert response.status_code == 204
    assert coordinator_client.get(f"/api/v1/companies/{company_id}/").status_code == 404
    assert coordinator_client.get("/api/v1/companies/").json()["data"] == []
    with tenant_context(college):
        assert not Company.objects.filter(pk=company_id).exists()
        row = Company.all_objects.get(pk=company_id)
        assert row.deleted_at is not None and row.deleted_by == coordinator
        assert [e.action for e in entries_for(row)] == [
            LogEntry.Action.CREATE,
            LogEntry.Action.DELETE,
        ]
        assert entries_for(row)[-1].actor_id == coordinator.pk


def test_admin_lists_deleted_rows_and_restores_one(college, admin_client, college_admin):
    company_id = admin_client.post("/api/v1/companies/", {"name": "Acme"}, format="json").json()[
        "data"
    ]["id"]
    admin_client.delete(f"/api/v1/companies/{company_id}/")

    deleted = admin_client.get("/api/v1/companies/?deleted=only").json()["data"]
    restored = admin_client.post(f"/api/v1/companies/{company_id}/restore/")

    assert [c["id"] for c in deleted] == [company_id]
    assert restored.status_code == 200 and restored.json()["data"]["name"] == "Acme"
    assert admin_client.get(f"/api/v1/companies/{company_id}/").status_code == 200
    with tenant_context(college):
        last = entries_for(Company.objects.get(pk=company_id))[-1]
    assert last.additional_data == {"event": "restore"}
    assert last.changes_dict["deleted_at"][1] == "None"
    assert last.actor_id == college_admin.pk


def test_coordinator_can_neither_see_deleted_rows_nor_restore(coordinator_client, college):
    with tenant_context(college):
        company = Company.objects.create(name="Acme")
        company.delete()

    listing = coordinator_client.get("/api/v1/companies/?deleted=only")
    restore = coordinator_client.post(f"/api/v1/companies/{company.pk}/restore/")

    assert listing.status_code == 403 and restore.status_code == 403
    with tenant_context(college):
        assert Company.all_objects.get(pk=company.pk).is_deleted


def test_restore_of_a_live_row_is_404(admin_client, college):
    with tenant_context(college):
        company = Company.objects.create(name="Acme")

    assert admin_client.post(f"/api/v1/companies/{company.pk}/restore/").status_code == 404


def test_a_deleted_name_can_be_reused(coordinator_client, college):
    with tenant_context(college):
        Company.objects.create(name="Acme").delete()

    response = coordinator_client.post("/api/v1/companies/", {"name": "Acme"}, format="json")

    assert response.status_code == 201


def test_model_api_outside_requests(college, coordinator):
    with tenant_context(college), acting_as(coordinator, ip="192.0.2.1"):
        company = Company.objects.create(name="Acme")
        Company.objects.filter(pk=company.pk).delete()  # queryset delete is soft too
        assert Company.all_objects.get(pk=company.pk).deleted_by == coordinator
        company.refresh_from_db()
        company.restore()
        assert Company.objects.filter(pk=company.pk).exists()
        entries = entries_for(company)
        company.hard_delete()
        assert not Company.all_objects.filter(pk=company.pk).exists()

    assert company.created_by_id == coordinator.pk
    assert [e.action for e in entries] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.DELETE,
        LogEntry.Action.UPDATE,
    ]
    assert {e.remote_addr for e in entries} == {"192.0.2.1"}
    assert {e.actor_id for e in entries} == {coordinator.pk}
