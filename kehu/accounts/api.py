from django.contrib.auth import authenticate
from ninja import Router
from ninja.responses import Status

from kehu.accounts import selectors, services
from kehu.accounts.models import Department, User
from kehu.accounts.schemas import (
    DepartmentIn,
    DepartmentOut,
    DepartmentPatch,
    MeOut,
    RoleOut,
    RolePatch,
    TokenIn,
    TokenOut,
    TokenPage,
    UserIn,
    UserOut,
    UserPatch,
)
from kehu.api.schemas import ErrorOut
from kehu.core.errors import DomainError, ErrorCode, PermissionDenied, ValidationFailed

auth_router = Router(tags=["auth"])
users_router = Router(tags=["users"])
departments_router = Router(tags=["departments"])
roles_router = Router(tags=["roles"])


class LoginFailed(DomainError):
    status = 401
    code = ErrorCode.AUTHENTICATION


class LockedOut(DomainError):
    status = 429
    code = ErrorCode.LOCKED_OUT


@auth_router.post(
    "/token", auth=None, response={200: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut}
)
def token_create(request, payload: TokenIn):
    """Exchange a username and password for a bearer token (shown once)."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise LockedOut("登录失败次数过多，请稍后再试")
    if user is None:
        # One message for unknown user and wrong password, so usernames cannot be probed.
        raise LoginFailed("用户名或密码错误")
    token, key = services.token_issue(user=user, name=payload.name)
    return {"token": key, "expires_at": token.expires_at.isoformat()}


@auth_router.get("/tokens", response={200: TokenPage, 401: ErrorOut, 422: ErrorOut})
def token_list(request, cursor: str | None = None, limit: int | None = None):
    """The caller's own valid API tokens, newest first (`current`: the one in use)."""
    page = selectors.token_list(user=request.auth, cursor=cursor, limit=limit)
    in_use = getattr(request.auth, "token_id", None)
    items = [
        {
            "id": t.pk,
            "name": t.name,
            "prefix": t.prefix,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "last_used_at": t.last_used_at,
            "current": t.pk == in_use,
        }
        for t in page.items
    ]
    return {"items": items, "next": page.next, "count": page.count}


@auth_router.delete("/tokens/{token_id}", response={204: None, 401: ErrorOut, 404: ErrorOut})
def token_revoke(request, token_id: int):
    """Revoke one of the caller's own tokens (the one in use too: signing a client out)."""
    services.own_token_revoke(user=request.auth, token_id=token_id)
    return Status(204, None)


@auth_router.get("/me", response=MeOut)
def me(request):
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "department_id": user.department_id,
        "roles": [r.code for r in user.roles],
        "permissions": sorted(user.get_all_permissions()),
    }


def _resolve(model, pk, field):
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ValidationFailed(f"{field} 不存在", errors=[{"field": field, "message": "不存在"}])
    return obj


def _need(user, perm):
    if not user.has_perm(perm):
        raise PermissionDenied("没有权限")


# --- users ----------------------------------------------------------------------------------


@users_router.get("", response=list[UserOut])
def user_list(request):
    return list(selectors.user_list(actor=request.auth))


@users_router.post("", response={201: UserOut})
def user_create(request, payload: UserIn):
    _need(request.auth, "accounts.add_user")
    user = services.user_create(
        username=payload.username,
        password=payload.password,
        actor=request.auth,
        display_name=payload.display_name,
        email=payload.email,
        department=_resolve(Department, payload.department_id, "department_id"),
        manager=_resolve(User, payload.manager_id, "manager_id"),
        roles=selectors.roles_by_code(payload.roles),
    )
    return Status(201, selectors.user_get(actor=request.auth, user_id=user.pk))


@users_router.get("/{user_id}", response=UserOut)
def user_detail(request, user_id: int):
    return selectors.user_get(actor=request.auth, user_id=user_id)


@users_router.patch("/{user_id}", response=UserOut)
def user_update(request, user_id: int, payload: UserPatch):
    user = selectors.user_get(actor=request.auth, user_id=user_id)
    _need(request.auth, "accounts.change_user")
    data = payload.dict(exclude_unset=True)
    if "department_id" in data:
        data["department"] = _resolve(Department, data.pop("department_id"), "department_id")
    if "manager_id" in data:
        data["manager"] = _resolve(User, data.pop("manager_id"), "manager_id")
    if data.get("roles") is not None:
        data["roles"] = selectors.roles_by_code(data["roles"])
    services.user_update(user=user, data=data, actor=request.auth)
    return selectors.user_get(actor=request.auth, user_id=user_id)


# --- departments ----------------------------------------------------------------------------


@departments_router.get("", response=list[DepartmentOut])
def department_list(request):
    return list(selectors.department_list(actor=request.auth))


@departments_router.post("", response={201: DepartmentOut})
def department_create(request, payload: DepartmentIn):
    _need(request.auth, "accounts.add_department")
    department = services.department_create(
        name=payload.name,
        parent=_resolve(Department, payload.parent_id, "parent_id"),
        manager=_resolve(User, payload.manager_id, "manager_id"),
        actor=request.auth,
    )
    return Status(201, department)


@departments_router.get("/{department_id}", response=DepartmentOut)
def department_detail(request, department_id: int):
    return selectors.department_get(actor=request.auth, department_id=department_id)


@departments_router.patch("/{department_id}", response=DepartmentOut)
def department_update(request, department_id: int, payload: DepartmentPatch):
    department = selectors.department_get(actor=request.auth, department_id=department_id)
    _need(request.auth, "accounts.change_department")
    data = payload.dict(exclude_unset=True)
    if "parent_id" in data:
        data["parent"] = _resolve(Department, data.pop("parent_id"), "parent_id")
    if "manager_id" in data:
        data["manager"] = _resolve(User, data.pop("manager_id"), "manager_id")
    return services.department_update(department=department, data=data, actor=request.auth)


@departments_router.delete("/{department_id}", response={204: None})
def department_delete(request, department_id: int):
    department = selectors.department_get(actor=request.auth, department_id=department_id)
    _need(request.auth, "accounts.delete_department")
    services.department_delete(department=department, actor=request.auth)
    return Status(204, None)


# --- roles ----------------------------------------------------------------------------------


@roles_router.get("", response=list[RoleOut])
def role_list(request):
    return list(selectors.role_list(actor=request.auth))


@roles_router.get("/{role_id}", response=RoleOut)
def role_detail(request, role_id: int):
    return selectors.role_get(actor=request.auth, role_id=role_id)


@roles_router.patch("/{role_id}", response=RoleOut)
def role_update(request, role_id: int, payload: RolePatch):
    role = selectors.role_get(actor=request.auth, role_id=role_id)
    _need(request.auth, "accounts.change_role")
    services.role_update(role=role, data=payload.dict(exclude_unset=True), actor=request.auth)
    return selectors.role_get(actor=request.auth, role_id=role_id)
