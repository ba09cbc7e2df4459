"""Someone can always let people in: nobody deactivates themself, and no change leaves the
company without an active administrator — through the API or 设置. Roles alone decide who is
an administrator (the administrator role); Django's superuser flag is never used."""

import pytest

from kehu.accounts.models import Role, User
from kehu.accounts.roles import DEFAULT_ROLES
from kehu.core.testing import api_client, make_admin, make_department, make_role, make_user
from kehu.core.testing import session_client as browser_of

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users"
SETTINGS = "/_maintenance/accounts/user"  # the maintenance tool (core.maintenance)


@pytest.fixture
def hq():
    return make_department("总部")


def patch_user(actor, user, data):
    return api_client(actor).patch(f"{USERS}/{user.pk}", data, content_type="application/json")


def fields_of(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def admin_form(user, **changes) -> dict:
    """设置's user change form as the page posts it, with `changes`."""
    data = {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "mobile": user.mobile,
        "department": user.department_id or "",
        "manager": user.manager_id or "",
        "groups": [g.pk for g in user.groups.all()],
        "is_active": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- through the API ------------------------------------------------------------------------


def test_the_only_administrator_cannot_deactivate_themself(hq):
    admin = make_admin()

    response = patch_user(admin, admin, {"is_active": False})

    assert response.status_code == 422
    assert fields_of(response) == {"is_active": "不能停用自己的账号"}
    assert User.objects.get(pk=admin.pk).is_active


def test_nobody_deactivates_themself_even_with_other_administrators(hq):
    admin, _other = make_admin(), make_admin("it.admin")

    response = patch_user(admin, admin, {"is_active": False})

    assert response.status_code == 422
    assert User.objects.get(pk=admin.pk).is_active


def test_the_only_administrator_cannot_demote_themself(hq):
    admin = make_admin()

    response = patch_user(admin, admin, {"roles": ["sales_manager"]})

    assert response.status_code == 422
    assert fields_of(response) == {"roles": "至少要保留一位启用的管理员"}
    assert [r.code for r in User.objects.get(pk=admin.pk).roles] == ["admin"]
    assert api_client(admin).get(USERS).status_code == 200


def test_an_administrator_may_step_down_while_another_remains(hq):
    admin, _other = make_admin(), make_admin("it.admin")

    response = patch_user(admin, admin, {"roles": ["sales_manager"]})

    assert response.status_code == 200
    assert response.json()["roles"] == ["sales_manager"]


def test_another_administrator_may_be_deactivated_while_one_remains(hq):
    admin, other = make_admin(), make_admin("it.admin")

    response = patch_user(admin, other, {"is_active": False})

    assert response.status_code == 200
    assert not User.objects.get(pk=other.pk).is_active


def test_whoever_may_change_users_cannot_remove_the_last_administrator(hq):
    # Given a personnel clerk whose role may change users, beside the one administrator
    admin = make_admin()
    make_role("personnel").permissions.add(
        *Role.objects.get(code="admin").permissions.filter(
            codename__in=["view_user", "change_user"]
        )
    )
    clerk = make_user("hr.clerk", hq, "personnel")

    demoted = patch_user(clerk, admin, {"roles": []})
    deactivated = patch_user(clerk, admin, {"is_active": False})

    assert demoted.status_code == deactivated.status_code == 422
    assert fields_of(deactivated) == {"is_active": "至少要保留一位启用的管理员"}
    admin = User.objects.get(pk=admin.pk)
    assert admin.is_active and [r.code for r in admin.roles] == ["admin"]


def test_an_inactive_administrator_does_not_count(hq):
    admin, other = make_admin(), make_admin("it.admin")
    patch_user(admin, other, {"is_active": False})

    response = patch_user(admin, admin, {"roles": ["sales_manager"]})

    assert response.status_code == 422


def test_the_user_api_shows_roles_and_no_superuser_flag(hq):
    # Roles alone decide what a user may do, so the API shows everything that does
    admin = make_admin()

    body = api_client(admin).get(f"{USERS}/{admin.pk}").json()

    assert body["roles"] == ["admin"]
    assert "is_superuser" not in body
    assert not User.objects.filter(is_superuser=True).exists()
    assert DEFAULT_ROLES["admin"][2] == ["*"]  # …and the administrator role holds everything


# --- through 设置 -----------------------------------------------------------------------------


def test_settings_refuse_deactivating_oneself(hq):
    admin, _other = make_admin(), make_admin("it.admin")

    response = browser_of(admin).post(
        f"{SETTINGS}/{admin.pk}/change/", admin_form(admin, is_active=None)
    )

    assert response.status_code == 200
    assert "不能停用自己的账号" in response.content.decode()
    assert User.objects.get(pk=admin.pk).is_active


def test_settings_refuse_demoting_the_last_administrator(hq):
    admin = make_admin()
    manager_role = Role.objects.get(code="sales_manager")

    response = browser_of(admin).post(
        f"{SETTINGS}/{admin.pk}/change/", admin_form(admin, groups=[manager_role.pk])
    )

    assert response.status_code == 200
    assert "至少要保留一位启用的管理员" in response.content.decode()
    assert [r.code for r in User.objects.get(pk=admin.pk).roles] == ["admin"]


def test_settings_give_and_take_the_administrator_role(hq):
    admin = make_admin()
    rep = make_user("zhang.wei", hq, "sales_rep")
    admin_role = Role.objects.get(code="admin")
    browser = browser_of(admin)

    given = browser.post(f"{SETTINGS}/{rep.pk}/change/", admin_form(rep, groups=[admin_role.pk]))
    assert given.status_code == 302
    assert User.objects.get(pk=rep.pk).is_staff  # may open 设置 now

    rep = User.objects.get(pk=rep.pk)
    taken = browser.post(f"{SETTINGS}/{rep.pk}/change/", admin_form(rep, groups=[]))
    assert taken.status_code == 302
    assert not User.objects.get(pk=rep.pk).is_staff


def test_settings_deactivate_action_skips_oneself(hq):
    admin = make_admin()
    rep = make_user("zhang.wei", hq, "sales_rep")

    response = browser_of(admin).post(
        f"{SETTINGS}/",
        {"action": "deactivate", "_selected_action": [admin.pk, rep.pk]},
        follow=True,
    )

    assert "不能停用自己的账号" in response.content.decode()
    assert User.objects.get(pk=admin.pk).is_active
    assert not User.objects.get(pk=rep.pk).is_active


def test_settings_do_not_delete_users(hq):
    admin = make_admin()
    rep = make_user("zhang.wei", hq, "sales_rep")
    browser = browser_of(admin)

    page = browser.get(f"{SETTINGS}/{rep.pk}/delete/")
    action = browser.post(
        f"{SETTINGS}/", {"action": "delete_selected", "_selected_action": [rep.pk]}
    )

    assert page.status_code == 403
    assert action.status_code in (200, 302)
    assert User.objects.filter(pk=rep.pk).exists()


def test_settings_create_users_through_the_service(hq):
    admin = make_admin()

    response = browser_of(admin).post(
        f"{SETTINGS}/add/",
        {
            "username": "chen.jing",
            "password1": "Another-good-pw-1",
            "password2": "Another-good-pw-1",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    created = User.objects.get(username="chen.jing")
    assert created.check_password("Another-good-pw-1")
    assert not created.is_superuser and not created.is_staff
