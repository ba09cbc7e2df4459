from django.apps import AppConfig


class DedupConfig(AppConfig):
    name = "kehu.dedup"
    label = "dedup"
    verbose_name = "查重与合并"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from kehu.accounts.access import track
        from kehu.accounts.choices import RoleCode
        from kehu.accounts.permissions import register_permission_row
        from kehu.accounts.roles import register_role_permissions
        from kehu.core.sections import Section, register_section
        from kehu.customers.selectors import timeline_event
        from kehu.dedup import hooks  # noqa: F401  registers the guard and the keys
        from kehu.dedup.models import DedupPolicy

        # The key policy is read from memory on every create (selectors.policy).
        track(DedupPolicy)
        timeline_event("customer.create_despite_similar", _("确认不是重复客户后创建"))
        timeline_event(
            "customer.duplicate_override", _("与已有客户手机号或邮箱相同，说明原因后保存")
        )
        register_section(
            Section(
                "duplicates",
                _("查重规则"),
                "dedup_settings:policy",
                order=40,
                permission="dedup.change_deduppolicy",
                description=_("手机号、邮箱与已有客户相同时：禁止，或说明原因后保存"),
            )
        )
        register_permission_row(
            "dedup.mergerecord",
            _("查重"),
            order=20,
            permissions=[
                ("dedup.add_mergerecord", _("合并重复客户")),
                ("dedup.change_deduppolicy", _("修改查重规则")),
            ],
        )

        # Managers clean up their teams' duplicates; reps are warned but do not merge.
        register_role_permissions(
            RoleCode.SALES_MANAGER, ["dedup.add_mergerecord", "dedup.view_duplicategroup"]
        )
