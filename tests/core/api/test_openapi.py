from tests.conftest import client_for


def schema_of(tenant) -> dict:
    response = client_for(tenant).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_each_host_documents_its_own_url_set(public_tenant, college):
    college_paths = set(schema_of(college)["paths"])
    public_paths = set(schema_of(public_tenant)["paths"])

    assert "/api/v1/companies/" in college_paths
    assert "/api/v1/companies/{id}/restore/" in college_paths
    assert not any(path.startswith("/api/v1/companies") for path in public_paths)
    assert schema_of(college)["info"]["title"] == "Placemate college API"
    assert schema_of(public_tenant)["info"]["title"] == "Placemate platform API"


def test_schema_shows_the_envelope(college):
    schema = schema_of(college)
    operations = schema["paths"]["/api/v1/companies/"]
    components = schema["components"]["schemas"]

    listed = operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    paginated = components[listed["$ref"].rsplit("/", 1)[1]]
    created = operations["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    error = operations["post"]["responses"]["default"]["content"]["application/json"]["schema"]

    assert set(paginated["properties"]) == {"success", "message", "timestamp", "data", "pagination"}
    assert set(created["properties"]) == {"success", "message", "timestamp", "data"}
    assert created["properties"]["data"] == {"$ref": "#/components/schemas/Company"}
    assert error == {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert "error" in components["ErrorEnvelope"]["properties"]


def test_docs_pages_are_served_without_a_cdn(college, public_tenant):
    for tenant in (college, public_tenant):
        for path in ("/api/docs/", "/api/redoc/"):
            response = client_for(tenant).get(path)
            assert response.status_code == 200
            html = response.content.decode()
            assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html


def test_docs_assets_are_served_locally(college):
    html = client_for(college).get("/api/docs/").content.decode()
    asset = next(part.split('"')[0] for part in html.split('src="')[1:] if "sidecar" in part)

    response = client_for(college).get(asset)

    assert response.status_code == 200
