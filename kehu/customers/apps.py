from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "kehu.customers"
    label = "customers"
    verbose_name = "客户"

    def ready(self):
        from kehu.accounts.access import track
        from kehu.accounts.choices import RoleCode
        from kehu.accounts.roles import register_role_permissions
        from kehu.customers.models import SourceChannel

        # Lists name source channels from memory (selectors.source_names): kept per version.
        track(SourceChannel)

        # Managers may reveal personal data and transfer customers; reps see masked values.
        register_role_permissions(
            RoleCode.SALES_MANAGER, ["customers.reveal_pii", "customers.transfer_customer"]
        )
