"""Signing out says so; 忘记密码 sends a reset link when mail is configured, and otherwise says
to ask an administrator — never revealing whether an address belongs to someone."""

import re

import pytest
from django.core import mail
from django.test import override_settings

from kehu.core.testing import PASSWORD, make_department, make_user, session_client

pytestmark = pytest.mark.django_db

FORGOT = "/accounts/password/forgot/"


@pytest.fixture
def rep():
    return make_user("zhang.wei", make_department("总部"), "sales_rep", email="zhang@example.com")


def test_signing_out_lands_on_login_saying_so(rep):
    client = session_client(rep)

    response = client.post("/accounts/logout/", follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "已退出登录" in response.content.decode()
    assert client.get("/").status_code == 302  # signed out indeed


def test_the_login_page_offers_forgot_password(client):
    assert FORGOT in client.get("/accounts/login/").content.decode()


@override_settings(EMAIL_CONFIGURED=False)
def test_without_mail_forgot_password_says_to_ask_an_administrator(client, rep):
    page = client.get(FORGOT)
    posted = client.post(FORGOT, {"email": "zhang@example.com"})

    assert "请联系管理员重置" in page.content.decode()
    assert 'name="email"' not in page.content.decode()
    assert posted.status_code == 200 and mail.outbox == []


@override_settings(EMAIL_CONFIGURED=True)
def test_with_mail_a_reset_link_sets_a_new_password(client, rep):
    # When the rep asks for a reset
    response = client.post(FORGOT, {"email": "zhang@example.com"})

    # Then a mail with a link goes out, and the link sets a new password
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zhang@example.com"]
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", mail.outbox[0].body)[1]
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = "Another-pw-2468"
    done = client.post(form_url, {"new_password1": new, "new_password2": new}, follow=True)
    assert "密码已重置" in done.content.decode()
    rep.refresh_from_db()
    assert rep.check_password(new) and not rep.check_password(PASSWORD)


@override_settings(EMAIL_CONFIGURED=True)
def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, rep):
    known = client.post(FORGOT, {"email": "zhang@example.com"})
    mail.outbox.clear()

    unknown = client.post(FORGOT, {"email": "nobody@example.com"})

    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert mail.outbox == []
