"""The sign-in throttle model: a campus behind one address gets in, attackers are slowed.
Failures and per-person tokens are limited, not people arriving together."""

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth.hashers import make_password
from django_tenants.utils import tenant_context

from core.accounts.models import Role, User
from core.accounts.throttling import parse_rate
from tests.conftest import PASSWORD, client_for, login, make_user

make_token = default_token_generator.make_token
CAMPUS = "203.0.113.7"  # the college's NAT: every student arrives from it
SPRAYER = "198.51.100.66"
RESET = "/api/v1/auth/password/reset/"
RESET_CONFIRM = "/api/v1/auth/password/reset/confirm/"
NEW_PASSWORD = "placement-drive-at-ten"


def error_code(response) -> str:
    return response.json()["error"]["code"]


def students_created_by_staff(college, count: int, prefix: str) -> list[tuple[str, dict]]:
    """`count` students as staff create them (no usable password, a verified address), with
    the uid and token of the set-password link each was mailed."""
    with tenant_context(college):
        users = User.objects.bulk_create(
            User(email=f"{prefix}{n}@alpha.edu", role=Role.STUDENT, password=make_password(None))
            for n in range(count)
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
        )
        return [
            (
                user.email,
                {
                    "uid": user_pk_to_url_str(user),
                    "token": default_token_generator.make_token(user),
                },
            )
            for user in users
        ]


