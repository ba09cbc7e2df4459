"""The product's frame in a real browser: the navigation and account menu on a phone, 今日 as a
rep's morning page, and 设置 › 用户, 部门, 角色与权限 as an administrator uses them, on a phone
(375 px) and a desktop (1280 px)."""

import re

import pytest
from playwright.sync_api import expect

from kehu.accounts.models import Department, Role, User
from kehu.core.testing import PASSWORD, make_admin
from kehu.customers.tests import factories as f

from .test_login import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def signed_in(page, username, size):
    page.set_viewport_size(size)
    sign_in(page, username, PASSWORD)
    expect(page.get_by_role("heading", name=re.compile("今日"))).to_be_visible()


def inside(box, size) -> bool:
    return box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 0.5


def test_a_rep_on_a_phone_sees_no_settings_and_the_account_menu_fits(browser_page):
    page = browser_page
    f.build_org()
    signed_in(page, "rep.a", PHONE)

    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link")).to_have_text(["今日", "客户"])
    expect(nav.get_by_text("设置")).to_have_count(0)

    page.locator(".usermenu summary").click()
    menu = page.locator(".usermenu .menu")
    expect(menu).to_be_visible()
    assert inside(menu.bounding_box(), PHONE)
    for item in ("修改密码", "English", "退出登录"):
        expect(menu.get_by_text(item)).to_be_in_viewport()

    # A tap elsewhere closes it; signing out says so.
    page.locator("h1").click()
    expect(menu).to_be_hidden()
    page.locator(".usermenu summary").click()
    menu.get_by_role("button", name="退出登录").click()
    expect(page.get_by_text("已退出登录")).to_be_visible()


def test_a_rep_starts_the_day_on_the_workbench(browser_page):
    page = browser_page
    org = f.build_org()
    pending = f.enterprise(
        org.rep_a, name="宁波港城汽车零部件有限公司", pending_fields=["budget_min"]
    )
    f.individual(org.rep_a, name="李晓梅", status="intent")
    f.individual(org.rep_b, name="别人的客户")
    signed_in(page, "rep.a", PHONE)

    # 我的客户 by status, with this week's new ones and the record with a 待确认 field
    counts = page.locator(".panel-customers_by_status")
    expect(counts.get_by_role("heading")).to_have_text("我的客户")
    expect(counts.locator(".count-potential strong")).to_have_text("1")
    expect(counts.locator(".count-intent strong")).to_have_text("1")
    expect(page.locator(".panel-customers_pending")).to_contain_text("宁波港城汽车零部件有限公司")
    expect(page.locator(".panel-customers_new")).to_contain_text("李晓梅")
    expect(page.locator("main")).not_to_contain_text("别人的客户")

    # Opening a customer puts it under 最近查看
    page.locator(".panel-customers_pending").get_by_role("link", name=pending.name).click()
    expect(page.get_by_role("heading", name=pending.name)).to_be_visible()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="今日").click()
    expect(page.locator(".panel-customers_recent")).to_contain_text(pending.name)

    # Quick search goes to the list with the word
    page.get_by_role("searchbox", name="搜索客户").fill("李晓梅")
    page.get_by_role("searchbox", name="搜索客户").press("Enter")
    expect(page).to_have_url(re.compile(r"/customers/\?q="))
    expect(page.locator("#customer-results")).to_contain_text("李晓梅")

    # A status count leads to the list of those customers
    page.goto("/")
    counts.locator(".count-intent").click()
    expect(page).to_have_url(re.compile(r"status=intent"))


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["375", "1280"])
def test_an_administrator_adds_a_user(browser_page, size):
    page = browser_page
    f.build_org()
    make_admin("boss")
    signed_in(page, "boss", size)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="设置").click()
    page.locator("main").get_by_role("link", name=re.compile("^用户")).first.click()
    page.get_by_role("link", name="新建用户").click()
    page.get_by_label("用户名").fill("chen.jing")
    page.get_by_label("姓名").fill("陈静")
    page.get_by_label("部门").select_option(str(Department.objects.get(name="一部一组").pk))
    page.get_by_label("销售代表").check()
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", name="已创建用户")).to_be_visible()
    password = page.locator(".secret code").inner_text()
    user = User.objects.get(username="chen.jing")
    assert user.check_password(password) and user.department.name == "一部一组"
    assert inside(page.locator(".secret code").bounding_box(), size)

    # The new person signs in with it
    page.context.clear_cookies()
    sign_in(page, "chen.jing", password)
    expect(page.get_by_role("heading", name=re.compile("今日"))).to_be_visible()


def test_an_administrator_adds_a_department_under_another_on_a_phone(browser_page):
    page = browser_page
    f.build_org()
    make_admin("boss")
    signed_in(page, "boss", PHONE)

    page.goto("/settings/departments/")
    row = page.get_by_role("treeitem").filter(has_text="销售二部")
    row.get_by_role("link", name="添加下级").click()
    page.get_by_label("名称").fill("二部一组")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_text("已创建部门 二部一组")).to_be_visible()
    items = page.get_by_role("treeitem")
    names = [n.strip() for n in items.locator(".tree-name").all_inner_texts()]
    assert names.index("二部一组") == names.index("销售二部") + 1
    expect(items.filter(has_text="二部一组")).to_have_attribute("aria-level", "3")
    assert Department.objects.get(name="二部一组").parent.name == "销售二部"


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["375", "1280"])
def test_an_administrator_changes_a_roles_scope_and_permissions(browser_page, size):
    page = browser_page
    f.build_org()
    make_admin("boss")
    signed_in(page, "boss", size)

    page.goto("/settings/roles/")
    page.get_by_role("link", name="销售代表").click()
    page.locator("fieldset").filter(has_text="数据范围").get_by_label("客户").select_option(
        label="本部门"
    )
    permission = page.get_by_role("checkbox", name="查看完整联系方式")
    expect(permission).to_be_in_viewport()
    permission.check()
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_text("已保存角色 销售代表")).to_be_visible()
    role = Role.objects.get(code="sales_rep")
    assert role.module_scopes == {"customers": "department"}
    assert role.permissions.filter(codename="reveal_pii").exists()
    card = page.locator(".role-cards li").filter(has_text="销售代表")
    expect(card).to_contain_text("本部门")
