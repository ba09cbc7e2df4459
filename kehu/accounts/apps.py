from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kehu.accounts"
    label = "accounts"
    verbose_name = "账号与组织"

    def ready(self):
        from django.db.models.signals import post_migrate

        from kehu.accounts.access import connect_signals
        from kehu.accounts.roles import ensure_default_roles

        connect_signals()

        # Permissions exist only after migrate has run, so default roles are created then.
        post_migrate.connect(ensure_default_roles, sender=self)
