from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "kehu.notify"
    label = "notify"
    verbose_name = "通知"

    def ready(self):
        from kehu.accounts.choices import RoleCode
        from kehu.accounts.roles import register_role_permissions

        # A sales manager may point their own department's reminders at a group-chat robot.
        register_role_permissions(RoleCode.SALES_MANAGER, ["notify.manage_team_robot"])
