"""Every write to users, departments, roles and API tokens (DESIGN.md rule 2)."""

import datetime as dt
import re
import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from pypinyin import lazy_pinyin

from kehu.accounts.access import current_version_sql
from kehu.accounts.choices import DataScope, RoleCode
from kehu.accounts.models import ApiToken, Department, Role, User
from kehu.audit.services import audit_record
from kehu.core.errors import Conflict, NotFound, ValidationFailed, full_clean

# --- Departments ----------------------------------------------------------------------------


def _department_path(department: Department) -> str:
    prefix = department.parent.path if department.parent_id else "/"
    return f"{prefix}{department.pk}/"


@transaction.atomic
def department_create(
    *, name: str, parent: Department | None, actor: User | None, manager: User | None = None
) -> Department:
    department = Department(name=name, parent=parent, manager=manager)
    full_clean(department, exclude=["path"])
    department.save()
    department.path = _department_path(department)
    department.save(update_fields=["path"])
    audit_record(actor=actor, action="department.create", target=department, data={"name": name})
    return department


@transaction.atomic
def department_update(*, department: Department, data: dict, actor: User | None) -> Department:
    old_path = department.path
    for field in ("name", "parent", "manager"):
        if field in data:
            setattr(department, field, data[field])
    if department.parent_id and department.parent.path.startswith(old_path):
        raise ValidationFailed(
            "不能把部门移到它自己或其下级部门之下",
            errors=[{"field": "parent", "message": "不能把部门移到它自己或其下级部门之下"}],
        )
    full_clean(department, exclude=["path"])
    department.path = _department_path(department)
    department.save()
    if department.path != old_path:
        # Re-root the whole subtree in one pass over its (few) rows.
        for child in Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk):
            child.path = department.path + child.path[len(old_path) :]
            child.save(update_fields=["path"])
    audit_record(
        actor=actor,
        action="department.update",
        target=department,
        data={k: str(v) for k, v in data.items()},
    )
    return department


@transaction.atomic
def department_delete(*, department: Department, actor: User | None) -> None:
    if department.children.exists() or department.members.exists():
        raise Conflict("部门下还有下级部门或成员，不能删除")
    audit_record(
        actor=actor, action="department.delete", target=department, data={"name": department.name}
    )
    department.delete()


# --- Users ----------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    actor: User | None,
    display_name: str = "",
    email: str = "",
    mobile: str = "",
    department: Department | None = None,
    roles: list[Role] | None = None,
    manager: User | None = None,
) -> User:
    user = User(
        username=username,
        display_name=display_name,
        email=email,
        mobile=mobile,
        department=department,
        manager=manager,
    )
    full_clean(user, exclude=["password"])
    if password:
        _validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    if roles:
        _set_roles(user, roles)
    audit_record(actor=actor, action="user.create", target=user, data={"username": username})
    return user


def _set_roles(user: User, roles: list[Role]) -> None:
    """Roles decide who may open 设置 (the admin site): the administrator role does."""
    user.groups.set(roles)
    is_staff = any(role.code == RoleCode.ADMIN for role in roles)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(
            exc.messages[0], errors=[{"field": "password", "message": m} for m in exc.messages]
        ) from None


_USER_TEXT_FIELDS = {"display_name", "email", "mobile"}


def _is_administrator(roles) -> bool:
    return any(role.code == RoleCode.ADMIN for role in roles)


def administrator_check(
    *,
    user: User,
    actor: User | None,
    roles: list[Role] | None = None,
    is_active: bool | None = None,
) -> None:
    """Refuse a change to `user` (their roles and whether they are active, None: unchanged)
    that deactivates the actor themself or leaves no active administrator: either would lock
    people out with nobody left to let them in. Administrators are the active holders of the
    administrator role (roles alone decide: DESIGN.md). Call inside the writing transaction:
    the administrator role's row is locked, so two administrators demoting each other at once
    are decided one after the other."""
    if is_active is False and actor is not None and actor.pk == user.pk:
        message = gettext("不能停用自己的账号")
        raise ValidationFailed(message, errors=[{"field": "is_active", "message": message}])
    admin_role = Role.objects.select_for_update().filter(code=RoleCode.ADMIN).first()
    if admin_role is None or not user.groups.filter(pk=admin_role.pk).exists():
        return  # not an administrator now: the change cannot lose one
    stays = (user.is_active if is_active is None else is_active) and (
        roles is None or _is_administrator(roles)
    )
    others = User.objects.filter(is_active=True, groups=admin_role).exclude(pk=user.pk)
    if not stays and not others.exists():
        field = "is_active" if is_active is False else "roles"
        message = gettext("至少要保留一位启用的管理员")
        raise ValidationFailed(message, errors=[{"field": field, "message": message}])


