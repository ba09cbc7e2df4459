"""Signing in: one message for every failure, and a lockout after repeated failures
(django-axes keeps its attempts in the database, so each test starts unlocked)."""

import pytest
from django.conf import settings
from django.urls import reverse

from kehu.core.testing import PASSWORD, make_department, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token"
LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture
def rep():
    return make_user("zhang.wei", make_department("总部"), "sales_rep")


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def get_token(client, username, password):
    return client.post(
        TOKEN, {"username": username, "password": password}, content_type="application/json"
    )


def test_login_page_is_in_chinese(client):
    response = client.get(LOGIN)

    assert response.status_code == 200
    html = response.content.decode()
    assert "登录" in html
    assert "用户名" in html and "密码" in html


def test_correct_password_signs_in_and_lands_on_home(client, rep):
    response = sign_in(client, "zhang.wei", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get("/").status_code == 200


def test_next_is_followed_after_sign_in(client, rep):
    response = client.post(
        f"{LOGIN}?next=/settings/",
        {"username": "zhang.wei", "password": PASSWORD, "next": "/settings/"},
    )

    assert response["Location"] == "/settings/"


def test_next_to_another_site_is_ignored(client, rep):
    response = client.post(
        LOGIN, {"username": "zhang.wei", "password": PASSWORD, "next": "https://evil.example.com/"}
    )

    assert response["Location"] == reverse("home")


def test_wrong_password_and_unknown_user_get_the_same_message(client, rep):
    wrong_password = sign_in(client, "zhang.wei", "not-the-password")
    unknown_user = sign_in(client, "nobody", "not-the-password")

    assert wrong_password.status_code == unknown_user.status_code == 200
    errors = [r.context["form"].non_field_errors() for r in (wrong_password, unknown_user)]
    assert errors[0] == errors[1] == ["用户名或密码错误。"]
    assert "用户名或密码错误。" in wrong_password.content.decode()


def test_signed_in_user_visiting_login_goes_home(client, rep):
    sign_in(client, "zhang.wei", PASSWORD)

    response = client.get(LOGIN)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_sign_out_ends_the_session(client, rep):
    sign_in(client, "zhang.wei", PASSWORD)

    client.post(reverse("logout"))

    assert client.get("/").status_code == 302


def test_login_page_is_locked_after_repeated_failures(client, rep):
    # Given five wrong passwords in a row
    for _ in range(LIMIT - 1):
        assert sign_in(client, "zhang.wei", "wrong-password").status_code == 200
    assert sign_in(client, "zhang.wei", "wrong-password").status_code == 429

    # When the right password is tried next
    response = sign_in(client, "zhang.wei", PASSWORD)

    # Then the login is locked and says so
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()
    assert client.get("/").status_code == 302


def test_token_endpoint_is_locked_after_repeated_failures(client, rep):
    # Given five wrong passwords in a row (the fifth is already answered with the lockout)
    for _ in range(LIMIT - 1):
        assert get_token(client, "zhang.wei", "wrong-password").status_code == 401
    assert get_token(client, "zhang.wei", "wrong-password").status_code == 429

    # When the right password is tried next
    response = get_token(client, "zhang.wei", PASSWORD)

    # Then no token is issued

    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert "token" not in response.json()


def test_failures_on_page_and_api_count_together(client, rep):
    for _ in range(LIMIT - 1):
        sign_in(client, "zhang.wei", "wrong-password")
    get_token(client, "zhang.wei", "wrong-password")

    assert get_token(client, "zhang.wei", PASSWORD).status_code == 429
    assert sign_in(client, "zhang.wei", PASSWORD).status_code == 429


def test_a_success_before_the_limit_resets_the_count(client, rep):
    for _ in range(LIMIT - 1):
        sign_in(client, "zhang.wei", "wrong-password")
    assert sign_in(client, "zhang.wei", PASSWORD).status_code == 302
    client.post(reverse("logout"))

    for _ in range(LIMIT - 1):
        sign_in(client, "zhang.wei", "wrong-password")

    assert sign_in(client, "zhang.wei", PASSWORD).status_code == 302


def test_user_changes_their_password_and_stays_signed_in(client, rep):
    sign_in(client, "zhang.wei", PASSWORD)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Brand-new-pw-2026",
            "new_password2": "Brand-new-pw-2026",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert client.get("/").status_code == 200
    client.post(reverse("logout"))
    assert sign_in(client, "zhang.wei", PASSWORD).status_code == 200
    assert sign_in(client, "zhang.wei", "Brand-new-pw-2026").status_code == 302


def test_password_change_page_needs_login(client):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
