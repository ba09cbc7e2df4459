"""Account services: the department tree keeps its paths, deactivation takes effect at once."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from kehu.accounts import services
from kehu.accounts.choices import DataScope
from kehu.accounts.models import ApiToken, Department, User
from kehu.accounts.scoping import visible_owner_ids
from kehu.audit.models import AuditEvent
from kehu.core.errors import Conflict, ValidationFailed
from kehu.core.testing import (
    api_client,
    make_admin,
    make_department,
    make_role,
    make_user,
    session_client,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """总部 → 华东大区 → 上海销售部 → 浦东组, and 总部 → 华北大区."""
    hq = make_department("总部")
    east = make_department("华东大区", hq)
    shanghai = make_department("上海销售部", east)
    pudong = make_department("浦东组", shanghai)
    north = make_department("华北大区", hq)
    return {"hq": hq, "east": east, "shanghai": shanghai, "pudong": pudong, "north": north}


def path_of(*departments):
    return "/" + "".join(f"{d.pk}/" for d in departments)


def fresh(department):
    return Department.objects.get(pk=department.pk)


# --- departments ----------------------------------------------------------------------------


def test_create_sets_the_materialised_path(tree):
    assert tree["hq"].path == path_of(tree["hq"])
    assert tree["pudong"].path == path_of(
        tree["hq"], tree["east"], tree["shanghai"], tree["pudong"]
    )
    assert fresh(tree["pudong"]).path == tree["pudong"].path


def test_create_is_audited(tree):
    event = AuditEvent.objects.get(action="department.create", target_id=str(tree["east"].pk))

    assert event.target_type == "accounts.department"
    assert event.data == {"name": "华东大区"}


def test_same_name_under_one_parent_is_refused(tree):
    with pytest.raises(ValidationFailed):
        make_department("上海销售部", tree["east"])


def test_moving_a_department_re_roots_its_whole_subtree(tree):
    hq, east, shanghai, pudong, north = (
        tree[k] for k in ("hq", "east", "shanghai", "pudong", "north")
    )

    # When 上海销售部 moves from 华东大区 to 华北大区
    services.department_update(department=shanghai, data={"parent": north}, actor=None)

    # Then it and everything below it carry the new path; the rest is untouched
    assert fresh(shanghai).path == path_of(hq, north, shanghai)
    assert fresh(pudong).path == path_of(hq, north, shanghai, pudong)
    assert fresh(east).path == path_of(hq, east)
    assert fresh(north).path == path_of(hq, north)


def test_moved_subtree_follows_into_department_tree_scope(tree):
    make_role("tree", DataScope.DEPARTMENT_TREE)
    north_head = make_user("north.head", tree["north"], "tree")
    pudong_rep = make_user("pudong.rep", tree["pudong"])
    assert pudong_rep.pk not in visible_owner_ids(User.objects.get(pk=north_head.pk), "customers")

    services.department_update(
        department=tree["shanghai"], data={"parent": tree["north"]}, actor=None
    )

    assert pudong_rep.pk in visible_owner_ids(User.objects.get(pk=north_head.pk), "customers")


def test_moving_to_the_top_level_makes_a_root(tree):
    services.department_update(department=tree["east"], data={"parent": None}, actor=None)

    assert fresh(tree["east"]).path == path_of(tree["east"])
    assert fresh(tree["pudong"]).path == path_of(tree["east"], tree["shanghai"], tree["pudong"])


@pytest.mark.parametrize("target", ["east", "shanghai", "pudong"])
def test_moving_under_itself_or_a_descendant_is_refused(tree, target):
    east = fresh(tree["east"])

    with pytest.raises(ValidationFailed) as caught:
        services.department_update(department=east, data={"parent": tree[target]}, actor=None)

    assert caught.value.errors[0]["field"] == "parent"
    assert fresh(tree["east"]).parent_id == tree["hq"].pk
    assert fresh(tree["east"]).path == path_of(tree["hq"], tree["east"])


def test_renaming_keeps_the_paths(tree):
    services.department_update(department=tree["east"], data={"name": "华东区"}, actor=None)

    assert fresh(tree["east"]).name == "华东区"
    assert fresh(tree["pudong"]).path == tree["pudong"].path


def test_department_with_members_or_children_cannot_be_deleted(tree):
    make_user("pudong.rep", tree["pudong"])

    with pytest.raises(Conflict):
        services.department_delete(department=tree["shanghai"], actor=None)
    with pytest.raises(Conflict):
        services.department_delete(department=tree["pudong"], actor=None)


def test_empty_department_is_deleted(tree):
    services.department_delete(department=tree["north"], actor=None)

    assert not Department.objects.filter(pk=tree["north"].pk).exists()
    assert AuditEvent.objects.filter(action="department.delete").count() == 1


# --- users ----------------------------------------------------------------------------------


def test_weak_password_is_refused_with_the_field_named(tree):
    with pytest.raises(ValidationFailed) as caught:
        make_user("weak", tree["hq"], password="12345678")

    assert {e["field"] for e in caught.value.errors} == {"password"}
    assert not User.objects.filter(username="weak").exists()


def test_duplicate_username_is_refused(tree):
    make_user("zhang.wei", tree["hq"])

    with pytest.raises(ValidationFailed) as caught:
        make_user("zhang.wei", tree["east"])

    assert caught.value.errors[0]["field"] == "username"


def test_user_cannot_be_their_own_manager(tree):
    user = make_user("zhang.wei", tree["hq"])

    with pytest.raises(ValidationFailed) as caught:
        services.user_update(user=user, data={"manager": user}, actor=None)

    assert caught.value.errors[0]["field"] == "manager"


def test_user_roles_are_replaced_on_update(tree):
    user = make_user("zhang.wei", tree["hq"], "sales_rep")
    from kehu.accounts.models import Role

    services.user_update(
        user=user, data={"roles": list(Role.objects.filter(code="sales_manager"))}, actor=None
    )

    assert [r.code for r in User.objects.get(pk=user.pk).roles] == ["sales_manager"]


def test_deactivated_user_is_signed_out_at_once(tree):
    # Given a user signed in with a browser session
    user = make_user("zhang.wei", tree["hq"], "sales_rep")
    browser = session_client(user)
    assert browser.get("/").status_code == 200

    # When an administrator deactivates them
    services.user_deactivate(user=user, actor=make_admin())

    # Then their session is gone and the next page sends them to the login page
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(user.pk) for s in Session.objects.all()
    )
    response = browser.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_deactivation_leaves_other_users_signed_in(tree):
    user = make_user("zhang.wei", tree["hq"])
    colleague = make_user("chen.jing", tree["hq"])
    colleague_browser = session_client(colleague)

    services.user_deactivate(user=user, actor=None)

    assert colleague_browser.get("/").status_code == 200


def test_deactivated_user_api_token_is_refused(tree):
    user = make_user("zhang.wei", tree["hq"])
    api = api_client(user)
    assert api.get("/api/v1/auth/me").status_code == 200

    services.user_deactivate(user=user, actor=None)

    response = api.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="user.deactivate", target_id=str(user.pk)).exists()


def test_deactivated_user_cannot_sign_in_again(tree, client):
    user = make_user("zhang.wei", tree["hq"])
    services.user_deactivate(user=user, actor=None)

    response = client.post(
        reverse("login"), {"username": "zhang.wei", "password": "Kehu-test-pw-7391"}
    )

    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_reactivating_a_user_lets_them_sign_in(tree, client):
    user = make_user("zhang.wei", tree["hq"])
    services.user_deactivate(user=user, actor=None)

    services.user_update(user=User.objects.get(pk=user.pk), data={"is_active": True}, actor=None)

    assert User.objects.get(pk=user.pk).is_active
    response = client.post(
        reverse("login"), {"username": "zhang.wei", "password": "Kehu-test-pw-7391"}
    )
    assert response.status_code == 302


def test_token_issue_stores_only_a_hash(tree):
    user = make_user("zhang.wei", tree["hq"])

    token, key = services.token_issue(user=user, name="ERP")

    assert key.startswith("kehu_")
    assert token.key_hash == ApiToken.hash(key) != key
    assert key[5:13] == token.prefix
    assert services.token_authenticate(key) == user
    assert services.token_authenticate(key + "x") is None
