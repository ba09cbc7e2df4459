"""/users, /departments, /roles: administrators manage them; others are refused without
learning what exists (403 on lists, 404 on records)."""

import pytest

from kehu.accounts.models import ApiToken, Department, Role, User
from kehu.core.testing import (
    PASSWORD,
    api_client,
    issue_token,
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
    admin = make_admin()
    manager = make_user("li.na", east, "sales_manager")
    rep = make_user("zhang.wei", shanghai, "sales_rep", manager=manager)
    return {"hq": hq, "east": east, "shanghai": shanghai, "admin": admin, "manager": manager,
            "rep": rep}  # fmt: skip


def patch_json(client, url, data):
    return client.patch(url, data, content_type="application/json")


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


# --- users ----------------------------------------------------------------------------------


def test_admin_lists_users(org):
    response = api_client(org["admin"]).get("/api/v1/users")

    assert response.status_code == 200
    rows = {row["username"]: row for row in response.json()}
    assert set(rows) == {"admin", "li.na", "zhang.wei"}
    assert rows["zhang.wei"]["roles"] == ["sales_rep"]
    assert rows["zhang.wei"]["manager_id"] == org["manager"].pk
    assert rows["zhang.wei"]["department_id"] == org["shanghai"].pk
    assert "password" not in rows["zhang.wei"]


def test_admin_creates_a_user_who_can_then_get_a_token(org, client):
    response = post_json(
        api_client(org["admin"]),
        "/api/v1/users",
        {
            "username": "chen.jing",
            "password": "Another-good-pw-1",
            "display_name": "陈静",
            "department_id": org["shanghai"].pk,
            "manager_id": org["manager"].pk,
            "roles": ["sales_rep"],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["username"] == "chen.jing"
    assert body["roles"] == ["sales_rep"]
    assert User.objects.get(pk=body["id"]).department == org["shanghai"]
    token = post_json(
        client, "/api/v1/auth/token", {"username": "chen.jing", "password": "Another-good-pw-1"}
    )
    assert token.status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "x", "password": "123"}, "password"),
        ({"username": "zhang.wei"}, "username"),
        ({"username": "x", "roles": ["emperor"]}, "roles"),
        ({"username": "x", "department_id": 999999}, "department_id"),
        ({"username": "x", "manager_id": 999999}, "manager_id"),
        ({"username": ""}, "username"),
        ({}, "username"),
    ],
)
def test_invalid_user_is_422_naming_the_field(org, payload, field):
    response = post_json(api_client(org["admin"]), "/api/v1/users", payload)

    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert User.objects.count() == 3


def test_admin_patches_a_user(org):
    response = patch_json(
        api_client(org["admin"]),
        f"/api/v1/users/{org['rep'].pk}",
        {"display_name": "张伟", "department_id": org["east"].pk, "roles": ["sales_manager"]},
    )

    assert response.status_code == 200, response.content
    assert response.json()["display_name"] == "张伟"
    assert response.json()["roles"] == ["sales_manager"]
    rep = User.objects.get(pk=org["rep"].pk)
    assert rep.department == org["east"]
    assert rep.manager == org["manager"]  # untouched fields stay


def test_patch_can_clear_the_manager(org):
    response = patch_json(
        api_client(org["admin"]), f"/api/v1/users/{org['rep'].pk}", {"manager_id": None}
    )

    assert response.status_code == 200
    assert User.objects.get(pk=org["rep"].pk).manager is None


def test_patch_is_active_false_revokes_the_users_tokens(org):
    # Given the rep's program holds a working token
    rep_api = api_client(org["rep"])
    assert rep_api.get("/api/v1/auth/me").status_code == 200

    # When an administrator deactivates the rep through the API
    response = patch_json(
        api_client(org["admin"]), f"/api/v1/users/{org['rep'].pk}", {"is_active": False}
    )

    # Then the rep is inactive and the token stops working at once
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert not ApiToken.objects.filter(user=org["rep"], revoked_at__isnull=True).exists()
    assert rep_api.get("/api/v1/auth/me").status_code == 401


def test_patch_is_active_false_ends_the_users_browser_session(org):
    browser = session_client(org["rep"])

    patch_json(api_client(org["admin"]), f"/api/v1/users/{org['rep'].pk}", {"is_active": False})

    assert browser.get("/").status_code == 302


def test_rep_without_permission_gets_403_on_the_user_list(org):
    response = api_client(org["rep"]).get("/api/v1/users")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("who", ["rep", "admin", "manager"])
