from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class MaintenanceAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, its site for administrators only (core.maintenance)."""

    default = False
    default_site = "kehu.core.maintenance.MaintenanceSite"


class CoreConfig(AppConfig):
    name = "kehu.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from django.db.models import Field, ForeignObject
        from django.utils.translation import gettext_lazy as _

        from kehu.core.navigation import Module, register_module
        from kehu.core.queries import InIds
        from kehu.core.sections import sections_for

        # Relations keep their own lookups: a foreign key (owner_id__in_ids) needs it too.
        Field.register_lookup(InIds)
        ForeignObject.register_lookup(InIds)

        register_module(Module("home", _("今日"), "home", order=0))
        # 设置 is shown to whoever may open at least one of its sections (a rep: none).
        register_module(Module("settings", _("设置"), "settings", order=90, visible=sections_for))
