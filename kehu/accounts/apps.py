from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kehu.accounts"
    label = "accounts"
    verbose_name = "账号与组织"

    def ready(self):
        from django.db.models.signals import post_migrate

        from kehu.accounts.access import connect_signals
        from kehu.accounts.permissions import register_permission_row
        from kehu.accounts.roles import ensure_default_roles
        from kehu.core.sections import Section, register_section

        connect_signals()

        # Permissions exist only after migrate has run, so default roles are created then.
        post_migrate.connect(ensure_default_roles, sender=self)

        for key, label, url_name, order, description in [
            ("users", _("用户"), "org:users", 10, _("账号、所属部门、直属上级与角色；重置密码")),
            ("departments", _("部门"), "org:departments", 20, _("公司的部门树与部门负责人")),
            (
                "roles",
                _("角色与权限"),
                "org:roles",
                30,
                _("每个角色按模块的数据范围，以及能做哪些操作"),
            ),
        ]:
            model = key.removesuffix("s")
            register_section(
                Section(
                    key,
                    label,
                    url_name,
                    order=order,
                    permission=f"accounts.view_{model}",
                    description=description,
                )
            )
        for key, label, order in [
            ("user", _("用户"), 100),
            ("department", _("部门"), 110),
            ("role", _("角色"), 120),
        ]:
            register_permission_row(
                f"accounts.{key}",
                label,
                order=order,
                permissions=[
                    (f"accounts.{verb}_{key}", verb_label)
                    for verb, verb_label in [
                        ("view", _("查看")),
                        ("add", _("新增")),
                        ("change", _("修改")),
                        ("delete", _("删除")),
                    ]
                    if not (key == "user" and verb == "delete")  # users are deactivated
                ],
            )
