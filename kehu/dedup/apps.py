from django.apps import AppConfig


class DedupConfig(AppConfig):
    name = "kehu.dedup"
    label = "dedup"
    verbose_name = "查重与合并"

    def ready(self):
        from kehu.accounts.choices import RoleCode
        from kehu.accounts.roles import register_role_permissions

        # Managers clean up their teams' duplicates; reps are warned but do not merge.
        register_role_permissions(
            RoleCode.SALES_MANAGER, ["dedup.add_mergerecord", "dedup.view_duplicategroup"]
        )
