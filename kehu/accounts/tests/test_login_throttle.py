"""The lockout policy (DESIGN.md "Login lockout"): failures lock a user name from the address
they came from, never from everywhere; an address that keeps failing waits longer before each
attempt, without shutting out everyone behind it; every refusal is 429 with Retry-After."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from kehu.core.testing import PASSWORD, make_admin, make_department, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token"
LIMIT = settings.AXES_FAILURE_LIMIT
COOLOFF = int(dt.timedelta(hours=settings.AXES_COOLOFF_TIME).total_seconds())
ATTACKER, OFFICE, HOME = "203.0.113.66", "198.51.100.10", "192.0.2.7"


@pytest.fixture
def admin():
    return make_admin("admin")


@pytest.fixture
def rep():
    return make_user("zhang.wei", make_department("总部"), "sales_rep")


def sign_in(client, username, password, address):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def get_token(client, username, password, address):
    return client.post(
        TOKEN,
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def fail(client, username, address, times=1):
    for _ in range(times):
        response = sign_in(client, username, "wrong-password", address)
    return response


def age_failures(address, seconds):
    """Move the address's recorded failures `seconds` into the past (time passes)."""
    for attempt in AccessAttempt.objects.filter(ip_address=address):
        attempt.attempt_time -= dt.timedelta(seconds=seconds)
        attempt.save(update_fields=["attempt_time"])


# --- a user name is locked from one address ---------------------------------------------------


def test_failures_from_an_attacker_do_not_lock_the_administrator_out(client, admin):
    # Given someone tried the administrator's password five times from their own address
    assert fail(client, "admin", ATTACKER, LIMIT).status_code == 429

    # Then that address is locked for that name, with the time left to wait…
    locked = sign_in(client, "admin", PASSWORD, ATTACKER)
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= COOLOFF

    # …while the administrator signs in from the office, on the page and through the API
    assert sign_in(client, "admin", PASSWORD, OFFICE).status_code == 302
    assert get_token(client, "admin", PASSWORD, HOME).status_code == 200


def test_the_lock_is_429_with_retry_after_on_the_api_too(client, admin):
    for _ in range(LIMIT - 1):
        assert get_token(client, "admin", "wrong-password", ATTACKER).status_code == 401

    reaching = get_token(client, "admin", "wrong-password", ATTACKER)
    locked = get_token(client, "admin", PASSWORD, ATTACKER)

    assert reaching.status_code == locked.status_code == 429
    assert reaching["Retry-After"] == str(COOLOFF)
    assert 0 < int(locked["Retry-After"]) <= COOLOFF
    assert locked.json()["code"] == "locked_out"
    assert "token" not in locked.json()


def test_attempts_refused_during_the_lock_do_not_prolong_it(client, admin):
    fail(client, "admin", ATTACKER, LIMIT)
    counted = AccessAttempt.objects.get(ip_address=ATTACKER).failures_since_start

    fail(client, "admin", ATTACKER, 3)
    age_failures(ATTACKER, COOLOFF + 1)

    assert AccessAttempt.objects.get(ip_address=ATTACKER).failures_since_start == counted
    assert sign_in(client, "admin", PASSWORD, ATTACKER).status_code == 302


# --- an address that keeps failing waits longer each time --------------------------------------


@pytest.fixture
def three_free(settings):
    settings.KEHU_LOGIN_ADDRESS_FAILURES = 3
    settings.KEHU_LOGIN_MAX_DELAY_SECONDS = 8


def test_failures_across_names_do_not_lock_out_a_colleague_behind_the_same_address(client, rep):
    # Given colleagues behind the office's one address mistyped, each under the lock's limit
    for name in ("li.na", "chen.jing", "liu.yang", "zhao.min"):
        fail(client, name, OFFICE, LIMIT - 1)

    # Then zhang.wei, behind the same address, signs in (the default allowance is generous)
    assert sign_in(client, "zhang.wei", PASSWORD, OFFICE).status_code == 302


def test_an_address_guessing_names_waits_longer_before_each_attempt(client, rep, three_free):
    # Given three failures from one address, each with another name
    for i in range(3):
        assert fail(client, f"guess{i}", ATTACKER).status_code == 200

    waits = []
    for _ in range(5):
        # When it tries again at once it is told how long to wait…
        refused = sign_in(client, f"guess{len(waits)}x", "wrong-password", ATTACKER)
        assert refused.status_code == 429
        waits.append(int(refused["Retry-After"]))
        # …and after waiting that long its next guess is tried (and fails)
        age_failures(ATTACKER, waits[-1])
        assert fail(client, f"guess{len(waits)}y", ATTACKER).status_code == 200

    # Then every wait was longer than the one before, up to the ceiling
    assert waits == [1, 2, 4, 8, 8]


def test_a_delayed_address_delays_a_right_password_too_but_not_other_addresses(
    client, rep, three_free
):
    fail(client, "guess", ATTACKER, 3)

    delayed = sign_in(client, "zhang.wei", PASSWORD, ATTACKER)

    assert delayed.status_code == 429
    assert delayed["Retry-After"] == "1"
    assert sign_in(client, "zhang.wei", PASSWORD, OFFICE).status_code == 302
    age_failures(ATTACKER, 1)
    assert sign_in(client, "zhang.wei", PASSWORD, ATTACKER).status_code == 302


def test_failures_older_than_the_cooloff_no_longer_delay(client, rep, three_free):
    fail(client, "guess", ATTACKER, 6)

    age_failures(ATTACKER, COOLOFF + 1)

    assert sign_in(client, "zhang.wei", PASSWORD, ATTACKER).status_code == 302