@transaction.atomic
def user_update(*, user: User, data: dict, actor: User | None) -> User:
    roles = data.pop("roles", None)
    administrator_check(user=user, actor=actor, roles=roles, is_active=data.get("is_active"))
    for field in ("display_name", "email", "mobile", "department", "manager"):
        if field in data:
            value = data[field]
            if value is None and field in _USER_TEXT_FIELDS:
                value = ""  # null clears a text field (the column is NOT NULL)
            setattr(user, field, value)
    if user.manager_id == user.pk:
        raise ValidationFailed(
            "直属上级不能是本人", errors=[{"field": "manager", "message": "直属上级不能是本人"}]
        )
    full_clean(user, exclude=["password"])
    user.save()
    if roles is not None:
        _set_roles(user, roles)
    if data.get("is_active") is False:
        user_deactivate(user=user, actor=actor)
    elif data.get("is_active") is True and not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    audit_record(
        actor=actor, action="user.update", target=user, data={k: str(v) for k, v in data.items()}
    )
    return user


def random_password() -> str:
    """A password for someone to change after signing in: 16 url-safe characters, which pass
    every validator in settings."""
    return secrets.token_urlsafe(12)


@transaction.atomic
def user_set_password(
    *,
    user: User,
    password: str,
    actor: User | None,
    keep_session_key: str | None = None,
    keep_token_id: int | None = None,
) -> None:
    """Set a new password (validated). Whoever knew the old one may have signed in with it: the
    user's sessions and API tokens end, except the session or token the change was made from."""
    _validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    password_changed(
        user=user, actor=actor, keep_session_key=keep_session_key, keep_token_id=keep_token_id
    )


def password_changed(
    *,
    user: User,
    actor: User | None,
    keep_session_key: str | None = None,
    keep_token_id: int | None = None,
) -> None:
    """What follows a new password however it was set (user_set_password; 设置's own form,
    accounts.admin): the user's other sessions and tokens end, and the change is audited."""
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if keep_token_id is not None:
        tokens = tokens.exclude(pk=keep_token_id)
    revoked = tokens.update(revoked_at=timezone.now())
    ended = _end_sessions(user, keep=keep_session_key)
    audit_record(
        actor=actor,
        action="user.set_password",
        target=user,
        data={"tokens_revoked": revoked, "sessions_ended": ended},
    )


@transaction.atomic
def user_deactivate(*, user: User, actor: User | None) -> None:
    """Deactivation takes effect at once: sessions are deleted and tokens revoked. Nobody
    deactivates themself, and the last active administrator stays (administrator_check)."""
    administrator_check(user=user, actor=actor, is_active=False)
    user.is_active = False
    user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    _end_sessions(user)
    audit_record(actor=actor, action="user.deactivate", target=user, data={})


def _end_sessions(user: User, keep: str | None = None) -> int:
    """Delete the user's browser sessions but `keep` (a session key); how many ended.

    Database sessions do not index the user; scanning live sessions is fine at company size,
    and the auth middleware also refuses an inactive user, or a session made before a password
    change, on its next request regardless."""
    doomed = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(s.get_decoded().get("_auth_user_id")) == str(user.pk) and s.session_key != keep
    ]
    Session.objects.filter(session_key__in=doomed).delete()
    return len(doomed)


# --- Roles ----------------------------------------------------------------------------------


def _check_module_scopes(role: Role) -> None:
    bad = [v for v in role.module_scopes.values() if v not in DataScope.values]
    if bad:
        raise ValidationFailed(
            gettext("数据范围无效"),
            errors=[
                {
                    "field": "module_scopes",
                    "message": gettext("未知的数据范围：%(v)s") % {"v": bad[0]},
                }
            ],
        )


def _role_code(name: str) -> str:
    """A new role's code from its name: the pinyin (区域经理 → qu_yu_jing_li), made unique."""
    base = "_".join(lazy_pinyin(name, errors=lambda text: list(text.lower()))) or "role"
    base = re.sub(r"[^a-z0-9]+", "_", base.lower()).strip("_")[:40] or "role"
    code, n = base, 1
    while Role.objects.filter(code=code).exists():
        n += 1
        code = f"{base}_{n}"
    return code


