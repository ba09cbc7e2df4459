from django.contrib import admin

from kehu.audit.models import AuditEvent, FieldChange, RevealLog


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]


@admin.register(FieldChange)
class FieldChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "target_type", "target_id", "field", "old", "new"]


@admin.register(RevealLog)
class RevealLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "target_type", "target_id", "field"]
