"""Fuzzing both OpenAPI schemas with schemathesis, through the real WSGI application.

Every operation of the college schema is fuzzed as each role (admin, coordinator, recruiter,
student), every operation of the root schema as an operator and anonymously, with valid and
invalid inputs: no 5xx, and every response conforms to the schema (status, content type, body);
invalid inputs are refused. Each generated request runs in a savepoint that is rolled back, so
the rows made for the test stay as they were; path ids are sometimes those of real rows.

Then two students as peers: whatever one sends to the other's rows (profile, résumé,
applications, interviews, offers), the answer is not a success and the rows do not change, and
no list shows one the other's rows.

FUZZ_EXAMPLES (default 3) sets the examples per operation and identity.
"""

import os
import re
from decimal import Decimal

import hypothesis
import pytest
import schemathesis
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django_tenants.utils import tenant_context
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import AcceptedNegativeData, Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from core.accounts.models import Role, TOTPDevice, User
from core.accounts.tokens import tokens_for
from tenant_apps.applications.models import Application, Offer
from tenant_apps.interviews.models import Interview
from tenant_apps.students.models import Student
from tests.conftest import host_of, make_user
from tests.fakes.stripe_server import FakeStripe
from tests.tenant_apps import factories
from tests.wsgi import wsgi_application, wsgi_client

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
METHODS = ("get", "post", "put", "patch", "delete")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
COLLEGE_ROLES = [Role.ADMIN, Role.COORDINATOR, Role.RECRUITER, Role.STUDENT]


# Operations whose only effect is outside this process and that their own tests cover.
def operations(urlconf: str) -> list[str]:
    """ "METHOD /path" of every operation of a URL set, known at collection time."""
    schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    return [
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in METHODS
    ]


COLLEGE_OPERATIONS = operations("config.urls_tenant")
ROOT_OPERATIONS = operations("config.urls_public")
# The rows of a student, by the first segment of the path.
PEER_RESOURCES = ("students", "applications", "interviews", "offers")

_schemas: dict[str, schemathesis.BaseSchema] = {}


def served_schema(application, host: str) -> schemathesis.BaseSchema:
    """The schema the host serves at /api/schema/ (loaded once per host)."""
    if host not in _schemas:
        schema = schemathesis.openapi.from_wsgi(
            "/api/schema/?format=json", application, headers={"Host": host}
        )
        # Identities are ours (a real token per role), not generated; parameters the schema does
        # not declare are ignored by design, so inventing them proves nothing.
        schema.config.generation.update(
            with_security_parameters=False, allow_extra_parameters=False
        )
        _schemas[host] = schema
    return _schemas[host]


@pytest.fixture(autouse=True)
def fake_stripe(settings):
    server = FakeStripe().start()
    settings.STRIPE_API_BASE = server.url
    yield server
    server.stop()


@pytest.fixture
def application():
    with wsgi_application() as wsgi:
        yield wsgi


def bearer(tenant, user: User) -> dict[str, str]:
    tenant.domain_url = host_of(tenant)
    with tenant_context(tenant):
        access = tokens_for(user, otp_verified=True).access_token
    return {"Authorization": f"Bearer {access}"}


class Campus:
    """One college's people and rows: two students with a profile, an application, an
    interview and an offer each, on a drive of a company with a recruiter."""

    def __init__(self, college):
        self.college = college
        self.company = factories.make_company(college, "Fuzz Co")
        self.recruiter = factories.make_recruiter(college, self.company)
        self.drive = factories.make_drive(college, self.company)
        self.skill = factories.make_skill(college, "Fuzzing")
        self.users = {
            Role.ADMIN: make_user(college, Role.ADMIN),
            Role.COORDINATOR: make_user(college, Role.COORDINATOR),
            Role.RECRUITER: self.recruiter,
        }
        self.students = [
            factories.make_student(college, email=f"peer{n}@alpha.example.edu", cgpa="9.00")
            for n in (1, 2)
        ]
        self.users[Role.STUDENT] = self.students[0].user
        self.rows: dict[str, list[dict]] = {}
        for student in self.students:
            application = factories.make_application(college, student, self.drive)
            interview = factories.make_interview(college, application)
            offer = factories.make_offer(college, application, ctc="1200000")
            self.rows.setdefault("students", []).append(student.pk)
            self.rows.setdefault("applications", []).append(application.pk)
            self.rows.setdefault("interviews", []).append(interview.pk)
            self.rows.setdefault("offers", []).append(offer.pk)
        self.rows.update(
            {
                "drives": [self.drive.pk],
                "companies": [self.company.pk],
                "skills": [self.skill.pk],
                "users": [user.pk for user in self.users.values()],
            }
        )

    def headers(self, role: str) -> dict[str, str]:
        return bearer(self.college, self.users[role])

    def peer_rows(self, index: int) -> dict[str, int]:
        return {resource: self.rows[resource][index] for resource in PEER_RESOURCES}

    def snapshot(self, index: int) -> list[dict]:
        """Every row of student `index`, as stored (soft-deleted rows included)."""
        student = self.students[index]
        with tenant_context(self.college):
            rows = [
                *Student.all_objects.filter(pk=student.pk),
                *Application.all_objects.filter(student=student),
                *Interview.all_objects.filter(application__student=student),
                *Offer.all_objects.filter(application__student=student),
            ]
            return [model_to_dict(row) for row in rows]


@pytest.fixture
def campus(college) -> Campus:
    return Campus(college)


def json_body(operation) -> str | None:
    """Invalid bodies in JSON where the operation takes it: forms and multipart carry only text,
    so "a number where a string is due" cannot even be said in them."""
    media_types = {body.media_type for body in operation.body}
    return "application/json" if "application/json" in media_types else None


