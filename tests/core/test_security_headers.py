from tests.conftest import client_for


def test_html_pages_carry_csp_and_the_usual_protections(college):
    response = client_for(college).get("/api/docs/")

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_swagger_initialiser_is_a_script_file_so_csp_allows_it(college):
    html = client_for(college).get("/api/docs/").content.decode()

    assert "<script>" not in html.replace(" ", "")  # no inline script for CSP to block
    script = client_for(college).get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_cors_allows_configured_origins_with_credentials(college, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://placements.alpha.edu"]

    allowed = client_for(college).options(
        "/api/v1/auth/login/",
        HTTP_ORIGIN="https://placements.alpha.edu",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    foreign = client_for(college).options(
        "/api/v1/auth/login/",
        HTTP_ORIGIN="https://evil.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )

    assert allowed["Access-Control-Allow-Origin"] == "https://placements.alpha.edu"
    assert allowed["Access-Control-Allow-Credentials"] == "true"
    assert "Access-Control-Allow-Origin" not in foreign
