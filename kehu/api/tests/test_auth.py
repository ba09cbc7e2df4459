"""API authentication: tokens from /auth/token, Bearer on every call, errors in one format."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from kehu.accounts import services
from kehu.accounts.models import ApiToken, User
from kehu.core.testing import PASSWORD, make_department, make_user, session_client

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token"
ME = "/api/v1/auth/me"


@pytest.fixture
def rep():
    return make_user("zhang.wei", make_department("上海销售部"), "sales_rep", display_name="张伟")


def post_json(client, url, data, **extra):
    return client.post(url, data, content_type="application/json", **extra)


def bearer(key):
    return Client(headers={"Authorization": f"Bearer {key}"})


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "errors"}
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list)
    return body


def test_password_gives_a_token_that_works_as_bearer(client, rep):
    # When a program exchanges a username and password
    response = post_json(client, TOKEN, {"username": "zhang.wei", "password": PASSWORD})

    # Then it receives a token (shown once) …
    assert response.status_code == 200
    key = response.json()["token"]
    assert key.startswith("kehu_")
    assert not ApiToken.objects.filter(key_hash=key).exists()  # only the hash is stored

    # … that authenticates it on later calls
    me = bearer(key).get(ME)
    assert me.status_code == 200
    assert me.json()["username"] == "zhang.wei"
    assert me.json()["display_name"] == "张伟"
    assert me.json()["roles"] == ["sales_rep"]
    assert me.json()["department_id"] == rep.department_id


def test_token_expires_after_the_configured_days(client, rep, settings):
    response = post_json(client, TOKEN, {"username": "zhang.wei", "password": PASSWORD})

    token = ApiToken.objects.get(user=rep)
    expected = timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS)
    assert abs((token.expires_at - expected).total_seconds()) < 60
    assert dt.datetime.fromisoformat(response.json()["expires_at"]) == token.expires_at


def test_wrong_password_and_unknown_user_get_the_same_401(client, rep):
    wrong = post_json(client, TOKEN, {"username": "zhang.wei", "password": "nope"})
    unknown = post_json(client, TOKEN, {"username": "nobody", "password": "nope"})

    assert assert_error(wrong, 401, "authentication_failed") == assert_error(
        unknown, 401, "authentication_failed"
    )


def test_inactive_user_gets_no_token(client, rep):
    services.user_deactivate(user=rep, actor=None)

    response = post_json(client, TOKEN, {"username": "zhang.wei", "password": PASSWORD})

    assert_error(response, 401, "authentication_failed")


def test_no_credentials_is_401(client):
    assert_error(client.get(ME), 401, "authentication_failed")


@pytest.mark.parametrize(
    "header", ["Bearer kehu_not-a-real-token", "Bearer ", "Token abc", "Basic emhhbmc6d2Vp"]
)
def test_bad_authorization_header_is_401(header):
    response = Client(headers={"Authorization": header}).get(ME)

    assert_error(response, 401, "authentication_failed")


def test_revoked_token_is_401(rep):
    token, key = services.token_issue(user=rep)
    assert bearer(key).get(ME).status_code == 200

    services.token_revoke(token=token, actor=rep)

    assert_error(bearer(key).get(ME), 401, "authentication_failed")


def test_expired_token_is_401(rep):
    token, key = services.token_issue(user=rep)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert_error(bearer(key).get(ME), 401, "authentication_failed")


def test_token_use_is_recorded_at_most_once_a_minute(rep):
    token, key = services.token_issue(user=rep)
    client = bearer(key)
    client.get(ME)
    first_use = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first_use is not None

    client.get(ME)

    assert ApiToken.objects.get(pk=token.pk).last_used_at == first_use


def test_token_use_is_recorded_again_after_a_minute(rep):
    token, key = services.token_issue(user=rep)
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=an_hour_ago)

    assert bearer(key).get(ME).status_code == 200

    assert ApiToken.objects.get(pk=token.pk).last_used_at > an_hour_ago + dt.timedelta(minutes=59)


def test_token_of_an_inactive_user_is_401(rep):
    _token, key = services.token_issue(user=rep)
    # Made inactive without the deactivation service, which would also revoke the token
    User.objects.filter(pk=rep.pk).update(is_active=False)

    assert_error(bearer(key).get(ME), 401, "authentication_failed")


def test_malformed_json_is_422_validation_error(client):
    response = client.post(
        TOKEN, '{"username": "zhang.wei", "password":', content_type="application/json"
    )

    body = assert_error(response, 422, "validation_error")
    assert body["errors"][0]["field"] == "__body__"


def test_missing_field_is_422_naming_the_field(client):
    response = post_json(client, TOKEN, {"username": "zhang.wei"})

    body = assert_error(response, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["password"]
    assert body["errors"][0]["message"] == "必填"


def test_field_messages_follow_the_request_language(client):
    response = post_json(client, TOKEN, {"username": "zhang.wei"}, HTTP_ACCEPT_LANGUAGE="en")

    body = assert_error(response, 422, "validation_error")
    assert body["errors"][0]["message"] == "Required"


def test_wrong_type_is_422_naming_the_field(client):
    response = post_json(client, TOKEN, {"username": ["zhang.wei"], "password": "x"})

    body = assert_error(response, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["username"]
    assert body["errors"][0]["message"] == "应为文本"


def test_empty_body_is_422(client):
    response = client.post(TOKEN, "", content_type="application/json")

    assert_error(response, 422, "validation_error")


def test_session_works_for_the_ui_own_calls(rep):
    response = session_client(rep).get(ME)

    assert response.status_code == 200
    assert response.json()["username"] == "zhang.wei"


def test_session_of_a_deactivated_user_is_401(rep):
    browser = session_client(rep)
    rep.is_active = False
    rep.save(update_fields=["is_active"])  # (not through the service: the session survives)

    assert_error(browser.get(ME), 401, "authentication_failed")


def test_openapi_schema_is_served(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/token" in schema["paths"]
    assert "/api/v1/users" in schema["paths"]


def test_docs_page_is_served_to_a_signed_in_user(rep):
    response = session_client(rep).get("/api/v1/docs")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
