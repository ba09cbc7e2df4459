from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from kehu.accounts.choices import DataScope
from kehu.accounts.models import Department, Role, User
from kehu.core.forms import ServiceErrorsMixin


class LoginForm(AuthenticationForm):
    # The same message whether the user is unknown or the password wrong.
    error_messages = {
        "invalid_login": _("用户名或密码错误。"),
        "inactive": _("用户名或密码错误。"),
    }
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


# --- 设置 pages -----------------------------------------------------------------------------


NO_DEPARTMENT = _("（无）")


class DepartmentChoiceField(forms.ModelChoiceField):
    """Departments in tree order, each indented under its parent."""

    def __init__(self, tree, *, empty_label=NO_DEPARTMENT, **kwargs):
        self.depths = {department.pk: depth for department, depth in tree}
        super().__init__(
            queryset=Department.objects.filter(pk__in=list(self.depths)),
            required=False,
            empty_label=empty_label,
            **kwargs,
        )
        self.choices = [("", self.empty_label)] + [
            (department.pk, self.label_from_instance(department)) for department, _depth in tree
        ]

    def label_from_instance(self, obj):
        return "\u00a0\u00a0\u00a0" * self.depths.get(obj.pk, 0) + obj.name


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class UserForm(ServiceErrorsMixin, forms.Form):
    """A user as 设置 › 用户 edits them; `creating` adds the user name and a first password."""

    username = forms.CharField(label=_("用户名"), max_length=150, help_text=_("登录时使用"))
    display_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    email = forms.EmailField(label=_("邮箱"), max_length=254, required=False)
    mobile = forms.CharField(label=_("手机号"), max_length=20, required=False)
    manager = forms.ModelChoiceField(
        label=_("直属上级"), queryset=User.objects.none(), required=False
    )
    roles = RoleChoiceField(
        label=_("角色"),
        queryset=Role.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    password = forms.CharField(
        label=_("初始密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("留空则生成一个随机密码，只显示一次"),
    )
    is_active = forms.BooleanField(label=_("启用"), required=False)

    def __init__(self, *args, tree, creating: bool, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"] = DepartmentChoiceField(tree, label=_("部门"))
        self.order_fields(["username", "display_name", "email", "mobile", "department"])
        managers = User.objects.filter(is_active=True).order_by("display_name", "username")
        self.fields["manager"].queryset = managers.exclude(pk=user.pk) if user else managers
        if creating:
            del self.fields["is_active"]
        else:
            del self.fields["username"], self.fields["password"]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["roles"] = list(data["roles"])
        return data


class DepartmentForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    manager = forms.ModelChoiceField(
        label=_("部门负责人"),
        queryset=User.objects.filter(is_active=True).order_by("display_name", "username"),
        required=False,
    )

    def __init__(self, *args, tree, department=None, **kwargs):
        super().__init__(*args, **kwargs)
        if department is not None:  # not under itself or its own sub-departments
            tree = [(d, depth) for d, depth in tree if not d.path.startswith(department.path)]
        self.fields["parent"] = DepartmentChoiceField(
            tree, label=_("上级部门"), empty_label=_("（顶级部门）")
        )
        self.order_fields(["name", "parent", "manager"])


class RoleForm(ServiceErrorsMixin, forms.Form):
    """A role: its name, its data scope (one default and an override per module) and, when
    `with_permissions`, the permissions of the matrix (accounts.permissions)."""

    name = forms.CharField(label=_("名称"), max_length=150)
    description = forms.CharField(label=_("说明"), max_length=200, required=False)
    data_scope = forms.ChoiceField(
        label=_("默认数据范围"),
        choices=DataScope.choices,
        help_text=_("未单独设置的模块使用这个范围"),
    )

    def __init__(self, *args, modules, offered_permissions: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.modules = modules
        for key, label in modules:
            self.fields[f"scope_{key}"] = forms.ChoiceField(
                label=label,
                choices=[("", _("同默认")), *DataScope.choices],
                required=False,
            )
        self.offered_permissions = offered_permissions
        if offered_permissions:
            self.fields["permissions"] = forms.MultipleChoiceField(
                choices=[(name, name) for name in sorted(offered_permissions)], required=False
            )

    @classmethod
    def initial_for(cls, role) -> dict:
        initial = {
            "name": role.name,
            "description": role.description,
            "data_scope": role.data_scope,
        }
        initial.update({f"scope_{k}": v for k, v in role.module_scopes.items()})
        return initial

    def module_scopes(self) -> dict:
        return {
            key: self.cleaned_data[f"scope_{key}"]
            for key, _label in self.modules
            if self.cleaned_data.get(f"scope_{key}")
        }

    def scope_fields(self):
        return [self[f"scope_{key}"] for key, _label in self.modules]

    def checked_permissions(self) -> set[str]:
        """The matrix's ticked boxes (what was posted, or the role's when not bound)."""
        if self.is_bound:
            return set(self.data.getlist("permissions"))
        return set(self.initial.get("permissions", ()))