def test_rep_without_permission_gets_404_on_a_user(org, who):
    response = api_client(org["rep"]).get(f"/api/v1/users/{org[who].pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_rep_gets_404_for_existing_and_missing_users_alike(org):
    rep_api = api_client(org["rep"])

    existing = rep_api.get(f"/api/v1/users/{org['admin'].pk}")
    missing = rep_api.get("/api/v1/users/999999")

    assert existing.status_code == missing.status_code == 404
    assert existing.json() == missing.json()


def test_rep_cannot_patch_or_create_users(org):
    rep_api = api_client(org["rep"])

    patched = patch_json(rep_api, f"/api/v1/users/{org['rep'].pk}", {"roles": ["admin"]})
    created = post_json(rep_api, "/api/v1/users", {"username": "mole", "roles": ["admin"]})

    assert patched.status_code == 404
    assert created.status_code == 403
    assert [r.code for r in User.objects.get(pk=org["rep"].pk).roles] == ["sales_rep"]
    assert not User.objects.filter(username="mole").exists()


def test_manager_may_see_users_but_not_change_them(org):
    manager_api = api_client(org["manager"])

    assert manager_api.get("/api/v1/users").status_code == 200
    assert manager_api.get(f"/api/v1/users/{org['rep'].pk}").status_code == 200
    response = patch_json(manager_api, f"/api/v1/users/{org['rep'].pk}", {"display_name": "X"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_missing_user_is_404_for_admin(org):
    assert api_client(org["admin"]).get("/api/v1/users/999999").status_code == 404


# --- departments ----------------------------------------------------------------------------


def test_admin_lists_departments_in_tree_order(org):
    response = api_client(org["admin"]).get("/api/v1/departments")

    assert response.status_code == 200
    assert [d["name"] for d in response.json()] == ["总部", "华东大区", "上海销售部"]
    assert response.json()[2]["path"] == org["shanghai"].path


def test_admin_creates_and_moves_a_department(org):
    admin_api = api_client(org["admin"])

    created = post_json(
        admin_api, "/api/v1/departments", {"name": "华北大区", "parent_id": org["hq"].pk}
    )
    assert created.status_code == 201, created.content
    north_id = created.json()["id"]
    assert created.json()["path"] == f"{org['hq'].path}{north_id}/"

    moved = patch_json(
        admin_api, f"/api/v1/departments/{org['shanghai'].pk}", {"parent_id": north_id}
    )

    assert moved.status_code == 200, moved.content
    assert moved.json()["path"] == f"{org['hq'].path}{north_id}/{org['shanghai'].pk}/"


def test_moving_a_department_under_its_descendant_is_422(org):
    response = patch_json(
        api_client(org["admin"]),
        f"/api/v1/departments/{org['hq'].pk}",
        {"parent_id": org["shanghai"].pk},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "parent"
    assert Department.objects.get(pk=org["hq"].pk).parent is None


def test_duplicate_department_name_is_422(org):
    response = post_json(
        api_client(org["admin"]),
        "/api/v1/departments",
        {"name": "上海销售部", "parent_id": org["east"].pk},
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_department_with_members_cannot_be_deleted(org):
    response = api_client(org["admin"]).delete(f"/api/v1/departments/{org['shanghai'].pk}")

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_empty_department_is_deleted(org):
    north = make_department("华北大区", org["hq"])

    response = api_client(org["admin"]).delete(f"/api/v1/departments/{north.pk}")

    assert response.status_code == 204
    assert not Department.objects.filter(pk=north.pk).exists()


def test_rep_without_permission_gets_403_on_departments_and_404_on_one(org):
    rep_api = api_client(org["rep"])

    assert rep_api.get("/api/v1/departments").status_code == 403
    assert rep_api.get(f"/api/v1/departments/{org['shanghai'].pk}").status_code == 404
    assert rep_api.delete(f"/api/v1/departments/{org['hq'].pk}").status_code == 404
    created = post_json(rep_api, "/api/v1/departments", {"name": "影子部门"})
    assert created.status_code == 403
    assert not Department.objects.filter(name="影子部门").exists()


# --- roles ----------------------------------------------------------------------------------


def test_admin_lists_the_default_roles(org):
    response = api_client(org["admin"]).get("/api/v1/roles")

    assert response.status_code == 200
    roles = {r["code"]: r for r in response.json()}
    assert set(roles) == {"admin", "sales_manager", "sales_rep", "service_agent", "marketing"}
    assert roles["admin"]["data_scope"] == "all"
    assert roles["sales_manager"]["data_scope"] == "department_tree"
    assert roles["sales_rep"]["data_scope"] == "own"
    assert "accounts.view_user" in roles["sales_manager"]["permissions"]
    assert "accounts.change_user" in roles["admin"]["permissions"]


def test_admin_patches_a_roles_data_scope(org):
    role = Role.objects.get(code="sales_rep")

    response = patch_json(
        api_client(org["admin"]),
        f"/api/v1/roles/{role.pk}",
        {"data_scope": "own_and_reports", "module_scopes": {"tickets": "all"}},
    )

    assert response.status_code == 200, response.content
    role.refresh_from_db()
    assert role.data_scope == "own_and_reports"
    assert role.module_scopes == {"tickets": "all"}


def test_unknown_data_scope_is_422(org):
    role = Role.objects.get(code="sales_rep")

    response = patch_json(
        api_client(org["admin"]), f"/api/v1/roles/{role.pk}", {"module_scopes": {"x": "galaxy"}}
    )

    assert response.status_code == 422
    assert Role.objects.get(pk=role.pk).module_scopes == {}


def test_rep_without_permission_gets_403_on_roles_and_404_on_one(org):
    role = Role.objects.get(code="sales_rep")
    rep_api = api_client(org["rep"])

    assert rep_api.get("/api/v1/roles").status_code == 403
    assert rep_api.get(f"/api/v1/roles/{role.pk}").status_code == 404
    response = patch_json(rep_api, f"/api/v1/roles/{role.pk}", {"data_scope": "all"})
    assert response.status_code == 404
    assert Role.objects.get(pk=role.pk).data_scope == "own"


# --- browser sessions and CSRF --------------------------------------------------------------


def test_session_post_without_csrf_token_is_rejected(org):
    browser = session_client(org["admin"], enforce_csrf_checks=True)

    response = post_json(browser, "/api/v1/departments", {"name": "华北大区"})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Department.objects.filter(name="华北大区").exists()


def test_session_patch_without_csrf_token_is_rejected(org):
    browser = session_client(org["admin"], enforce_csrf_checks=True)

    response = patch_json(browser, f"/api/v1/users/{org['rep'].pk}", {"is_active": False})

    assert response.status_code == 403
    assert User.objects.get(pk=org["rep"].pk).is_active


def test_session_post_with_csrf_token_is_accepted(org):
    browser = session_client(org["admin"], enforce_csrf_checks=True)
    browser.get("/")  # the page sets the CSRF cookie, as in the browser
    csrf = browser.cookies["csrftoken"].value

    response = browser.post(
        "/api/v1/departments",
        {"name": "华北大区"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )

    assert response.status_code == 201, response.content


def test_bearer_post_needs_no_csrf_token(org):
    client = api_client(org["admin"])
    client.handler.enforce_csrf_checks = True

    response = post_json(client, "/api/v1/departments", {"name": "华北大区"})

    assert response.status_code == 201


def test_token_of_one_user_does_not_act_as_another(org):
    key = issue_token(org["rep"])
    browser = session_client(org["admin"])

    response = browser.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"})

    assert response.json()["username"] == "zhang.wei"


def test_password_is_never_returned(org):
    response = api_client(org["admin"]).get(f"/api/v1/users/{org['rep'].pk}")

    assert PASSWORD not in response.content.decode()
    assert "password" not in response.json()


def test_patch_null_clears_a_users_text_fields(org):
    User.objects.filter(pk=org["rep"].pk).update(display_name="张伟", mobile="13812341234")

    response = patch_json(
        api_client(org["admin"]),
        f"/api/v1/users/{org['rep'].pk}",
        {"display_name": None, "email": None, "mobile": None},
    )

    assert response.status_code == 200, response.content
    rep = User.objects.get(pk=org["rep"].pk)
    assert (rep.display_name, rep.email, rep.mobile) == ("", "", "")


def test_patch_null_clears_a_roles_module_scopes_and_description(org):
    role = Role.objects.get(code="sales_rep")
    Role.objects.filter(pk=role.pk).update(module_scopes={"tickets": "all"})

    response = patch_json(
        api_client(org["admin"]),
        f"/api/v1/roles/{role.pk}",
        {"module_scopes": None, "description": None},
    )

    assert response.status_code == 200, response.content
    role.refresh_from_db()
    assert (role.module_scopes, role.description) == ({}, "")


@pytest.mark.parametrize(
    ("resource", "payload", "field"),
    [
        ("departments", {"name": None}, "name"),
        ("roles", {"name": None}, "name"),
        ("roles", {"data_scope": None}, "data_scope"),
    ],
)
def test_patch_null_on_a_required_field_is_422(org, resource, payload, field):
    pk = org["hq"].pk if resource == "departments" else Role.objects.get(code="sales_rep").pk

    response = patch_json(api_client(org["admin"]), f"/api/v1/{resource}/{pk}", payload)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_path_parameter_of_the_wrong_type_is_422(org):
    response = api_client(org["admin"]).get("/api/v1/users/abc")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "user_id"


def test_administrator_role_opens_settings_and_losing_it_closes_them(org):
    admin_api = api_client(org["admin"])
    created = post_json(
        admin_api,
        "/api/v1/users",
        {"username": "it.admin", "password": "Another-good-pw-1", "roles": ["admin"]},
    )
    assert created.status_code == 201, created.content
    assert User.objects.get(username="it.admin").is_staff

    patch_json(admin_api, f"/api/v1/users/{created.json()['id']}", {"roles": ["sales_rep"]})

    assert not User.objects.get(username="it.admin").is_staff
