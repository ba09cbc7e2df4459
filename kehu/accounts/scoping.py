"""Data scope (数据权限): the one mechanism that decides which records a user may see or change.

Every read for a user starts from `scope(Model.objects.all(), user, "view")` (DESIGN.md rule 3).
A scoped model declares:

    scope_module = "customers"          # which role setting applies (Role.scope_for)
    scope_owner_field = "owner"         # path to the owning User
    def scope_shared_q(cls, user): ...  # optional: extra rows shared with the user (collaborators)

Scopes resolve to a set of owner ids, computed once per change to the organisation and kept per
process (kehu.accounts.access), so the record query is a single indexed owner condition (`core.queries.one_of`) whatever
the size of the table.
"""

from django.db.models import QuerySet

from kehu.accounts.access import access_for
from kehu.accounts.models import User
from kehu.core.queries import one_of

VIEW = "view"
CHANGE = "change"
ACTIONS = {VIEW, CHANGE}


def role_scopes(user: User, module: str) -> set[str]:
    """The scopes the user's roles give for `module` (union of all roles)."""
    return access_for(user).scopes(module)


def visible_owner_ids(user: User, module: str) -> frozenset[int] | None:
    """Owner ids whose records `user` may see in `module`; None means the whole company."""
    return access_for(user).owner_ids(module)


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
    condition = one_of(owner_id_field, sorted(owner_ids))
    if action == VIEW and hasattr(model, "scope_shared_q"):
        condition |= model.scope_shared_q(user)
    return queryset.filter(condition)


def _owner_id(obj) -> int | None:
    """The id of the user owning `obj`, along its model's scope_owner_field ("customer__owner")."""
    *path, last = obj.scope_owner_field.split("__")
    for step in path:
        obj = getattr(obj, step)
    return getattr(obj, f"{last}_id")


def permits(user, obj, action: str) -> bool:
    """Whether `obj` is among scope(…, user, action)'s rows: from the owner ids kept with the
    user's access, and one query only for a row shared with the user (a collaboration)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown scope action {action!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    model = type(obj)
    owner_ids = visible_owner_ids(user, model.scope_module)
    if owner_ids is None or _owner_id(obj) in owner_ids:
        return True
    if action != VIEW or not hasattr(model, "scope_shared_q"):
        return False
    return model.objects.filter(model.scope_shared_q(user), pk=obj.pk).exists()


def scoped_modules() -> list[tuple[str, str]]:
    """(module, label) of every module whose records are scoped (a model with `scope_module`),
    labelled as the navigation names it: the modules a role sets a data scope for."""
    from django.apps import apps

    from kehu.core.navigation import MODULES

    keys = {m.scope_module for m in apps.get_models() if getattr(m, "scope_module", None)}
    ordered = sorted(keys, key=lambda k: (MODULES[k].order if k in MODULES else 999, k))
    return [(key, MODULES[key].label if key in MODULES else key) for key in ordered]


def can_see_owner(user, owner_id: int | None, module: str) -> bool:
    owner_ids = visible_owner_ids(user, module)
    return owner_ids is None or owner_id in owner_ids
