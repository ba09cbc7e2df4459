"""设置 › 用户, 部门, 角色与权限 through the pages an administrator uses: every write goes through
the account services (audited), bad input is a field error that changes nothing, someone who
may only look sees no way to change, and someone who may not look gets 无权访问."""

import pytest
from django.contrib.auth.models import Permission

from kehu.accounts.choices import DataScope, RoleCode
from kehu.accounts.models import Department, Role, User
from kehu.audit.models import AuditEvent
from kehu.core.testing import (
    PASSWORD,
    api_client,
    make_admin,
    make_department,
    make_user,
    session_client,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    hq = make_department("总部")
    east = make_department("华东大区", hq)
    shanghai = make_department("上海销售部", east)
    north = make_department("华北大区", hq)
    admin = make_admin()
    return {
        "hq": hq,
        "east": east,
        "shanghai": shanghai,
        "north": north,
        "admin": admin,
        "browser": session_client(admin),
        "manager": make_user("li.na", east, RoleCode.SALES_MANAGER, display_name="李娜"),
        "rep": make_user("zhang.wei", shanghai, RoleCode.SALES_REP, display_name="张伟"),
    }


def role(code):
    return Role.objects.get(code=code)


# --- users ----------------------------------------------------------------------------------


def test_the_user_list_shows_people_with_department_and_roles(org):
    response = org["browser"].get("/settings/users/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "张伟" in html and "上海销售部" in html and "销售代表" in html
    assert "新建用户" in html


def test_the_user_list_searches_by_name(org):
    response = org["browser"].get("/settings/users/", {"q": "李"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "李娜" in html and "张伟" not in html
    assert "<html" not in html  # the rows only


def test_creating_a_user_without_a_password_shows_a_generated_one_once(org):
    response = org["browser"].post(
        "/settings/users/new/",
        {
            "username": "chen.jing",
            "display_name": "陈静",
            "email": "chen@example.com",
            "department": org["shanghai"].pk,
            "manager": org["manager"].pk,
            "roles": [role(RoleCode.SALES_REP).pk],
        },
    )

    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode()
    user = User.objects.get(username="chen.jing")
    assert user.check_password(password)
    assert user.department == org["shanghai"] and user.manager == org["manager"]
    assert [r.code for r in user.roles] == [RoleCode.SALES_REP]
    assert AuditEvent.objects.filter(action="user.create", target_id=str(user.pk)).exists()
    # The new person signs in with it.
    assert session_client(user).get("/").status_code == 200


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "zhang.wei"}, "username"),  # taken (the service's check)
        ({"username": "chen.jing", "email": "not-an-email"}, "email"),
        ({"username": "chen.jing", "department": "999999"}, "department"),
    ],
)
def test_bad_user_input_is_a_field_error_and_saves_nothing(org, data, field):
    before = User.objects.count()

    response = org["browser"].post("/settings/users/new/", data)

    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert User.objects.count() == before


def test_a_weak_first_password_is_refused(org):
    response = org["browser"].post(
        "/settings/users/new/", {"username": "chen.jing", "password": "123"}
    )

    assert response.status_code == 422
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(username="chen.jing").exists()


def test_editing_a_user_moves_them_and_changes_their_roles(org):
    rep = org["rep"]

    response = org["browser"].post(
        f"/settings/users/{rep.pk}/",
        {
            "display_name": "张伟",
            "department": org["north"].pk,
            "roles": [role(RoleCode.SALES_MANAGER).pk],
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.department == org["north"]
    assert [r.code for r in rep.roles] == [RoleCode.SALES_MANAGER]
    assert AuditEvent.objects.filter(action="user.update", target_id=str(rep.pk)).exists()


def test_unticking_active_signs_the_user_out_everywhere(org):
    rep = org["rep"]
    rep_browser, rep_api = session_client(rep), api_client(rep)

    org["browser"].post(
        f"/settings/users/{rep.pk}/",
        {"display_name": "张伟", "department": org["shanghai"].pk},  # is_active unticked
    )

    assert not User.objects.get(pk=rep.pk).is_active
    assert rep_browser.get("/").status_code == 302
    assert rep_api.get("/api/v1/auth/me").status_code == 401


def test_resetting_a_password_shows_the_new_one_once_and_signs_the_user_out(org):
    rep = org["rep"]
    rep_browser, rep_api = session_client(rep), api_client(rep)

    response = org["browser"].post(f"/settings/users/{rep.pk}/password/")

    assert response.status_code == 200
    new = response.context["password"]
    rep.refresh_from_db()
    assert rep.check_password(new) and not rep.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="user.set_password", target_id=str(rep.pk)).exists()
    assert rep_browser.get("/").status_code == 302
    assert rep_api.get("/api/v1/auth/me").status_code == 401


def test_a_manager_may_look_at_a_user_but_not_change_them(org):
    manager_browser = session_client(org["manager"])
    rep = org["rep"]

    page = manager_browser.get(f"/settings/users/{rep.pk}/")
    post = manager_browser.post(f"/settings/users/{rep.pk}/", {"display_name": "改名"})
    reset = manager_browser.post(f"/settings/users/{rep.pk}/password/")
    create = manager_browser.get("/settings/users/new/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "保存" not in html and "重置密码" not in html and "disabled" in html
    assert post.status_code == reset.status_code == create.status_code == 403
    assert User.objects.get(pk=rep.pk).display_name == "张伟"


def test_an_unknown_user_is_404(org):
    assert org["browser"].get("/settings/users/999999/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/settings/users/",
        "/settings/users/new/",
        "/settings/departments/",
        "/settings/roles/",
        "/settings/roles/new/",
    ],
)
def test_a_rep_gets_no_access_on_every_settings_page(org, path):
    response = session_client(org["rep"]).get(path)

    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["users/{rep}/", "users/{rep}/password/", "departments/{hq}/", "roles/{role}/"]
)
def test_a_rep_cannot_write_through_any_settings_page(org, path):
    url = "/settings/" + path.format(
        rep=org["rep"].pk, hq=org["hq"].pk, role=role(RoleCode.SALES_REP).pk
    )

    response = session_client(org["rep"]).post(url, {"name": "x", "display_name": "x"})

    assert response.status_code in {403, 404}
    assert User.objects.get(pk=org["rep"].pk).display_name == "张伟"
    assert Department.objects.get(pk=org["hq"].pk).name == "总部"


