import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.accounts.choices import DataScope
from kehu.core.models import TimeStampedModel


class Department(TimeStampedModel):
    """A unit of the company; departments form a tree (总部 → 华东大区 → 上海销售部).

    `path` is the materialised chain of ids ("/1/4/9/") so that a whole subtree is one indexed
    prefix query, which the 本部门及下级部门 data scope needs on every list.
    """

    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=500, editable=False, db_index=True, default="")
    manager = models.ForeignKey(
        "accounts.User",
        verbose_name=_("部门负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_departments",
    )

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="department_unique_name_in_parent",
                violation_error_message=_("同一上级下已有同名部门"),
            ),
            # NULL parents never compare equal, so top-level names need their own rule.
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(parent__isnull=True),
                name="department_unique_top_level_name",
                violation_error_message=_("已有同名的顶级部门"),
            ),
        ]

    def __str__(self):
        return self.name


class Role(Group):
    """A role is a permission group plus the data scope its members get per module.

    Built on auth.Group so Django's permission checks (user.has_perm) work unchanged; a user with
    several roles gets the union of their permissions and of their scopes.
    """

    code = models.CharField(_("代码"), max_length=50, unique=True)
    data_scope = models.CharField(
        _("数据范围"), max_length=20, choices=DataScope.choices, default=DataScope.OWN
    )
    module_scopes = models.JSONField(
        _("按模块的数据范围"),
        default=dict,
        blank=True,
        help_text=_('覆盖默认数据范围，例如 {"tickets": "all"}'),
    )
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["id"]

    def scope_for(self, module: str) -> str:
        return self.module_scopes.get(module, self.data_scope)

    # A default role's name and description are the product's words (accounts.roles) until an
    # administrator rewrites them: shown in the request's language while they are unchanged.
    @property
    def label(self) -> str:
        return gettext(self.name)

    @property
    def description_label(self) -> str:
        return gettext(self.description) if self.description else ""


class User(AbstractUser):
    """A person who signs in. Belongs to exactly one department; roles come from `groups`.

    Roles alone decide what a user may do: `is_superuser` (Django's everything-allowed flag,
    invisible in the API and beside the roles) is never set, and `is_staff` (may open 设置)
    follows the administrator role (services._set_roles)."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    mobile = models.CharField(_("手机号"), max_length=20, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("直属上级"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_superuser=False),
                name="user_roles_alone_decide",
                violation_error_message=_("权限由角色决定：请给用户分配管理员角色"),
            ),
        ]

    def __str__(self):
        return self.label(self.display_name, self.username)

    @staticmethod
    def label(display_name: str, username: str) -> str:
        """How people see a user: the name, else the user name (also for rows read as values)."""
        return display_name or username

    @property
    def roles(self):
        return Role.objects.filter(group_ptr__user=self)


class ApiToken(models.Model):
    """A revocable API bearer token. Only the SHA-256 of the token is stored."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户")
    )
    name = models.CharField(_("名称"), max_length=100, blank=True)
    prefix = models.CharField(_("前缀"), max_length=PREFIX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}…"

    @staticmethod
    def generate() -> str:
        return "kehu_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class AccessVersion(models.Model):
    """One row whose value changes whenever anything that decides access changes (users,
    departments, roles, permissions): processes keep each user's computed access under it
    (kehu.accounts.access)."""

    value = models.CharField(_("版本"), max_length=32)

    class Meta:
        verbose_name = _("权限版本")
        verbose_name_plural = _("权限版本")

    def __str__(self):
        return self.value
