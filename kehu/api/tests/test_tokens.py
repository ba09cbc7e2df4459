"""One's own API tokens (GET/DELETE /api/v1/auth/tokens), and a new password ends the other
tokens and sessions of its user, whoever sets it (the user on 修改密码, an administrator in
设置)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kehu.accounts import services
from kehu.accounts.models import ApiToken
from kehu.core.testing import PASSWORD, make_admin, make_department, make_user, session_client

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/auth/tokens"
ME = "/api/v1/auth/me"
NEW_PASSWORD = "Brand-new-pw-2026"


@pytest.fixture
def hq():
    return make_department("总部")


@pytest.fixture
def rep(hq):
    return make_user("zhang.wei", hq, "sales_rep")


def bearer(key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}"})


def issue(user, name=""):
    token, key = services.token_issue(user=user, name=name)
    return token, bearer(key)


# --- listing and revoking one's own tokens ----------------------------------------------------


def test_a_user_lists_their_own_valid_tokens_newest_first(rep, hq):
    laptop, _ = issue(rep, "laptop")
    revoked, _ = issue(rep, "old script")
    services.token_revoke(token=revoked, actor=rep)
    expired, _ = issue(rep, "expired")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    issue(make_user("li.na", hq, "sales_rep"), "someone else's")
    _, client = issue(rep, "this script")

    response = client.get(TOKENS)

    assert response.status_code == 200
    body = response.json()
    assert [(t["name"], t["current"]) for t in body["items"]] == [
        ("this script", True),
        ("laptop", False),
    ]
    assert body["count"] == 2 and body["next"] is None
    assert body["items"][1]["prefix"] == laptop.prefix
    assert "key_hash" not in body["items"][0] and "token" not in body["items"][0]


def test_the_token_list_pages_with_a_cursor(rep):
    for i in range(3):
        issue(rep, f"t{i}")
    _, client = issue(rep, "t3")

    first = client.get(TOKENS, {"limit": 2}).json()
    second = client.get(TOKENS, {"limit": 2, "cursor": first["next"]}).json()

    names = [t["name"] for t in first["items"] + second["items"]]
    assert names == ["t3", "t2", "t1", "t0"]
    assert second["next"] is None


def test_a_signed_in_browser_lists_tokens_none_current(rep):
    issue(rep, "laptop")

    body = session_client(rep).get(TOKENS).json()

    assert [(t["name"], t["current"]) for t in body["items"]] == [("laptop", False)]


def test_a_user_revokes_one_of_their_tokens(rep):
    laptop, laptop_client = issue(rep, "laptop")
    _, client = issue(rep, "this script")

    response = client.delete(f"{TOKENS}/{laptop.pk}")

    assert response.status_code == 204
    assert laptop_client.get(ME).status_code == 401
    assert client.get(ME).status_code == 200
    assert [t["name"] for t in client.get(TOKENS).json()["items"]] == ["this script"]


def test_revoking_the_token_in_use_signs_the_program_out(rep):
    current, client = issue(rep)

    assert client.delete(f"{TOKENS}/{current.pk}").status_code == 204
    assert client.get(ME).status_code == 401


def test_another_users_token_is_404_and_keeps_working(rep, hq):
    theirs, their_client = issue(make_user("li.na", hq, "sales_rep"))
    _, client = issue(rep)

    response = client.delete(f"{TOKENS}/{theirs.pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert their_client.get(ME).status_code == 200


def test_a_revoked_or_missing_token_is_404(rep):
    old, _ = issue(rep)
    services.token_revoke(token=old, actor=rep)
    _, client = issue(rep)

    assert client.delete(f"{TOKENS}/{old.pk}").status_code == 404
    assert client.delete(f"{TOKENS}/999999").status_code == 404


def test_tokens_need_authentication(rep):
    token, _ = issue(rep)

    assert Client().get(TOKENS).status_code == 401
    assert Client().delete(f"{TOKENS}/{token.pk}").status_code == 401


# --- a new password ends the others' access ---------------------------------------------------


def change_own_password(browser):
    return browser.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )


def test_changing_ones_password_revokes_tokens_and_other_sessions(rep):
    # Given the rep signed in on a phone and a laptop, and a script holding a token
    _, script = issue(rep)
    phone, laptop = session_client(rep), session_client(rep)

    # When they change their password on the laptop
    response = change_own_password(laptop)

    # Then the laptop stays signed in; the phone and the script are out
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    assert script.get(ME).status_code == 401
    assert not ApiToken.objects.filter(user=rep, revoked_at__isnull=True).exists()


def test_an_administrator_setting_a_password_ends_the_users_sessions_and_tokens(rep):
    _, script = issue(rep)
    phone = session_client(rep)
    admin_browser = session_client(make_admin())

    response = admin_browser.post(
        f"/_maintenance/accounts/user/{rep.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert phone.get("/").status_code == 302
    assert script.get(ME).status_code == 401
    assert admin_browser.get("/settings/").status_code == 200


def test_an_administrator_changing_their_own_password_in_settings_stays_signed_in(hq):
    admin = make_admin()
    _, script = issue(admin)
    browser, other_browser = session_client(admin), session_client(admin)

    response = browser.post(
        f"/_maintenance/accounts/user/{admin.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    assert browser.get("/settings/").status_code == 200
    assert other_browser.get("/").status_code == 302
    assert script.get(ME).status_code == 401


def test_a_refused_password_change_ends_nothing(rep):
    _, script = issue(rep)
    phone, laptop = session_client(rep), session_client(rep)

    response = laptop.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert phone.get("/").status_code == 200
    assert script.get(ME).status_code == 200
