"""The Django admin, the administrators' maintenance tool at /_maintenance/ (core.maintenance): its
writes go through the account services, a bad edit is a form error, never a server error, and
nobody else gets in — not even through a second login form."""

import pytest

from kehu.accounts.models import ApiToken, Department, Role, User
from kehu.audit.models import AuditEvent
from kehu.core.testing import (
    api_client,
    make_admin,
    make_department,
    make_user,
    session_client,
)

pytestmark = pytest.mark.django_db

MAINTENANCE = "/_maintenance/"
ADMIN = f"{MAINTENANCE}accounts"


@pytest.fixture
def tree():
    hq = make_department("总部")
    east = make_department("华东大区", hq)
    shanghai = make_department("上海销售部", east)
    north = make_department("华北大区", hq)
    return {"hq": hq, "east": east, "shanghai": shanghai, "north": north}


@pytest.fixture
def browser():
    return session_client(make_admin())


def test_a_signed_in_non_administrator_gets_the_in_product_403(tree):
    rep = make_user("zhang.wei", tree["shanghai"], "sales_rep")
    # A manager may open parts of 设置 (users, departments), but not the maintenance tool.
    manager = make_user("li.na", tree["east"], "sales_manager")

    for user in (rep, manager):
        response = session_client(user).get(MAINTENANCE, follow=True)

        assert response.status_code == 403
        assert "无权访问" in response.content.decode()


def test_a_visitor_is_sent_to_the_products_login_page(client):
    response = client.get(f"{ADMIN}/user/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    assert response.templates[0].name == "registration/login.html"


def test_an_administrator_opens_the_maintenance_tool(browser):
    response = browser.get(MAINTENANCE)

    assert response.status_code == 200
    assert "维护" in response.content.decode()


def test_user_page_shows_no_password_hash_and_calls_groups_roles(browser, tree):
    rep = make_user("zhang.wei", tree["shanghai"], "sales_rep")

    html = browser.get(f"{ADMIN}/user/{rep.pk}/change/").content.decode()

    assert "md5$" not in html and "argon2" not in html and "pbkdf2" not in html
    assert 'name="password"' not in html
    assert ">角色" in html and ">组:" not in html


def test_department_added_in_settings_gets_its_path_and_audit(browser, tree):
    response = browser.post(
        f"{ADMIN}/department/add/", {"name": "华南大区", "parent": tree["hq"].pk, "manager": ""}
    )

    assert response.status_code == 302
    south = Department.objects.get(name="华南大区")
    assert south.path == f"{tree['hq'].path}{south.pk}/"
    assert AuditEvent.objects.filter(action="department.create", target_id=str(south.pk)).exists()


def test_department_moved_in_settings_re_roots_its_subtree(browser, tree):
    response = browser.post(
        f"{ADMIN}/department/{tree['east'].pk}/change/",
        {"name": "华东大区", "parent": tree["north"].pk, "manager": ""},
    )

    assert response.status_code == 302
    shanghai = Department.objects.get(pk=tree["shanghai"].pk)
    assert shanghai.path == f"{tree['north'].path}{tree['east'].pk}/{shanghai.pk}/"


def test_moving_under_a_descendant_in_settings_is_a_form_error(browser, tree):
    response = browser.post(
        f"{ADMIN}/department/{tree['hq'].pk}/change/",
        {"name": "总部", "parent": tree["shanghai"].pk, "manager": ""},
    )

    assert response.status_code == 200
    assert "不能把部门移到它自己或其下级部门之下" in response.content.decode()
    assert Department.objects.get(pk=tree["hq"].pk).parent is None


def test_bulk_delete_in_settings_is_audited(browser, tree):
    extra = make_department("临时组", tree["north"])

    response = browser.post(
        f"{ADMIN}/department/",
        {"action": "delete_selected", "_selected_action": [extra.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Department.objects.filter(pk=extra.pk).exists()
    assert AuditEvent.objects.filter(action="department.delete", target_id=str(extra.pk)).exists()


def test_role_with_an_unknown_module_scope_is_a_form_error(browser):
    role = Role.objects.get(code="sales_rep")

    response = browser.post(
        f"{ADMIN}/role/{role.pk}/change/",
        {
            "name": role.name,
            "code": role.code,
            "data_scope": "own",
            "module_scopes": '{"tickets": "everything"}',
            "description": "",
        },
    )

    assert response.status_code == 200
    assert "数据范围取值" in response.content.decode()
    assert Role.objects.get(pk=role.pk).module_scopes == {}


def test_role_module_scope_is_saved_in_settings(browser):
    role = Role.objects.get(code="sales_rep")

    response = browser.post(
        f"{ADMIN}/role/{role.pk}/change/",
        {
            "name": role.name,
            "code": role.code,
            "data_scope": "own",
            "module_scopes": '{"tickets": "department"}',
            "description": "",
        },
    )

    assert response.status_code == 302
    assert Role.objects.get(pk=role.pk).module_scopes == {"tickets": "department"}


def test_unticking_active_in_settings_signs_the_user_out_everywhere(browser, tree):
    rep = make_user("zhang.wei", tree["shanghai"], "sales_rep", display_name="张伟")
    rep_browser, rep_api = session_client(rep), api_client(rep)

    response = browser.post(
        f"{ADMIN}/user/{rep.pk}/change/",
        {
            "username": "zhang.wei",
            "display_name": "张伟",
            "email": "",
            "mobile": "",
            "department": tree["shanghai"].pk,
            "manager": "",
            "groups": [Role.objects.get(code="sales_rep").pk],
            # is_active, is_staff, is_superuser unticked
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not User.objects.get(pk=rep.pk).is_active
    assert rep_browser.get("/").status_code == 302
    assert rep_api.get("/api/v1/auth/me").status_code == 401


def test_deactivate_action_in_settings(browser, tree):
    rep = make_user("zhang.wei", tree["shanghai"], "sales_rep")
    rep_api = api_client(rep)

    browser.post(f"{ADMIN}/user/", {"action": "deactivate", "_selected_action": [rep.pk]})

    assert not User.objects.get(pk=rep.pk).is_active
    assert rep_api.get("/api/v1/auth/me").status_code == 401


def test_revoke_action_in_settings(browser, tree):
    rep = make_user("zhang.wei", tree["shanghai"], "sales_rep")
    rep_api = api_client(rep)
    token = ApiToken.objects.get(user=rep)

    browser.post(f"{ADMIN}/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})

    assert rep_api.get("/api/v1/auth/me").status_code == 401
    assert AuditEvent.objects.filter(action="token.revoke", target_id=str(token.pk)).exists()


def test_the_maintenance_tool_lists_no_english_sections(browser):
    html = browser.get(MAINTENANCE).content.decode()

    assert "AXES" not in html.upper().split("<BODY")[1] and "Access attempts" not in html