def test_a_campus_gets_in_while_lockout_and_spray_throttles_hold(college, settings):
    # given 300 students of one college, a locked-out target and 100 sprayed accounts
    students = students_created_by_staff(college, 300, "student")
    target = make_user(college, Role.COORDINATOR, "target@alpha.edu")
    sprayed = [email for email, _link in students_created_by_staff(college, 100, "sprayed")]
    campus = client_for(college)

    # when every student sets a password and signs in from the campus address within a minute
    set_password = [
        campus.post(
            RESET_CONFIRM,
            {**link, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            format="json",
            REMOTE_ADDR=CAMPUS,
        ).status_code
        for _email, link in students
    ]
    signed_in = [
        login(client_for(college), email, NEW_PASSWORD, REMOTE_ADDR=CAMPUS).status_code
        for email, _link in students
    ]
    # while somebody tries 10 wrong passwords on one account from 10 addresses
    on_target = [
        error_code(login(client_for(college), target.email, "wrong", REMOTE_ADDR=f"10.7.0.{n}"))
        for n in range(10)
    ]
    # and one wrong password on each of 100 accounts from one address
    spray = [
        login(client_for(college), email, "Summer2026!", REMOTE_ADDR=SPRAYER).status_code
        for email in sprayed
    ]

    # then the campus got in, every one of them
    assert set_password == [200] * 300
    assert signed_in == [200] * 300
    # the target is locked, even with the right password
    lockout = settings.ACCOUNT_LOCKOUT_FAILURES
    assert on_target[: lockout - 1] == ["authentication_failed"] * (lockout - 1)
    assert set(on_target[lockout - 1 :]) == {"account_locked"}
    assert error_code(login(client_for(college), target.email, REMOTE_ADDR="10.7.1.1")) == (
        "account_locked"
    )
    # and the spray was slowed once the address spent its budget of failures
    budget, _seconds = parse_rate(settings.AUTH_ADDRESS_FAILURE_RATE)
    assert spray[:budget] == [401] * budget
    assert set(spray[budget:]) == {429}


def test_successful_sign_ins_never_spend_the_failure_budget(college, settings):
    settings.AUTH_ADDRESS_FAILURE_RATE = "3/min"
    users = [make_user(college, Role.STUDENT, f"s{n}@alpha.edu") for n in range(6)]

    statuses = [
        login(client_for(college), user.email, REMOTE_ADDR=CAMPUS).status_code for user in users
    ]

    assert statuses == [200] * 6


def test_a_spent_failure_budget_answers_throttled_with_retry_after(college, student, settings):
    settings.AUTH_ADDRESS_FAILURE_RATE = "3/10min"
    for n in range(3):
        login(client_for(college), f"nobody{n}@alpha.edu", REMOTE_ADDR=SPRAYER)

    refused = login(client_for(college), student.email, REMOTE_ADDR=SPRAYER)
    elsewhere = login(client_for(college), student.email, REMOTE_ADDR=CAMPUS)

    assert refused.status_code == 429 and error_code(refused) == "throttled"
    retry_after = refused.json()["error"]["details"]["retry_after"]
    assert 0 < retry_after <= 600 and refused["Retry-After"] == str(retry_after)
    assert elsewhere.status_code == 200  # the budget is the address's, not the account's


def test_reset_mails_are_limited_per_account_and_answer_alike(college, student, mailoutbox):
    limit, _seconds = parse_rate("3/h")
    client = client_for(college)

    answers = [
        client.post(RESET, {"email": student.email}, REMOTE_ADDR=f"10.8.0.{n}").status_code
        for n in range(limit + 2)
    ]

    assert answers == [200] * (limit + 2)  # no enumeration, no throttle to tell
    assert len(mailoutbox) == limit


def test_one_mailed_token_is_tried_a_limited_number_of_times(college, student, settings):
    attempts, _seconds = parse_rate(settings.AUTH_TOKEN_RATE)
    [(_email, link)] = students_created_by_staff(college, 1, "tried")
    body = {**link, "new_password1": "short", "new_password2": "short"}

    statuses = [
        client_for(college)
        .post(RESET_CONFIRM, body, format="json", REMOTE_ADDR=f"10.9.0.{n}")
        .status_code
        for n in range(attempts + 1)
    ]

    assert statuses == [400] * attempts + [429]


def test_guessed_invitation_keys_spend_the_address_budget(college, settings):
    settings.AUTH_ADDRESS_FAILURE_RATE = "3/min"
    body = {"password": PASSWORD, "first_name": "Guess"}

    statuses = [
        client_for(college)
        .post("/api/v1/auth/invitations/accept/", {**body, "key": f"guess-{n}"}, format="json")
        .status_code
        for n in range(4)
    ]

    assert statuses == [400, 400, 400, 429]


def test_the_same_address_in_another_college_has_its_own_budget(college, other_college, settings):
    settings.AUTH_ADDRESS_FAILURE_RATE = "2/min"
    for n in range(2):
        login(client_for(college), f"nobody{n}@alpha.edu", REMOTE_ADDR=SPRAYER)
    other = make_user(other_college, Role.STUDENT, "student@beta.edu")

    assert login(client_for(college), "x@alpha.edu", REMOTE_ADDR=SPRAYER).status_code == 429
    assert login(client_for(other_college), other.email, REMOTE_ADDR=SPRAYER).status_code == 200


@pytest.mark.usefixtures("fresh_minute")
def test_the_flood_ceiling_counts_every_public_auth_request_of_an_address(
    college, student, settings
):
    # given a ceiling of 3 public auth requests a minute per address (production: 1,200)
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "auth": "3/min"},
    }
    campus = client_for(college)

    # when the campus signs in, asks for a reset mail, and signs in again twice
    statuses = [
        login(campus, student.email, REMOTE_ADDR=CAMPUS).status_code,
        campus.post(RESET, {"email": student.email}, REMOTE_ADDR=CAMPUS).status_code,
        login(campus, student.email, REMOTE_ADDR=CAMPUS).status_code,
    ]
    refused = login(campus, student.email, REMOTE_ADDR=CAMPUS)

    # then the fourth is refused with the time to wait, and another address still gets in
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429 and error_code(refused) == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert login(client_for(college), student.email, REMOTE_ADDR=SPRAYER).status_code == 200


def test_rates_are_read_as_count_per_period():
    assert parse_rate("10/min") == (10, 60)
    assert parse_rate("40/10min") == (40, 600)
    assert parse_rate("3/h") == (3, 3600)
    assert parse_rate("5 / 2d") == (5, 172800)
    assert parse_rate("1200/minute") == (1200, 60)  # DRF's spelling (the flood ceiling's)
