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


def test_cors_answers_vary_by_origin_only_once_an_origin_is_configured(college, settings):
    settings.CORS_ALLOWED_ORIGINS = []
    unconfigured = client_for(college).get("/healthz", HTTP_ORIGIN="https://placements.alpha.edu")
    settings.CORS_ALLOWED_ORIGINS = ["https://placements.alpha.edu"]
    configured = client_for(college).get("/healthz", HTTP_ORIGIN="https://placements.alpha.edu")
    without_origin = client_for(college).get("/healthz")

    assert "Access-Control-Allow-Origin" not in unconfigured
    assert "Vary" not in unconfigured  # the answer is the same for every origin
    assert configured["Access-Control-Allow-Origin"] == "https://placements.alpha.edu"
    assert configured["Vary"] == "origin"
    # a shared cache must not give this answer to a page of the allowed origin
    assert without_origin["Vary"] == "origin"


JSON_PROTECTIONS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def test_json_endpoints_keep_the_protections_but_skip_what_only_pages_use(college, coordinator):
    # given a JSON endpoint, signed in or not, and an error
    answers = [
        client_for(college).get("/healthz"),
        client_for(college, coordinator).get("/api/v1/auth/user/"),
        client_for(college).get("/api/v1/students/"),
    ]

    # then each carries the security headers, no CSP and no session (nothing varies on it)
    assert [a.status_code for a in answers] == [200, 200, 401]
    for answer in answers:
        assert {name: answer.get(name) for name in JSON_PROTECTIONS} == JSON_PROTECTIONS
        assert "Content-Security-Policy" not in answer
        assert "Cookie" not in answer.get("Vary", "")
        assert "sessionid" not in answer.cookies


def test_pages_and_the_api_documentation_keep_the_page_middleware(college):
    for path in ("/sign-in/", "/api/docs/"):
        response = client_for(college).get(path)

        assert response.status_code == 200
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
