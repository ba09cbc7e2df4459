"""Data scope (数据权限): the one mechanism that decides which records a user may see or change.

Every read for a user starts from `scope(Model.objects.all(), user, "view")` (DESIGN.md rule 3).
A scoped model declares:

    scope_module = "customers"          # which role setting applies (Role.scope_for)
    scope_owner_field = "owner"         # path to the owning User
    def scope_shared_q(cls, user): ...  # optional: extra rows shared with the user (collaborators)

Scopes resolve to a set of owner ids (one small query over users), so the record query is a
single indexed `owner_id IN (...)` whatever the size of the table.
"""

from django.db.models import Q, QuerySet

from kehu.accounts.choices import DataScope
from kehu.accounts.models import Department, Role, User

VIEW = "view"
CHANGE = "change"
ACTIONS = {VIEW, CHANGE}


def role_scopes(user: User, module: str) -> set[str]:
    """The scopes the user's roles give for `module` (union of all roles), cached per user object."""
    cache = user.__dict__.setdefault("_kehu_scopes", {})
    if module not in cache:
        roles = Role.objects.filter(group_ptr__user=user).only("data_scope", "module_scopes")
        cache[module] = {role.scope_for(module) for role in roles} or {DataScope.OWN}
    return cache[module]


def _report_ids(user: User) -> set[int]:
    """Everyone below the user in the reporting line, however deep."""
    found: set[int] = set()
    frontier = {user.pk}
    while frontier:
        below = set(User.objects.filter(manager_id__in=frontier).values_list("pk", flat=True))
        frontier = below - found - {user.pk}
        found |= frontier
    return found


def visible_owner_ids(user: User, module: str) -> set[int] | None:
    """Owner ids whose records `user` may see in `module`; None means the whole company."""
    cache = user.__dict__.setdefault("_kehu_owner_ids", {})
    if module in cache:
        return cache[module]
    scopes = role_scopes(user, module)
    if user.is_superuser or DataScope.ALL in scopes:
        cache[module] = None
        return None
    ids = {user.pk}
    if DataScope.OWN_AND_REPORTS in scopes:
        ids |= _report_ids(user)
    if user.department_id and DataScope.DEPARTMENT_TREE in scopes:
        path = Department.objects.filter(pk=user.department_id).values_list("path", flat=True)[0]
        ids |= set(
            User.objects.filter(department__path__startswith=path).values_list("pk", flat=True)
        )
    elif user.department_id and DataScope.DEPARTMENT in scopes:
        ids |= set(
            User.objects.filter(department_id=user.department_id).values_list("pk", flat=True)
        )
    cache[module] = ids
    return ids


def scope(queryset: QuerySet, user, action: str = VIEW) -> QuerySet:
    """Restrict `queryset` to the rows `user` may `action` ("view" or "change")."""
    if action not in ACTIONS:
        raise ValueError(f"unknown scope action {action!r}")
    model = queryset.model
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    owner_ids = visible_owner_ids(user, model.scope_module)
    if owner_ids is None:
        return queryset
    owner_id_field = (
        f"{model.scope_owner_field}_id"
        if "__" not in model.scope_owner_field
        else f"{model.scope_owner_field}__id"
    )
    condition = Q(**{f"{owner_id_field}__in": sorted(owner_ids)})
    if action == VIEW and hasattr(model, "scope_shared_q"):
        condition |= model.scope_shared_q(user)
    return queryset.filter(condition)


def can_see_owner(user, owner_id: int | None, module: str) -> bool:
    owner_ids = visible_owner_ids(user, module)
    return owner_ids is None or owner_id in owner_ids