# --- departments ----------------------------------------------------------------------------


def test_departments_are_shown_as_a_tree(org):
    response = org["browser"].get("/settings/departments/")

    rows = [(row["department"].name, row["depth"]) for row in response.context["rows"]]
    assert rows == [("总部", 0), ("华东大区", 1), ("上海销售部", 2), ("华北大区", 1)]
    counts = {row["department"].name: row["members"] for row in response.context["rows"]}
    assert counts["上海销售部"] == 1


def test_adding_a_sub_department(org):
    response = org["browser"].post(
        "/settings/departments/new/",
        {"name": "浦东组", "parent": org["shanghai"].pk, "manager": org["rep"].pk},
    )

    assert response.status_code == 302
    pudong = Department.objects.get(name="浦东组")
    assert pudong.path == f"{org['shanghai'].path}{pudong.pk}/"
    assert AuditEvent.objects.filter(action="department.create", target_id=str(pudong.pk)).exists()


def test_a_duplicate_sibling_name_is_a_field_error(org):
    response = org["browser"].post(
        "/settings/departments/new/", {"name": "华东大区", "parent": org["hq"].pk}
    )

    assert response.status_code == 422
    assert "同一上级下已有同名部门" in response.content.decode()
    assert Department.objects.filter(name="华东大区").count() == 1


def test_a_department_cannot_move_under_its_own_sub_department(org):
    page = org["browser"].get(f"/settings/departments/{org['east'].pk}/")
    offered = [str(value) for value, _label in page.context["form"].fields["parent"].choices]

    response = org["browser"].post(
        f"/settings/departments/{org['east'].pk}/",
        {"name": "华东大区", "parent": org["shanghai"].pk},
    )

    assert str(org["shanghai"].pk) not in offered and str(org["hq"].pk) in offered
    assert response.status_code == 422
    assert Department.objects.get(pk=org["east"].pk).parent == org["hq"]


def test_moving_a_department_re_roots_its_subtree(org):
    response = org["browser"].post(
        f"/settings/departments/{org['east'].pk}/",
        {"name": "华东大区", "parent": org["north"].pk},
    )

    assert response.status_code == 302
    shanghai = Department.objects.get(pk=org["shanghai"].pk)
    assert shanghai.path == f"{org['north'].path}{org['east'].pk}/{shanghai.pk}/"


def test_a_department_with_members_is_not_deleted(org):
    response = org["browser"].post(
        f"/settings/departments/{org['shanghai'].pk}/delete/", follow=True
    )

    assert Department.objects.filter(pk=org["shanghai"].pk).exists()
    assert "不能删除" in response.content.decode()


def test_an_empty_department_is_deleted(org):
    empty = make_department("临时组", org["north"])

    response = org["browser"].post(f"/settings/departments/{empty.pk}/delete/")

    assert response.status_code == 302
    assert not Department.objects.filter(pk=empty.pk).exists()
    assert AuditEvent.objects.filter(action="department.delete", target_id=str(empty.pk)).exists()


# --- roles ----------------------------------------------------------------------------------


def test_the_role_list_shows_each_roles_scope(org):
    response = org["browser"].get("/settings/roles/")

    rows = {row["role"].code: row for row in response.context["rows"]}
    assert [str(s) for _m, s in rows[RoleCode.SALES_REP]["scopes"]] == ["本人"]
    assert [str(s) for _m, s in rows[RoleCode.SALES_MANAGER]["scopes"]] == ["本部门及下级部门"]


def test_a_roles_permissions_are_a_readable_matrix(org):
    response = org["browser"].get(f"/settings/roles/{role(RoleCode.SALES_MANAGER).pk}/")

    matrix = {row["key"]: row for row in response.context["matrix"]}
    customer = {p["label"]: p["granted"] for p in matrix["customers.customer"]["others"]}
    assert customer == {"查看完整联系方式": True, "转移他人客户的负责人": True}
    view_user, add_user = matrix["accounts.user"]["cells"][:2]
    assert view_user["granted"] and not add_user["granted"]
    html = response.content.decode()
    assert "Can view" not in html and "accounts." not in html.split("<table")[1].split(">")[0]


