"""The UI shell: /healthz, the 今日 home page behind login, and the language switch."""

import pytest
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from kehu.core.testing import make_department, make_user, session_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return make_user("zhang.wei", make_department("上海销售部"), "sales_rep", display_name="张伟")


def test_healthz_reports_database_and_queue_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["queue"] == "ok"
    assert body["queue_pending"] == 0
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_queue_is_unreachable(client, monkeypatch):
    def broken():
        raise ConnectionError("queue down")

    monkeypatch.setattr(HUEY, "pending_count", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["queue"] == "error: ConnectionError"


def test_healthz_needs_no_login(client):
    assert client.get("/healthz").status_code == 200


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_home_shows_today_in_chinese_by_default(rep):
    response = session_client(rep).get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "今日" in html
    assert "张伟" in html
    assert "<title>今日 · Kehu</title>" in html


def test_pages_carry_the_security_headers(rep):
    response = session_client(rep).get("/")

    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_switching_to_english_changes_the_page_language(rep):
    # Given a signed-in user on the Chinese home page
    client = session_client(rep)

    # When they choose English in the user menu
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    # Then they are sent back, and pages now render in English
    assert response.status_code == 302
    assert response["Location"] == "/"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    # The menu now offers the way back to Chinese.
    assert 'value="zh-hans">简体中文</button>' in html


def test_switching_back_to_chinese(rep):
    client = session_client(rep)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_unknown_language_is_ignored(rep):
    client = session_client(rep)

    client.post(reverse("set_language"), {"language": "xx", "next": "/"})

    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_login_page_is_in_english_after_switching(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})

    html = client.get(reverse("login")).content.decode()

    assert '<html lang="en">' in html


def test_home_text_is_english_after_switching(rep):
    client = session_client(rep)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    html = client.get("/").content.decode()

    assert "今日" not in html


@pytest.mark.parametrize(
    ("accept_language", "lang"),
    [
        ("zh-CN,zh;q=0.9", "zh-hans"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR", "zh-hans"),
        ("", "zh-hans"),
    ],
)
def test_first_visit_follows_the_browser_language(client, accept_language, lang):
    response = client.get(reverse("login"), headers={"Accept-Language": accept_language})

    assert f'<html lang="{lang}">' in response.content.decode()


@pytest.mark.django_db
def test_missing_page_is_a_chinese_404_with_the_navigation():
    client = session_client(make_user("zhang.wei"))

    response = client.get("/customers/999999999/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and 'data-nav="customers"' in body