@transaction.atomic
def role_create(
    *,
    name: str,
    actor: User | None,
    data_scope: str = DataScope.OWN,
    module_scopes: dict | None = None,
    description: str = "",
    permissions: list[Permission] | None = None,
) -> Role:
    """A role beside the defaults; its code is made from its name (the API names roles by
    code)."""
    role = Role(
        name=name,
        code=_role_code(name),
        data_scope=data_scope,
        module_scopes=module_scopes or {},
        description=description,
    )
    _check_module_scopes(role)
    full_clean(role)
    role.save()
    if permissions:
        role.permissions.set(permissions)
    audit_record(
        actor=actor, action="role.create", target=role, data={"name": name, "code": role.code}
    )
    return role


@transaction.atomic
def role_update(*, role: Role, data: dict, actor: User | None) -> Role:
    """Name, scopes, description and (with "permissions", a list of Permission) what the role
    may do. The administrator role keeps every permission: without it nobody could manage
    roles again."""
    cleared = {"module_scopes": {}, "description": ""}  # what null means for these fields
    for field in ("name", "data_scope", "module_scopes", "description"):
        if field in data:
            value = data[field]
            setattr(role, field, cleared[field] if value is None and field in cleared else value)
    _check_module_scopes(role)
    full_clean(role)
    role.save()
    permissions = data.get("permissions")
    if permissions is not None:
        if role.code == RoleCode.ADMIN:
            raise ValidationFailed(
                gettext("管理员角色始终拥有全部权限"),
                errors=[{"field": "permissions", "message": gettext("管理员角色始终拥有全部权限")}],
            )
        role.permissions.set(permissions)
    audit_record(
        actor=actor,
        action="role.update",
        target=role,
        data={
            k: sorted(f"{p.content_type.app_label}.{p.codename}" for p in v)
            if k == "permissions"
            else str(v)
            for k, v in data.items()
        },
    )
    return role


@transaction.atomic
def role_delete(*, role: Role, actor: User | None) -> None:
    """A role nobody holds; the five default roles stay (the product's own rules name them)."""
    if role.code in RoleCode.values:
        raise Conflict(gettext("默认角色不能删除"))
    if role.user_set.exists():
        raise Conflict(gettext("还有用户属于这个角色，不能删除"))
    audit_record(actor=actor, action="role.delete", target=role, data={"name": role.name})
    role.delete()


# --- API tokens -----------------------------------------------------------------------------


@transaction.atomic
def token_issue(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token; the plain key is returned once and never stored."""
    key = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=key[5 : 5 + ApiToken.PREFIX_LENGTH],
        key_hash=ApiToken.hash(key),
        expires_at=timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS),
    )
    audit_record(actor=user, action="token.issue", target=token, data={"name": name})
    return token, key


# Every API request runs this query, so it is written by hand: the ORM took longer to build it
# (the token, its user and the access version) than the database took to answer. Validity is
# decided in the query; `token_stale` says whether last_used_at is due for its touch.
TOKEN_SQL = (
    "SELECT u.*, t.id AS token_id,"
    " CASE WHEN t.last_used_at IS NULL OR t.last_used_at < %s THEN 1 ELSE 0 END AS token_stale,"
    f" {current_version_sql()} AS access_version"
    f" FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id"
    " WHERE t.key_hash = %s AND t.revoked_at IS NULL AND t.expires_at > %s"
)
# A busy API client should not write on every request: last_used_at is touched once a minute.
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)


def token_authenticate(key: str) -> User | None:
    """The active user of a valid (unrevoked, unexpired) token, with the access version read in
    the same query (accounts.access); None for anything else."""
    now = timezone.now()
    as_db = connection.ops.adapt_datetimefield_value
    params = [as_db(now - TOKEN_TOUCH_INTERVAL), ApiToken.hash(key), as_db(now)]
    user = next(iter(User.objects.raw(TOKEN_SQL, params)), None)
    if user is None or not user.is_active:
        return None
    if user.token_stale:
        ApiToken.objects.filter(pk=user.token_id).update(last_used_at=now)
    return user


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="token.revoke", target=token, data={})


@transaction.atomic
def own_token_revoke(*, user: User, token_id: int) -> None:
    """Revoke one of the user's own valid tokens (the one in use included: signing out an API
    client); anyone else's, or one already revoked or expired, is NotFound."""
    token = (
        ApiToken.objects.select_for_update()
        .filter(pk=token_id, user=user, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None:
        raise NotFound(gettext("令牌不存在"))
    token_revoke(token=token, actor=user)