def test_creating_a_role_with_a_scope_and_permissions(org):
    response = org["browser"].post(
        "/settings/roles/new/",
        {
            "name": "区域经理",
            "description": "管理一个大区",
            "data_scope": DataScope.DEPARTMENT_TREE,
            "scope_customers": DataScope.DEPARTMENT,
            "permissions": ["customers.reveal_pii", "accounts.view_user"],
        },
    )

    assert response.status_code == 302
    created = Role.objects.get(name="区域经理")
    assert created.code == "qu_yu_jing_li"
    assert created.data_scope == DataScope.DEPARTMENT_TREE
    assert created.module_scopes == {"customers": DataScope.DEPARTMENT}
    assert {p.codename for p in created.permissions.all()} == {"reveal_pii", "view_user"}
    assert AuditEvent.objects.filter(action="role.create", target_id=str(created.pk)).exists()


def test_editing_a_role_keeps_the_permissions_the_matrix_does_not_show(org):
    manager_role = role(RoleCode.SALES_MANAGER)
    assert manager_role.permissions.filter(codename="view_duplicategroup").exists()

    response = org["browser"].post(
        f"/settings/roles/{manager_role.pk}/",
        {
            "name": manager_role.name,
            "data_scope": DataScope.DEPARTMENT,
            "permissions": ["accounts.view_user"],  # reveal and transfer unticked
        },
    )

    assert response.status_code == 302
    codenames = set(manager_role.permissions.values_list("codename", flat=True))
    assert "reveal_pii" not in codenames and "transfer_customer" not in codenames
    assert {"view_user", "view_duplicategroup"} <= codenames
    manager_role.refresh_from_db()
    assert manager_role.data_scope == DataScope.DEPARTMENT
    # The next request of a manager obeys the new role (access is per version).
    assert (
        not org["manager"]
        .__class__.objects.get(pk=org["manager"].pk)
        .has_perm("customers.reveal_pii")
    )


def test_an_unknown_permission_is_refused(org):
    rep_role = role(RoleCode.SALES_REP)

    response = org["browser"].post(
        f"/settings/roles/{rep_role.pk}/",
        {"name": rep_role.name, "data_scope": "own", "permissions": ["auth.delete_user"]},
    )

    assert response.status_code == 422
    assert not rep_role.permissions.exists()


def test_the_administrator_role_keeps_every_permission(org):
    admin_role = role(RoleCode.ADMIN)
    before = admin_role.permissions.count()

    page = org["browser"].get(f"/settings/roles/{admin_role.pk}/")
    org["browser"].post(
        f"/settings/roles/{admin_role.pk}/",
        {"name": admin_role.name, "data_scope": "all", "permissions": []},
    )

    assert not page.context["matrix_editable"]
    assert admin_role.permissions.count() == before == Permission.objects.count()


def test_a_role_in_use_or_a_default_role_is_not_deleted(org):
    custom = Role.objects.create(name="临时", code="tmp")
    make_user("temp", org["hq"], "tmp")

    org["browser"].post(f"/settings/roles/{custom.pk}/delete/")
    org["browser"].post(f"/settings/roles/{role(RoleCode.MARKETING).pk}/delete/")

    assert Role.objects.filter(pk=custom.pk).exists()
    assert Role.objects.filter(code=RoleCode.MARKETING).exists()


def test_an_unused_role_is_deleted(org):
    custom = Role.objects.create(name="临时", code="tmp")

    response = org["browser"].post(f"/settings/roles/{custom.pk}/delete/")

    assert response.status_code == 302
    assert not Role.objects.filter(pk=custom.pk).exists()
    assert AuditEvent.objects.filter(action="role.delete", target_id=str(custom.pk)).exists()


def test_a_manager_cannot_open_roles(org):
    response = session_client(org["manager"]).get(f"/settings/roles/{role(RoleCode.SALES_REP).pk}/")

    assert response.status_code == 403


def test_an_administrator_cannot_deactivate_themself_in_settings(org):
    admin = org["admin"]

    response = org["browser"].post(
        f"/settings/users/{admin.pk}/",
        {"display_name": "管理员", "roles": [role(RoleCode.ADMIN).pk]},  # is_active unticked
    )

    assert response.status_code == 422
    assert "不能停用自己的账号" in response.content.decode()
    assert User.objects.get(pk=admin.pk).is_active


def test_the_last_administrator_keeps_the_role_in_settings(org):
    admin = org["admin"]

    response = org["browser"].post(
        f"/settings/users/{admin.pk}/",
        {"display_name": "管理员", "roles": [role(RoleCode.SALES_MANAGER).pk], "is_active": "on"},
    )

    assert response.status_code == 422
    assert "至少要保留一位启用的管理员" in response.content.decode()
    assert [r.code for r in User.objects.get(pk=admin.pk).roles] == [RoleCode.ADMIN]
