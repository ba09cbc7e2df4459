"""401 means "who are you?", 403 "you may not": a program with a wrong token, or a caller with
no credentials, is unauthenticated on writes as on reads; only a signed-in browser that forgot
its CSRF token is refused with 403."""

import pytest
from django.test import Client

from kehu.accounts.models import Department
from kehu.core.testing import issue_token, make_admin, session_client

pytestmark = pytest.mark.django_db

DEPARTMENTS = "/api/v1/departments"


def post(client, **headers):
    return client.post(
        DEPARTMENTS, {"name": "华北大区"}, content_type="application/json", headers=headers
    )


@pytest.mark.parametrize("header", ["Bearer kehu_not-a-real-token", "Bearer ", "bearer x"])
def test_a_write_with_a_bad_bearer_token_is_401(header):
    response = post(Client(enforce_csrf_checks=True), Authorization=header)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert not Department.objects.exists()


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_a_write_without_credentials_is_401(method):
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)(
        f"{DEPARTMENTS}/1" if method != "post" else DEPARTMENTS, content_type="application/json"
    )

    assert response.status_code == 401


def test_a_bad_bearer_token_beside_a_session_is_401_not_the_session():
    # A program that sends a token is judged by it, whatever cookies come along
    browser = session_client(make_admin(), enforce_csrf_checks=True)

    response = post(browser, Authorization="Bearer kehu_revoked-or-wrong")

    assert response.status_code == 401
    assert not Department.objects.exists()


def test_a_valid_bearer_token_needs_no_csrf_token():
    client = Client(enforce_csrf_checks=True)

    response = post(client, Authorization=f"Bearer {issue_token(make_admin())}")

    assert response.status_code == 201


def test_a_signed_in_browser_without_its_csrf_token_is_403():
    browser = session_client(make_admin(), enforce_csrf_checks=True)

    response = post(browser)

    assert response.status_code == 403
    assert not Department.objects.exists()


def test_a_browser_behind_a_basic_auth_proxy_keeps_its_session():
    # An intranet proxy's own Basic credentials are not the API's business
    browser = session_client(make_admin())

    response = browser.get("/api/v1/auth/me", headers={"Authorization": "Basic dXNlcjpwdw=="})

    assert response.status_code == 200
