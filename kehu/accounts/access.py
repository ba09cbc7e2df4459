"""What a signed-in user may see and do — their roles' data scopes, the owners those scopes
resolve to, their permissions — computed once per change to the organisation, not per request.

Every request needs these (scope() on every read, has_perm() for masking), and computing them
costs four to six small queries (roles, user and group permissions, the reporting line or the
department tree). They depend only on users, departments and roles, which change rarely. So:

- `AccessVersion` holds one value that changes, inside the same transaction, whenever a user,
  department, role or permission assignment is saved or deleted (signals below; a write that
  bypasses save(), such as QuerySet.update() on users, must call `access_changed()` itself).
- The authentication query reads that value with the user (`current_version_sql`), at no
  extra cost: the bearer-token lookup and the session backend (backends.AccessBackend).
- `access_for(user)` keeps each user's `Access` in this process under (user id, version): the
  next request of the same user finds it, and the first request after a change, in any process,
  reads a new version and computes afresh. The value is random, not a counter, so a rolled-back
  change can never bring back a version that had meant other data.
- `organisation_memo()` keeps, under the same version, what every user's lists show by name and
  what only the organisation decides: people's names, and the small tables an app registers with
  `track()` (the customers' source channels), so a list names owners without joining users.

A user object that did not come from authentication (a task, a shell, a test) has no version:
its Access is computed for that object alone and not shared.
"""

import threading
import uuid
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from kehu.accounts.choices import DataScope
from kehu.accounts.models import AccessVersion, Department, Role, User

# Users kept per process; a company's active users fit many times over.
CACHE_SIZE = 5_000
_cache: dict[tuple[int, str], "Access"] = {}
_cache_lock = threading.Lock()
# Saves of these fields alone (every login, a password change) leave access as it was.
IRRELEVANT_USER_FIELDS = frozenset({"last_login", "password"})


@dataclass
class Access:
    user_id: int
    department_id: int | None
    roles: tuple[tuple[str, dict], ...]  # (data_scope, module_scopes) of each role
    # Filled on first use: owner ids per module (None = the whole company), permissions, and
    # whatever else is derived from the organisation alone (memo).
    _owner_ids: dict[str, frozenset[int] | None] = field(default_factory=dict)
    _permissions: frozenset[str] | None = None
    _memo: dict[str, object] = field(default_factory=dict)

    def memo(self, key: str, compute):
        """`compute()`, once per access version: for values that depend only on users,
        departments and roles (a page's 负责人 and 部门 choices). Keep them immutable: they are
        shared by every request of the user in this process."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def permissions(self) -> frozenset[str]:
        """ "app_label.codename" of the user's own and their roles' permissions, as
        ModelBackend gives them, in one query. Roles alone decide: nobody is a superuser
        (DESIGN.md; the administrator role holds every permission)."""
        if self._permissions is None:
            perms = Permission.objects.filter(Q(user=self.user_id) | Q(group__user=self.user_id))
            rows = perms.values_list("content_type__app_label", "codename")
            self._permissions = frozenset(f"{app}.{codename}" for app, codename in rows)
        return self._permissions

    def scopes(self, module: str) -> set[str]:
        """The scopes the user's roles give for `module` (union of all roles)."""
        found = {module_scopes.get(module, scope) for scope, module_scopes in self.roles}
        return found or {DataScope.OWN}

    def owner_ids(self, module: str) -> frozenset[int] | None:
        """Owner ids whose records the user may see in `module`; None means the whole company."""
        if module not in self._owner_ids:
            self._owner_ids[module] = self._resolve(module)
        return self._owner_ids[module]

    def _resolve(self, module: str) -> frozenset[int] | None:
        scopes = self.scopes(module)
        if DataScope.ALL in scopes:
            return None
        ids = {self.user_id}
        if DataScope.OWN_AND_REPORTS in scopes:
            ids |= _report_ids(self.user_id)
        if self.department_id and DataScope.DEPARTMENT_TREE in scopes:
            path = Department.objects.filter(pk=self.department_id).values_list("path", flat=True)
            ids |= set(
                User.objects.filter(department__path__startswith=path[0]).values_list(
                    "pk", flat=True
                )
            )
        elif self.department_id and DataScope.DEPARTMENT in scopes:
            ids |= set(
                User.objects.filter(department_id=self.department_id).values_list("pk", flat=True)
            )
        return frozenset(ids)


