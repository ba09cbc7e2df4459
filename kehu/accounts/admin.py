"""Settings pages (设置) for administrators: users, departments, roles — all writes go through
the account services so audit and session/token revocation cannot be skipped."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from kehu.accounts import services
from kehu.accounts.choices import DataScope
from kehu.accounts.models import ApiToken, Department, Role, User

admin.site.site_header = _("客户 Kehu 设置")
admin.site.site_title = _("客户 Kehu")
admin.site.index_title = _("设置")
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "department", "is_active", "last_login"]
    list_filter = ["is_active", "department", "groups"]
    search_fields = ["username", "display_name", "email", "mobile"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "email", "mobile")}),
        (_("组织"), {"fields": ("department", "manager", "groups")}),
        (
            _("状态"),
            {"fields": ("is_active", "is_staff", "is_superuser", "last_login", "date_joined")},
        ),
    )
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["groups"]
    actions = ["deactivate"]

    def save_model(self, request, obj, form, change):
        was_active = User.objects.filter(pk=obj.pk).values_list("is_active", flat=True).first()
        super().save_model(request, obj, form, change)
        if change and was_active and not obj.is_active:
            services.user_deactivate(user=obj, actor=request.user)

    @admin.action(description=_("停用所选用户（立即结束其会话与令牌）"))
    def deactivate(self, request, queryset):
        for user in queryset:
            services.user_deactivate(user=user, actor=request.user)


class DepartmentForm(forms.ModelForm):
    def clean_parent(self):
        # The service refuses this too, but by then the admin could only answer with a 500.
        parent = self.cleaned_data.get("parent")
        if parent and self.instance.pk and parent.path.startswith(self.instance.path):
            raise forms.ValidationError(_("不能把部门移到它自己或其下级部门之下"))
        return parent


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    form = DepartmentForm
    list_display = ["name", "parent", "manager", "path"]
    search_fields = ["name"]
    fields = ["name", "parent", "manager"]

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in self.fields}
        if change:
            services.department_update(department=obj, data=data, actor=request.user)
        else:
            created = services.department_create(actor=request.user, **data)
            obj.pk, obj.path = created.pk, created.path

    def delete_model(self, request, obj):
        services.department_delete(department=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        # The bulk "delete selected" action, one service call each so every deletion is audited.
        for department in queryset.order_by("-path"):
            services.department_delete(department=department, actor=request.user)


class RoleForm(forms.ModelForm):
    def clean_module_scopes(self):
        value = self.cleaned_data.get("module_scopes") or {}
        if not isinstance(value, dict) or any(v not in DataScope.values for v in value.values()):
            raise forms.ValidationError(
                _("应为 {模块: 数据范围}，数据范围取值：%(values)s"),
                params={"values": ", ".join(DataScope.values)},
            )
        return value


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    form = RoleForm
    list_display = ["name", "code", "data_scope", "description"]
    fields = ["name", "code", "data_scope", "module_scopes", "description", "permissions"]
    filter_horizontal = ["permissions"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "prefix",
        "user",
        "name",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = [
        "prefix",
        "user",
        "name",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request, queryset):
        for token in queryset:
            services.token_revoke(token=token, actor=request.user)
