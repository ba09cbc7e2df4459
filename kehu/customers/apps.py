from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kehu.customers"
    label = "customers"
    verbose_name = "客户"

    def ready(self):
        from kehu.accounts.access import track
        from kehu.accounts.choices import RoleCode
        from kehu.accounts.permissions import register_permission_row
        from kehu.accounts.roles import register_role_permissions
        from kehu.core.navigation import Module, register_module
        from kehu.customers.models import SourceChannel
        from kehu.customers.workbench import register_panels

        register_module(Module("customers", _("客户"), "customers:list", order=10))
        register_panels()

        # Lists name source channels from memory (selectors.source_names): kept per version.
        track(SourceChannel)

        register_permission_row(
            "customers.customer",
            _("客户"),
            order=10,
            permissions=[
                ("customers.reveal_pii", _("查看完整联系方式")),
                ("customers.transfer_customer", _("转移他人客户的负责人")),
            ],
        )

        # Managers may reveal personal data and transfer customers; reps see masked values.
        register_role_permissions(
            RoleCode.SALES_MANAGER, ["customers.reveal_pii", "customers.transfer_customer"]
        )
