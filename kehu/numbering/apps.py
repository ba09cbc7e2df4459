from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NumberingConfig(AppConfig):
    name = "kehu.numbering"
    label = "numbering"
    verbose_name = "编号规则"

    def ready(self):
        from kehu.accounts.permissions import register_permission_row
        from kehu.core.sections import Section, register_section

        register_section(
            Section(
                "numbering",
                _("编号规则"),
                "numbering:settings",
                order=60,
                permission="numbering.change_numberpattern",
                description=_("客户编号等的格式：前缀、日期与流水号"),
            )
        )
        register_permission_row(
            "numbering.numberpattern",
            _("编号规则"),
            order=130,
            permissions=[("numbering.change_numberpattern", _("修改"))],
        )
