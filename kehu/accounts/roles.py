"""The five default roles (DOMAIN.md 'Who uses it'), created after migrate if missing.

Admins may edit them afterwards; this only fills in roles that do not exist yet, so edits stay.
"""

from django.contrib.auth.models import Permission
from django.utils.translation import gettext_noop

from kehu.accounts.choices import DataScope, RoleCode

# Permission codenames per role; apps that add permissions extend this table.
DEFAULT_ROLES = {
    RoleCode.ADMIN: (DataScope.ALL, gettext_noop("管理员：管理用户、部门、角色与全部数据"), ["*"]),
    RoleCode.SALES_MANAGER: (
        DataScope.DEPARTMENT_TREE,
        gettext_noop("销售经理：本部门及下级部门的客户与业绩"),
        ["accounts.view_user", "accounts.view_department"],
    ),
    RoleCode.SALES_REP: (DataScope.OWN, gettext_noop("销售代表：自己负责的客户"), []),
    RoleCode.SERVICE_AGENT: (DataScope.DEPARTMENT, gettext_noop("客服专员：本部门的服务工单"), []),
    RoleCode.MARKETING: (DataScope.DEPARTMENT, gettext_noop("市场专员：线索与活动"), []),
}
EXTRA_PERMISSIONS: dict[str, list[str]] = {}


def register_role_permissions(role_code: str, codenames: list[str]) -> None:
    """Called by later apps (customers, tickets…) to give default roles their permissions."""
    EXTRA_PERMISSIONS.setdefault(role_code, []).extend(codenames)


def _permissions(codenames: list[str]):
    if codenames == ["*"]:
        return list(Permission.objects.all())
    found = []
    for full in codenames:
        app_label, codename = full.split(".")
        found.extend(
            Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )
    return found


def ensure_default_roles(**kwargs) -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from kehu.accounts.models import Role

    # post_migrate reaches accounts before apps listed after it have their permissions;
    # create them all now so a new role gets every permission it is meant to have.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))

    for code, (scope, description, codenames) in DEFAULT_ROLES.items():
        role, created = Role.objects.get_or_create(
            code=code,
            defaults={"name": code.label, "data_scope": scope, "description": description},
        )
        if created or code == RoleCode.ADMIN:
            role.permissions.add(*_permissions(codenames + EXTRA_PERMISSIONS.get(code, [])))
