from datetime import datetime

from ninja import Field, Schema

from kehu.accounts.choices import DataScope


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=256)
    name: str = Field("", max_length=100)


class TokenOut(Schema):
    token: str
    expires_at: str


class TokenItem(Schema):
    """One of the caller's API tokens; the key itself is never shown again."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    current: bool  # the token this request was made with


class TokenPage(Schema):
    items: list[TokenItem]
    next: str | None
    count: int


class DepartmentOut(Schema):
    id: int
    name: str
    parent_id: int | None
    manager_id: int | None
    path: str


class DepartmentIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    parent_id: int | None = None
    manager_id: int | None = None


class DepartmentPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    parent_id: int | None = None
    manager_id: int | None = None


class RoleOut(Schema):
    id: int
    code: str
    name: str
    data_scope: DataScope
    module_scopes: dict[str, DataScope]
    description: str
    permissions: list[str]

    @staticmethod
    def resolve_permissions(obj):
        return sorted(f"{p.content_type.app_label}.{p.codename}" for p in obj.permissions.all())


class RolePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=150)
    data_scope: DataScope | None = None
    module_scopes: dict[str, DataScope] | None = None
    description: str | None = Field(None, max_length=200)


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    mobile: str
    department_id: int | None
    manager_id: int | None
    is_active: bool
    roles: list[str]

    @staticmethod
    def resolve_roles(obj):
        return [g.role.code for g in obj.groups.all() if hasattr(g, "role")]


class UserIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str | None = Field(None, min_length=1, max_length=256)
    display_name: str = Field("", max_length=50)
    email: str = Field("", max_length=254)
    department_id: int | None = None
    manager_id: int | None = None
    roles: list[str] = []


class UserPatch(Schema):
    display_name: str | None = Field(None, max_length=50)
    email: str | None = Field(None, max_length=254)
    mobile: str | None = Field(None, max_length=20)
    department_id: int | None = None
    manager_id: int | None = None
    roles: list[str] | None = None
    is_active: bool | None = None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    department_id: int | None
    roles: list[str]
    permissions: list[str]
