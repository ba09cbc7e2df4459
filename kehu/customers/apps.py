from django.apps import AppConfig
from django.conf import settings
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
        from kehu.core.sections import Section, register_section
        from kehu.customers.models import SourceChannel
        from kehu.customers.workbench import register_panels
        from kehu.numbering.kinds import NumberKind, register_kind

        register_module(Module("customers", _("客户"), "customers:list", order=10))
        register_kind(
            NumberKind(
                "customers",
                _("客户编号"),
                "customers.Customer",
                "number",
                default=settings.KEHU_CUSTOMER_NUMBER_PATTERN,
            )
        )
        register_panels()

        # Lists name source channels from memory (selectors.source_names): kept per version.
        track(SourceChannel)

        register_section(
            Section(
                "channels",
                _("来源渠道"),
                "channels:list",
                order=50,
                permission="customers.change_sourcechannel",
                description=_("客户从哪里来：名称、英文名称、顺序与停用"),
            )
        )
        register_permission_row(
            "customers.sourcechannel",
            _("来源渠道"),
            order=125,
            permissions=[("customers.change_sourcechannel", _("修改"))],
        )
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
