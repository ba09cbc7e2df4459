"""A person signs in with a real browser and lands on 今日, on a desktop and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from kehu.core.testing import PASSWORD, make_admin

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page, username, password):
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_admin_signs_in_and_sees_today(browser_page):
    page = browser_page
    make_admin("boss")

    # Given the login page, in Chinese
    page.goto("/accounts/login/")
    expect(page).to_have_title(re.compile("登录"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    # When the administrator signs in
    sign_in(page, "boss", PASSWORD)

    # Then the home page shows 今日 and the navigation leads to 客户 and 设置
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name=re.compile("今日"))).to_be_visible()
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav).to_be_visible()
    expect(nav.get_by_text("客户", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="设置")).to_be_visible()


def test_stylesheet_and_scripts_load(browser_page):
    page = browser_page
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    errors = []

    def on_console(message):
        # (No page links a favicon yet, so the browser's own /favicon.ico probe is a 404.)
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            errors.append(f"{message.text} {message.location['url']}")

    page.on("console", on_console)

    page.goto("/accounts/login/")
    page.wait_for_load_state("networkidle")

    assert failed == []
    assert errors == []
    # kehu.css is applied: the login box is a white card
    background = page.locator(".login").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(255, 255, 255)"


def test_wrong_password_shows_the_message(browser_page):
    page = browser_page
    make_admin("boss")

    sign_in(page, "boss", "not-the-password")

    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误。")
    expect(page).to_have_url(re.compile("/accounts/login/"))


def test_navigation_is_visible_on_a_phone(browser_page):
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    make_admin("boss")

    sign_in(page, "boss", PASSWORD)

    expect(page.get_by_role("heading", name=re.compile("今日"))).to_be_visible()
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav).to_be_visible()
    expect(nav.get_by_text("客户", exact=True)).to_be_in_viewport()
    expect(nav.get_by_text("今日", exact=True)).to_be_in_viewport()
    box = nav.bounding_box()
    assert box["width"] <= 375
    # On a phone the navigation is a bar along the bottom of the screen.
    assert box["y"] + box["height"] == pytest.approx(740, abs=1)


def test_user_switches_to_english_and_back(browser_page):
    page = browser_page
    make_admin("boss")
    sign_in(page, "boss", PASSWORD)

    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_sign_out_returns_to_login(browser_page):
    page = browser_page
    make_admin("boss")
    sign_in(page, "boss", PASSWORD)

    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="退出登录").click()

    expect(page).to_have_url(re.compile("/accounts/login/"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/"))


def test_api_docs_render_for_a_signed_in_user(browser_page):
    page = browser_page
    make_admin("boss")
    sign_in(page, "boss", PASSWORD)

    page.goto("/api/v1/docs")

    expect(page.get_by_text("/api/v1/auth/token").first).to_be_visible()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Kehu API")
