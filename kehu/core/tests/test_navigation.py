"""The main navigation shows the modules that exist and that the person may use; on a phone its
bottom bar holds at most five items, the rest in a 更多 sheet; 设置 lists the sections the
person may open, and anyone else gets the in-product 无权访问 page, never a login form."""

import pytest
from django.utils.translation import gettext_lazy as _

from kehu.accounts.choices import RoleCode
from kehu.core import navigation
from kehu.core.navigation import PHONE_BAR_ITEMS, Module
from kehu.core.testing import make_admin, make_department, make_user, session_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    hq = make_department("总部")
    shanghai = make_department("上海销售部", hq)
    return {
        "admin": make_admin(),
        "manager": make_user("li.na", hq, RoleCode.SALES_MANAGER),
        "rep": make_user("zhang.wei", shanghai, RoleCode.SALES_REP),
    }


def nav(client, path="/"):
    return client.get(path).context["nav_items"]


def test_a_rep_sees_today_and_customers_only(org):
    client = session_client(org["rep"])

    items = nav(client)
    html = client.get("/").content.decode()

    assert [(i["key"], i["url"], i["active"]) for i in items] == [
        ("home", "/", True),
        ("customers", "/customers/", False),
    ]
    assert 'data-nav="settings"' not in html and "即将上线" not in html


def test_the_active_module_follows_the_path(org):
    items = nav(session_client(org["rep"]), "/customers/")

    assert [i["key"] for i in items if i["active"]] == ["customers"]


def test_an_administrator_sees_settings_last(org):
    items = nav(session_client(org["admin"]))

    assert [i["key"] for i in items] == ["home", "customers", "settings"]
    assert items[-1]["url"] == "/settings/"


def test_a_manager_who_may_view_users_sees_settings(org):
    # The default 销售经理 role may view users and departments (not roles).
    assert [i["key"] for i in nav(session_client(org["manager"]))][-1] == "settings"


def test_more_than_five_modules_put_the_rest_in_a_more_sheet(org, monkeypatch):
    # Given four more modules than today's three (follow-ups, opportunities … to come)
    extra = {f"extra{n}": Module(f"extra{n}", _("跟进"), "home", order=50 + n) for n in range(4)}
    monkeypatch.setattr(navigation, "MODULES", {**navigation.MODULES, **extra})
    navigation._urls.cache_clear()
    try:
        response = session_client(org["admin"]).get("/customers/")
    finally:
        monkeypatch.undo()
        navigation._urls.cache_clear()

    # Then the phone's bar holds four of them and 更多, which holds the other three
    items, more = response.context["nav_items"], response.context["nav_more"]
    assert len(items) == 7
    assert [i["key"] for i in more] == [i["key"] for i in items[PHONE_BAR_ITEMS - 1 :]]
    assert len(items) - len(more) + 1 == PHONE_BAR_ITEMS
    html = response.content.decode()
    assert html.count('class="nav-more"') == 1 and "更多" in html
    assert html.count(" in-more") == len(more)


def test_five_modules_or_fewer_need_no_more_sheet(org):
    response = session_client(org["admin"]).get("/")

    assert response.context["nav_more"] == []
    assert 'class="nav-more"' not in response.content.decode()


def test_the_account_menu_offers_password_language_and_sign_out(org):
    html = session_client(org["rep"]).get("/").content.decode()

    menu = html.split('class="usermenu"')[1].split("</details>")[0]
    assert "修改密码" in menu and 'value="en">English' in menu and "退出登录" in menu


# --- 设置 -----------------------------------------------------------------------------------


def test_settings_lists_the_sections_an_administrator_may_open(org):
    response = session_client(org["admin"]).get("/settings/")

    assert response.status_code == 200
    labels = [str(s["label"]) for s in response.context["settings_sections"]]
    assert labels[:3] == ["用户", "部门", "角色与权限"]


def test_settings_lists_only_what_a_manager_may_open(org):
    response = session_client(org["manager"]).get("/settings/")

    keys = [s["key"] for s in response.context["settings_sections"]]
    assert "users" in keys and "departments" in keys and "roles" not in keys


@pytest.mark.parametrize("path", ["/settings/", "/settings/users/", "/settings/roles/"])
def test_a_rep_gets_the_in_product_no_access_page(org, path):
    response = session_client(org["rep"]).get(path)

    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问" in html and 'data-nav="home"' in html  # the product's page, with its nav
    assert 'name="password"' not in html  # not a login form


@pytest.mark.parametrize("path", ["/settings/", "/settings/users/"])
def test_a_visitor_is_asked_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"
