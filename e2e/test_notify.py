"""The notification centre on a phone, in a real browser: the header's count, opening a
notification goes to its record and counts it read, 全部标为已读, and 通知设置 from the account
menu refusing an intranet webhook — nothing wider than the screen."""

import re

import pytest
from playwright.sync_api import expect

from kehu.customers.tests import factories as f
from kehu.notify import services

from .test_customers import page, signed_in  # noqa: F401  (the page fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def fits_the_screen(page):  # noqa: F811
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]


def test_a_rep_reads_notifications_on_a_phone(page):  # noqa: F811
    org = f.build_org()
    customer = f.enterprise(org.rep_a, name="上海青松贸易有限公司")
    for n, title in enumerate(["跟进提醒：上海青松贸易", "信息复核：上海青松贸易"]):
        services.notify(
            recipients=[org.rep_a],
            kind="task_reminder",
            title=title,
            body="今天 15:00 电话回访，确认预算",
            url=f"/customers/{customer.pk}/",
            key=f"e2e:{n}",
        )
    page.set_viewport_size({"width": 375, "height": 800})
    signed_in(page, "rep.a")

    bell = page.locator(".topbar .bell")
    expect(bell.locator(".badge")).to_have_text("2")
    bell.click()
    expect(page.get_by_role("heading", name="通知")).to_be_visible()
    fits_the_screen(page)

    page.get_by_role("button", name="跟进提醒：上海青松贸易").click()
    expect(page).to_have_url(re.compile(f"/customers/{customer.pk}/$"))
    expect(bell.locator(".badge")).to_have_text("1")

    bell.click()
    page.get_by_role("button", name="全部标为已读").click()
    expect(page.get_by_text("已将 1 条通知标为已读")).to_be_visible()
    expect(bell.locator(".badge")).to_have_count(0)

    page.locator(".usermenu summary").click()
    page.locator(".usermenu").get_by_role("link", name="通知设置").click()
    page.get_by_label("Webhook 地址").first.fill("http://192.168.1.10/cgi-bin/webhook/send?key=x")
    page.locator("#robot").get_by_role("button", name="保存").click()
    expect(page.locator("#robot #err-url")).to_have_text(
        "不允许内网、本机或保留地址（192.168.1.10）"
    )
    fits_the_screen(page)
