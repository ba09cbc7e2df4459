"""Users, departments, roles and tokens in the maintenance tool (core.maintenance, administrators
only; everyday administration is 设置 in the product). Writes go through the account services
so audit and session/token revocation cannot be skipped; no page shows a password hash, and a
user's groups are their roles and called so."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from kehu.accounts import services
from kehu.accounts.choices import DataScope
from kehu.accounts.models import ApiToken, Department, Role, User
from kehu.core.errors import ValidationFailed

admin.site.unregister(Group)


class UserChangeForm(DjangoUserAdmin.form):
    """设置's user form; `actor` (who edits) is set per request by UserAdmin.get_form."""

    actor = None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            groups = cleaned.get("groups") or []
            try:
                services.administrator_check(
                    user=self.instance,
                    actor=self.actor,
                    roles=[group.role for group in groups if hasattr(group, "role")],
                    is_active=cleaned.get("is_active"),
                )
            except ValidationFailed as exc:
                raise forms.ValidationError(exc.detail) from None
        return cleaned


class RoleFilter(admin.SimpleListFilter):
    title = _("角色")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(role.pk, role.name) for role in Role.objects.all()]

    def queryset(self, request, queryset):
        return queryset.filter(groups=self.value()) if self.value() else queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    list_display = ["username", "display_name", "department", "is_active", "last_login"]
    list_filter = ["is_active", "department", RoleFilter]
    search_fields = ["username", "display_name", "email", "mobile"]
    # Roles alone decide what a user may do (DESIGN.md): no superuser or staff boxes here.
    fieldsets = (
        (None, {"fields": ("username",)}),
        (_("个人信息"), {"fields": ("display_name", "email", "mobile")}),
        (_("组织"), {"fields": ("department", "manager", "groups")}),
        (_("状态"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    actions = ["deactivate"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            return form
        return type(form.__name__, (form,), {"actor": request.user})

    def has_delete_permission(self, request, obj=None):
        # Users are the who of every record and of its history: deactivate them instead.
        return False

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":  # a user's groups are their roles, and called so
            kwargs.update(widget=forms.CheckboxSelectMultiple, label=_("角色"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            data = form.cleaned_data
            created = services.user_create(
                username=data["username"],
                password=data["password1"] if data.get("set_usable_password") else None,
                actor=request.user,
            )
            obj.pk = created.pk
            return
        services.user_update(
            user=obj,
            data={
                "display_name": obj.display_name,
                "email": obj.email,
                "mobile": obj.mobile,
                "department": obj.department,
                "manager": obj.manager,
                "roles": [g.role for g in form.cleaned_data["groups"] if hasattr(g, "role")],
                "is_active": obj.is_active,
            },
            actor=request.user,
        )

    def user_change_password(self, request, id, form_url=""):
        """Django's page sets the password; what must follow a new one (the user's other
        sessions and tokens end, audit) follows here when it did change."""
        user = self.get_object(request, unquote(id))
        response = super().user_change_password(request, id, form_url)
        if user is not None and User.objects.get(pk=user.pk).password != user.password:
            services.password_changed(
                user=user, actor=request.user, keep_session_key=request.session.session_key
            )
        return response

    @admin.action(description=_("停用所选用户（立即结束其会话与令牌）"))
    def deactivate(self, request, queryset):
        for user in queryset:
            try:
                services.user_deactivate(user=user, actor=request.user)
            except ValidationFailed as exc:
                self.message_user(request, f"{user}：{exc.detail}", messages.ERROR)


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
