"""设置 › 用户, 部门, 角色: the organisation's pages (core.sections), thin over the account
services (DESIGN.md rules 1 and 2). Opening a page needs its view permission (else 无权访问);
changing anything needs the add/change/delete permission, and the page offers only what the
person may do."""

from django.contrib import messages
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts import permissions as role_permissions
from kehu.accounts import selectors, services
from kehu.accounts.choices import DataScope, RoleCode
from kehu.accounts.forms import DepartmentForm, RoleForm, UserForm
from kehu.accounts.scoping import scoped_modules
from kehu.core.errors import PermissionDenied, ValidationFailed
from kehu.core.pages import page_errors, redirect_page
from kehu.core.sections import (
    deleted_or_refused,
    render_section,
    require_section,
    saved_or_errors,
)

USER_LIST_LIMIT = 200


def _need(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(_("你的角色没有这个操作的权限。"))


def _disable(form) -> None:
    """Show a form to someone who may look but not change."""
    for field in form.fields.values():
        field.disabled = True


# --- users ----------------------------------------------------------------------------------


@require_section("users")
@page_errors
def user_list(request):
    q = request.GET.get("q", "").strip()[:50]
    users = selectors.user_list(actor=request.user).select_related("department")
    if q:
        users = users.filter(
            Q(username__icontains=q) | Q(display_name__icontains=q) | Q(email__icontains=q)
        )
    users = list(users.order_by("-is_active", "department__path", "id")[: USER_LIST_LIMIT + 1])
    context = {
        "users": users[:USER_LIST_LIMIT],
        "more": len(users) > USER_LIST_LIMIT,
        "q": q,
        "can_add": request.user.has_perm("accounts.add_user"),
    }
    return render_section(
        request, "accounts/settings/user_list.html", "accounts/settings/_user_rows.html", context
    )


def _user_form(request, *, data=None, user=None, initial=None):
    return UserForm(
        data,
        initial=initial,
        tree=selectors.department_tree(actor=request.user),
        creating=user is None,
        user=user,
    )


@require_section("users")
@require_http_methods(["GET", "POST"])
@page_errors
def user_create(request):
    _need(request.user, "accounts.add_user")
    form = _user_form(request, data=request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.service_data()
        password = data.pop("password") or services.random_password()
        try:
            user = services.user_create(actor=request.user, password=password, **data)
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors)
        else:
            shown = None if form.cleaned_data["password"] else password
            return _password_shown(request, user, shown, _("已创建用户"))
    status = 422 if form.is_bound else 200
    return render_section(
        request,
        "accounts/settings/user_form.html",
        "accounts/settings/user_form.html",
        {"form": form},
        status,
    )


def _password_shown(request, user, password: str | None, title: str):
    """After creating a user or resetting a password: the generated password, shown in this
    response only (never stored, never put in a message that travels in a cookie)."""
    if password is None:
        messages.success(request, _("已保存用户 %(name)s") % {"name": user})
        return redirect_page(request, reverse("org:users"))
    return render_section(
        request,
        "accounts/settings/password_shown.html",
        "accounts/settings/password_shown.html",
        {"subject": user, "password": password, "title": title},
    )


@require_section("users")
@require_http_methods(["GET", "POST"])
@page_errors
def user_edit(request, pk: int):
    user = selectors.user_get(actor=request.user, user_id=pk)
    can_change = request.user.has_perm("accounts.change_user")
    if request.method == "POST":
        _need(request.user, "accounts.change_user")
        form = _user_form(request, data=request.POST, user=user)
        done = form.is_valid() and saved_or_errors(
            request,
            form,
            lambda: services.user_update(user=user, data=form.service_data(), actor=request.user),
            message=_("已保存用户 %(name)s") % {"name": user},
            url=reverse("org:users"),
        )
        if done:
            return done
    else:
        initial = {
            "display_name": user.display_name,
            "email": user.email,
            "mobile": user.mobile,
            "department": user.department_id,
            "manager": user.manager_id,
            "roles": [g.pk for g in user.groups.all()],
            "is_active": user.is_active,
        }
        form = _user_form(request, user=user, initial=initial)
        if not can_change:
            _disable(form)
    context = {"form": form, "subject": user, "can_change": can_change}
    return render_section(
        request,
        "accounts/settings/user_form.html",
        "accounts/settings/user_form.html",
        context,
        422 if form.is_bound else 200,
    )


@require_section("users")
@require_POST
@page_errors
def user_password_reset(request, pk: int):
    """A new random password for someone who forgot theirs (忘记密码 without mail)."""
    user = selectors.user_get(actor=request.user, user_id=pk)
    _need(request.user, "accounts.change_user")
    password = services.random_password()
    services.user_set_password(user=user, password=password, actor=request.user)
    return _password_shown(request, user, password, _("已重置密码"))


# --- departments ----------------------------------------------------------------------------


@require_section("departments")
@page_errors
def department_list(request):
    tree = selectors.department_tree(actor=request.user)
    counts = dict(
        selectors.department_list(actor=request.user)
        .annotate(n=Count("members", filter=Q(members__is_active=True)))
        .values_list("pk", "n")
    )
    rows = [{"department": d, "depth": depth, "members": counts.get(d.pk, 0)} for d, depth in tree]
    context = {
        "rows": rows,
        "can_add": request.user.has_perm("accounts.add_department"),
        "can_change": request.user.has_perm("accounts.change_department"),
    }
    return render_section(
        request,
        "accounts/settings/department_list.html",
        "accounts/settings/department_list.html",
        context,
    )


@require_section("departments")
@require_http_methods(["GET", "POST"])
@page_errors
def department_create(request):
    _need(request.user, "accounts.add_department")
    tree = selectors.department_tree(actor=request.user)
    initial = {"parent": request.GET.get("parent")}
    form = DepartmentForm(request.POST or None, initial=initial, tree=tree)
    done = (
        form.is_bound
        and form.is_valid()
        and saved_or_errors(
            request,
            form,
            lambda: services.department_create(actor=request.user, **form.cleaned_data),
            message=_("已创建部门 %(name)s") % {"name": form.cleaned_data["name"]},
            url=reverse("org:departments"),
        )
    )
    if done:
        return done
    return _department_form(request, form, status=422 if form.is_bound else 200)


def _department_form(request, form, *, department=None, status=200, **extra):
    context = {"form": form, "department": department, **extra}
    return render_section(
        request,
        "accounts/settings/department_form.html",
        "accounts/settings/department_form.html",
        context,
        status,
    )


@require_section("departments")
@require_http_methods(["GET", "POST"])
@page_errors
def department_edit(request, pk: int):
    department = selectors.department_get(actor=request.user, department_id=pk)
    tree = selectors.department_tree(actor=request.user)
    can_change = request.user.has_perm("accounts.change_department")
    if request.method == "POST":
        _need(request.user, "accounts.change_department")
        form = DepartmentForm(request.POST, tree=tree, department=department)
        done = form.is_valid() and saved_or_errors(
            request,
            form,
            lambda: services.department_update(
                department=department, data=form.cleaned_data, actor=request.user
            ),
            message=_("已保存部门 %(name)s") % {"name": form.cleaned_data["name"]},
            url=reverse("org:departments"),
        )
        if done:
            return done
        return _department_form(request, form, department=department, status=422)
    initial = {
        "name": department.name,
        "parent": department.parent_id,
        "manager": department.manager_id,
    }
    form = DepartmentForm(initial=initial, tree=tree, department=department)
    if not can_change:
        _disable(form)
    return _department_form(
        request,
        form,
        department=department,
        can_change=can_change,
        can_delete=request.user.has_perm("accounts.delete_department"),
    )


@require_section("departments")
@require_POST
@page_errors
def department_delete(request, pk: int):
    department = selectors.department_get(actor=request.user, department_id=pk)
    _need(request.user, "accounts.delete_department")
    return deleted_or_refused(
        request,
        lambda: services.department_delete(department=department, actor=request.user),
        message=_("已删除部门 %(name)s") % {"name": department.name},
        url=reverse("org:departments"),
        back_url=reverse("org:department_edit", args=[pk]),
    )


# --- roles ----------------------------------------------------------------------------------


@require_section("roles")
@page_errors
def role_list(request):
    roles = selectors.role_list(actor=request.user).annotate(
        members=Count("user", filter=Q(user__is_active=True))
    )
    modules = scoped_modules()
    rows = [
        {
            "role": role,
            "scopes": [(label, DataScope(role.scope_for(key)).label) for key, label in modules],
        }
        for role in roles
    ]
    context = {"rows": rows, "can_add": request.user.has_perm("accounts.add_role")}
    return render_section(
        request, "accounts/settings/role_list.html", "accounts/settings/role_list.html", context
    )


def _role_form(request, *, data=None, role=None, initial=None):
    # The administrator role keeps every permission: its matrix is shown, not offered.
    editable = role is None or role.code != RoleCode.ADMIN
    return RoleForm(
        data,
        initial=initial,
        modules=scoped_modules(),
        offered_permissions=role_permissions.listed_names() if editable else set(),
    )


def _render_role(request, form, *, role=None, status=200, **extra):
    granted = form.checked_permissions() if form.offered_permissions else set()
    if role is not None and role.code == RoleCode.ADMIN:
        granted = role_permissions.listed_names()
    context = {
        "form": form,
        "role": role,
        "matrix": role_permissions.matrix(granted),
        "verbs": [label for _verb, label in role_permissions.VERBS],
        "matrix_editable": bool(form.offered_permissions) and not extra.get("read_only"),
        **extra,
    }
    return render_section(
        request,
        "accounts/settings/role_form.html",
        "accounts/settings/role_form.html",
        context,
        status,
    )


def _role_permissions(form, role=None) -> list:
    """The role's permissions after the form: the matrix's ticked ones, plus those the role
    holds that the matrix does not offer (they are not the page's to drop)."""
    kept = set()
    if role is not None:
        kept = role_permissions.granted_names(role) - form.offered_permissions
    ticked = set(form.cleaned_data.get("permissions", []))
    return role_permissions.permissions_named(kept | ticked)


@require_section("roles")
@require_http_methods(["GET", "POST"])
@page_errors
def role_create(request):
    _need(request.user, "accounts.add_role")
    form = _role_form(request, data=request.POST if request.method == "POST" else None)
    done = (
        form.is_bound
        and form.is_valid()
        and saved_or_errors(
            request,
            form,
            lambda: services.role_create(
                **_role_data(form), permissions=_role_permissions(form), actor=request.user
            ),
            message=_("已创建角色 %(name)s") % {"name": form.cleaned_data["name"]},
            url=reverse("org:roles"),
        )
    )
    return done or _render_role(request, form, status=422 if form.is_bound else 200)


def _role_data(form) -> dict:
    return {
        "name": form.cleaned_data["name"],
        "description": form.cleaned_data["description"],
        "data_scope": form.cleaned_data["data_scope"],
        "module_scopes": form.module_scopes(),
    }


@require_section("roles")
@require_http_methods(["GET", "POST"])
@page_errors
def role_edit(request, pk: int):
    role = selectors.role_get(actor=request.user, role_id=pk)
    can_change = request.user.has_perm("accounts.change_role")
    if request.method == "POST":
        _need(request.user, "accounts.change_role")
        form = _role_form(request, data=request.POST, role=role)
        if form.is_valid():
            data = _role_data(form)
            if form.offered_permissions:
                data["permissions"] = _role_permissions(form, role)
            done = saved_or_errors(
                request,
                form,
                lambda: services.role_update(role=role, data=data, actor=request.user),
                message=_("已保存角色 %(name)s") % {"name": data["name"]},
                url=reverse("org:roles"),
            )
            if done:
                return done
        return _render_role(request, form, role=role, status=422, can_change=True)
    initial = RoleForm.initial_for(role)
    initial["permissions"] = role_permissions.granted_names(role)
    form = _role_form(request, role=role, initial=initial)
    if not can_change:
        _disable(form)
    return _render_role(
        request,
        form,
        role=role,
        can_change=can_change,
        read_only=not can_change,
        can_delete=request.user.has_perm("accounts.delete_role")
        and role.code not in RoleCode.values,
    )


@require_section("roles")
@require_POST
@page_errors
def role_delete(request, pk: int):
    role = selectors.role_get(actor=request.user, role_id=pk)
    _need(request.user, "accounts.delete_role")
    return deleted_or_refused(
        request,
        lambda: services.role_delete(role=role, actor=request.user),
        message=_("已删除角色 %(name)s") % {"name": role.label},
        url=reverse("org:roles"),
        back_url=reverse("org:role_edit", args=[pk]),
    )
