"""Builders every app's tests share: an organisation made through the real services, and clients.

Everything goes through kehu.accounts.services, so test data has the same paths, roles and audit
trail as data made in the product. Typical use:

    hq = make_department("总部")
    rep = make_user("zhang.wei", hq, RoleCode.SALES_REP)
    response = api_client(rep).get("/api/v1/auth/me")
"""

from django.test import Client

from kehu.accounts import services
from kehu.accounts.choices import DataScope, RoleCode
from kehu.accounts.models import Department, Role, User

# Long and unusual enough for every password validator in settings.
PASSWORD = "Kehu-test-pw-7391"


def make_department(name: str, parent: Department | None = None) -> Department:
    return services.department_create(name=name, parent=parent, actor=None)


def make_role(
    code: str, data_scope: str = DataScope.OWN, module_scopes: dict | None = None
) -> Role:
    """A role beside the five defaults, for tests that need an exact data scope."""
    return Role.objects.create(
        name=f"test {code}", code=code, data_scope=data_scope, module_scopes=module_scopes or {}
    )


def make_user(
    username: str,
    department: Department | None = None,
    role_code: str | list[str] | None = None,
    manager: User | None = None,
    *,
    password: str | None = PASSWORD,
    **fields,
) -> User:
    """A user with the roles named by `role_code` (one code or a list); password is PASSWORD."""
    codes = [role_code] if isinstance(role_code, str) else list(role_code or [])
    roles = [Role.objects.get(code=code) for code in codes]
    return services.user_create(
        username=username,
        password=password,
        actor=None,
        department=department,
        roles=roles,
        manager=manager,
        **fields,
    )


def make_admin(username: str = "admin") -> User:
    """A user with the administrator role, as `kehu createadmin` makes."""
    return make_user(username, None, RoleCode.ADMIN)


def issue_token(user: User) -> str:
    """The plain bearer key of a fresh API token for `user`."""
    _token, key = services.token_issue(user=user)
    return key


def api_client(user: User) -> Client:
    """A test client that sends `Authorization: Bearer <token>` for `user` on every request."""
    return Client(headers={"Authorization": f"Bearer {issue_token(user)}"})


def session_client(user: User, *, enforce_csrf_checks: bool = False) -> Client:
    """A test client logged in with a browser session, as the UI is."""
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(user)
    return client


def page_queries(parts: int = 2) -> int:
    """The queries a page of a list read in `parts` parts costs (pagination.keyset_page_parts):
    one UNION ALL where the database takes ordered parts in one (PostgreSQL), one per part
    elsewhere (SQLite)."""
    from django.db import connection

    return 1 if connection.features.supports_slicing_ordering_in_compound else parts
