"""Reads of users, departments and roles. Managing them needs the Django model permissions
(accounts.view_user …); someone without them is told the record does not exist (404)."""

from django.db.models import QuerySet
from django.utils import timezone

from kehu.accounts.access import organisation_memo
from kehu.accounts.models import ApiToken, Department, Role, User
from kehu.core.errors import NotFound, PermissionDenied, ValidationFailed
from kehu.core.pagination import Page, keyset_page


def _require(user, perm: str, *, missing_is_404: bool = False) -> None:
    if not user.has_perm(perm):
        if missing_is_404:
            raise NotFound("不存在")
        raise PermissionDenied("没有权限")


def user_names(*, user) -> dict[int, str]:
    """Every user's name as people see it (User.label), inactive ones too (they may still own
    records), by id: lists name owners from this instead of joining users. Kept per access
    version, which every save of a user changes."""

    def compute():
        rows = User.objects.values_list("id", "display_name", "username")
        return {pk: User.label(display_name, username) for pk, display_name, username in rows}

    return organisation_memo(user, "accounts.user_names", compute)


def user_list(*, actor) -> QuerySet[User]:
    _require(actor, "accounts.view_user")
    return User.objects.prefetch_related("groups__role")


def user_get(*, actor, user_id: int) -> User:
    _require(actor, "accounts.view_user", missing_is_404=True)
    try:
        return User.objects.prefetch_related("groups__role").get(pk=user_id)
    except User.DoesNotExist:
        raise NotFound("用户不存在") from None


def department_list(*, actor) -> QuerySet[Department]:
    _require(actor, "accounts.view_department")
    return Department.objects.all()


def department_tree(*, actor) -> list[tuple[Department, int]]:
    """Every department with its depth (0 for the top), each followed by its sub-departments,
    siblings by name: the order a tree is read in."""
    departments = list(department_list(actor=actor).select_related("manager"))
    children: dict[int | None, list[Department]] = {}
    for department in departments:
        children.setdefault(department.parent_id, []).append(department)
    ordered: list[tuple[Department, int]] = []

    def walk(parent_id, depth):
        for department in sorted(children.get(parent_id, []), key=lambda d: (d.name, d.pk)):
            ordered.append((department, depth))
            walk(department.pk, depth + 1)

    walk(None, 0)
    return ordered


def department_get(*, actor, department_id: int) -> Department:
    _require(actor, "accounts.view_department", missing_is_404=True)
    try:
        return Department.objects.get(pk=department_id)
    except Department.DoesNotExist:
        raise NotFound("部门不存在") from None


def role_list(*, actor) -> QuerySet[Role]:
    _require(actor, "accounts.view_role")
    return Role.objects.prefetch_related("permissions__content_type")


def role_get(*, actor, role_id: int) -> Role:
    _require(actor, "accounts.view_role", missing_is_404=True)
    try:
        return Role.objects.prefetch_related("permissions__content_type").get(pk=role_id)
    except Role.DoesNotExist:
        raise NotFound("角色不存在") from None


def roles_by_code(codes: list[str]) -> list[Role]:
    roles = list(Role.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {r.code for r in roles})
    if unknown:
        raise ValidationFailed(
            f"未知角色：{unknown[0]}",
            errors=[{"field": "roles", "message": f"未知角色：{unknown[0]}"}],
        )
    return roles


def token_list(*, user, cursor: str | None = None, limit: int | None = None) -> Page:
    """The user's own valid (unrevoked, unexpired) API tokens, newest first."""
    tokens = ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    return keyset_page(tokens, keys=["-created_at", "-id"], cursor=cursor, limit=limit)