def _report_ids(user_id: int) -> set[int]:
    """Everyone below the user in the reporting line, however deep."""
    found: set[int] = set()
    frontier = {user_id}
    while frontier:
        below = set(User.objects.filter(manager_id__in=frontier).values_list("pk", flat=True))
        frontier = below - found - {user_id}
        found |= frontier
    return found


def _build(user: User) -> Access:
    roles = Role.objects.filter(group_ptr__user=user).only("data_scope", "module_scopes")
    return Access(
        user_id=user.pk,
        department_id=user.department_id,
        roles=tuple((role.data_scope, role.module_scopes) for role in roles),
    )


def access_for(user: User) -> Access:
    """The user's Access: kept on the object for the request, and shared in this process under
    the version the authentication query read."""
    access = user.__dict__.get("_kehu_access")
    if access is not None:
        return access
    version = getattr(user, "access_version", None)
    key = (user.pk, version)
    access = _cache.get(key) if version else None
    if access is None:
        access = _build(user)
        if version:
            with _cache_lock:
                if len(_cache) >= CACHE_SIZE:
                    _cache.clear()  # versions move on; old entries are never asked again
                _cache[key] = access
    user.__dict__["_kehu_access"] = access
    return access


def current_version_sql() -> str:
    """The access version as SQL, to read with the user in one query: the hand-written
    authentication queries (services.TOKEN_SQL, backends.SESSION_USER_SQL)."""
    return f"(SELECT value FROM {AccessVersion._meta.db_table} LIMIT 1)"


# (version, values) of the organisation-wide values in this process (organisation_memo); one
# tuple, replaced whole, so a request never sees one version's values under another.
_organisation: tuple[str | None, dict] = (None, {})


def organisation_memo(user, key: str, compute):
    """`compute()` once per access version, shared by every user of this process: for values
    that depend only on the organisation (users' names; tables registered with `track`). Keep
    them immutable. Without a version (a user object not from authentication) it is kept with
    that object's Access alone."""
    global _organisation
    version = getattr(user, "access_version", None)
    if not version:
        return access_for(user).memo(key, compute)
    kept_version, values = _organisation
    if kept_version != version:
        values = {}
        _organisation = (version, values)
    if key not in values:
        values[key] = compute()
    return values[key]


def access_changed() -> None:
    """Give the organisation a new access version (inside the caller's transaction)."""
    value = uuid.uuid4().hex
    if not AccessVersion.objects.update(value=value):
        # The row is missing after a flush (tests); without it nothing is shared.
        AccessVersion.objects.create(value=value)


def _on_save(sender, instance=None, update_fields=None, **kwargs):
    if sender is User and update_fields and set(update_fields) <= IRRELEVANT_USER_FIELDS:
        return
    access_changed()


def _on_delete(sender, **kwargs):
    access_changed()


def _on_m2m(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        access_changed()


def track(model) -> None:
    """Give the organisation a new access version whenever a `model` row is saved or deleted:
    for a small table whose rows lists name from organisation_memo (call from AppConfig.ready)."""
    label = model._meta.label_lower
    post_save.connect(_on_save, sender=model, dispatch_uid=f"access_save_{label}")
    post_delete.connect(_on_delete, sender=model, dispatch_uid=f"access_delete_{label}")


def connect_signals() -> None:
    """Called once from AccountsConfig.ready."""
    for model in (User, Department, Role, Group):
        post_save.connect(_on_save, sender=model, dispatch_uid=f"access_save_{model.__name__}")
        post_delete.connect(
            _on_delete, sender=model, dispatch_uid=f"access_delete_{model.__name__}"
        )
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"access_m2m_{through.__name__}")
