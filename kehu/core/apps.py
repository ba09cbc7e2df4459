from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kehu.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from django.db.models import Field, ForeignObject

        from kehu.core.queries import InIds

        # Relations keep their own lookups: a foreign key (owner_id__in_ids) needs it too.
        Field.register_lookup(InIds)
        ForeignObject.register_lookup(InIds)