def number_for_text(failure) -> bool:
    """Whether the only invalid data accepted were numbers sent for text fields: DRF's CharField
    takes them as their text on purpose (`{"name": 42}` is the name "42")."""
    if not isinstance(failure, AcceptedNegativeData):
        return False
    violations = re.findall(r"violates `(\w+)`[^\n]*?(?:\(was string, became (\w+)\))?$",
                            failure.message, re.MULTILINE)  # fmt: skip
    return bool(violations) and all(
        kind == "type" and became in ("number", "integer") for kind, became in violations
    )


def validate(case, response, headers) -> None:
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except (Failure, FailureGroup) as error:
        failures = error.exceptions if isinstance(error, FailureGroup) else [error]
        if not all(number_for_text(failure) for failure in failures):
            raise


def resource_of(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/")[0]


def run(operation, *, application, host: str, headers: dict, ids: dict, examples: int) -> None:
    """Fuzz one operation: both generation modes, each request rolled back."""
    negative = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    if json_body(operation):
        negative = negative.filter(lambda case: case.media_type == "application/json")
    strategies = [operation.as_strategy(generation_mode=GenerationMode.POSITIVE), negative]
    known_ids = ids.get(resource_of(operation.path), [])
    has_id = "{id}" in operation.path

    @hypothesis.given(data=st.data())
    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(data):
        case = data.draw(st.sampled_from(strategies).flatmap(lambda strategy: strategy))
        if has_id and known_ids and data.draw(st.booleans()):
            known = str(data.draw(st.sampled_from(known_ids)))
            case.path_parameters = {**case.path_parameters, "id": known}
        savepoint = transaction.savepoint()
        try:
            response = case.call(app=application, base_url=f"http://{host}", headers=headers)
            validate(case, response, headers)
        finally:
            transaction.savepoint_rollback(savepoint)
            connection.set_schema_to_public()

    fuzz()


def for_each(identities, fuzz_as) -> None:
    """Fuzz as each identity in turn; a failure names the identity it happened with."""
    for identity in identities:
        try:
            fuzz_as(identity)
        except BaseException as error:
            error.add_note(f"(as {identity})")
            raise


@pytest.mark.parametrize("label", COLLEGE_OPERATIONS)
def test_college_api_conforms_to_its_schema(label, campus, application):
    """As admin, coordinator, recruiter and student."""
    host = host_of(campus.college)
    method, path = label.split(" ")
    operation = served_schema(application, host)[path][method]

    for_each(
        COLLEGE_ROLES,
        lambda role: run(
            operation,
            application=application,
            host=host,
            headers=campus.headers(role),
            ids=campus.rows,
            examples=EXAMPLES,
        ),
    )


@pytest.fixture
def operator(public_tenant) -> User:
    with tenant_context(public_tenant):
        user = User.objects.create_user(
            email="fuzz-operator@placemate.local", password=None, role=Role.OPERATOR
        )
        device = TOTPDevice.for_new_secret(user=user, hex_key="ab" * 20)
        device.confirmed = True
        device.save()
    return user


@pytest.mark.parametrize("label", ROOT_OPERATIONS)
def test_root_api_conforms_to_its_schema(
    label, public_tenant, other_college, operator, application
):
    """As a platform operator (2FA done) and anonymously."""
    host = host_of(public_tenant)
    method, path = label.split(" ")
    operation = served_schema(application, host)[path][method]
    identities = {"operator": bearer(public_tenant, operator), "anonymous": {}}

    for_each(
        identities,
        lambda identity: run(
            operation,
            application=application,
            host=host,
            headers=identities[identity],
            ids={"platform": [other_college.pk]},
            examples=EXAMPLES,
        ),
    )


PEER_OPERATIONS = [
    label
    for label in COLLEGE_OPERATIONS
    if "{id}" in label and resource_of(label.split(" ")[1]) in PEER_RESOURCES
]
PEER_LISTS = [f"GET /api/v1/{resource}/" for resource in PEER_RESOURCES]


@pytest.mark.parametrize("label", PEER_OPERATIONS)
def test_a_student_cannot_reach_a_peers_rows(label, campus, application):
    host = host_of(campus.college)
    method, path = label.split(" ")
    operation = served_schema(application, host)[path][method]
    peer = campus.peer_rows(1)
    before = campus.snapshot(1)
    headers = campus.headers(Role.STUDENT)  # student 0
    strategy = operation.as_strategy(
        generation_mode=GenerationMode.POSITIVE,
        path_parameters={"id": str(peer[resource_of(path)])},
    )

    @hypothesis.given(case=strategy)
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def attempt(case):
        response = case.call(app=application, base_url=f"http://{host}", headers=headers)
        connection.set_schema_to_public()
        assert response.status_code in (400, 403, 404, 405, 409), (
            f"{label} with a peer's id answered {response.status_code}: {response.text[:300]}"
        )

    attempt()

    assert campus.snapshot(1) == before


@pytest.mark.parametrize("label", PEER_LISTS)
def test_lists_never_show_a_student_a_peers_rows(label, campus, application):
    host = host_of(campus.college)
    _, path = label.split(" ")
    resource = resource_of(path)
    client = wsgi_client(application, host)

    response = client.get(
        path, query_string={"page_size": 100}, headers=campus.headers(Role.STUDENT)
    )

    assert response.status_code in (200, 403)
    if response.status_code == 200:
        ids = {row["id"] for row in response.json["data"]}
        assert campus.peer_rows(1)[resource] not in ids
        assert campus.peer_rows(0)[resource] in ids


def test_the_fixtures_are_what_the_peer_tests_assume(campus):
    assert campus.students[0].user == campus.users[Role.STUDENT]
    assert campus.students[0].cgpa == Decimal("9.00")
    assert len(campus.snapshot(1)) == 4
