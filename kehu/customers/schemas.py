import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from kehu.api.schemas import Out
from kehu.customers.choices import (
    AgeBand,
    ContactMethod,
    CustomerKind,
    CustomerStatus,
    DecisionRole,
    Gender,
    Ownership,
    RevenueBand,
    SizeBand,
    Urgency,
)


class UserRef(Out):
    id: int
    name: str


class CustomerFields(Schema):
    """Writable fields shared by create and update; every field optional on update."""

    name: str | None = Field(None, max_length=200)
    short_name: str | None = Field(None, max_length=50)
    status: CustomerStatus | None = None
    source_id: int | None = None
    first_contact_date: dt.date | None = None
    region_code: str | None = Field(None, max_length=6)
    address: str | None = Field(None, max_length=200)
    uscc: str | None = Field(None, max_length=30)
    industry_code: str | None = Field(None, max_length=4)
    size_band: SizeBand | None = None
    revenue_band: RevenueBand | None = None
    founded: str | None = Field(None, max_length=7, description="YYYY-MM")
    ownership: Ownership | None = None
    main_business: str | None = Field(None, max_length=2000)
    main_customer_groups: str | None = Field(None, max_length=200)
    competitors: str | None = Field(None, max_length=200)
    switchboard: str | None = Field(None, max_length=40)
    website: str | None = Field(None, max_length=200)
    gender: Gender | None = None
    age_band: AgeBand | None = None
    occupation: str | None = Field(None, max_length=50)
    birthday: dt.date | None = None
    mobile: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    wechat: str | None = Field(None, max_length=50)
    interests: str | None = Field(None, max_length=200)
    buying_habits: str | None = Field(None, max_length=200)
    purchase_history: str | None = Field(None, max_length=5000)
    core_need: str | None = Field(None, max_length=2000)
    need_tags: list[str] | None = Field(None, max_length=20)
    urgency: Urgency | None = None
    budget_min: Decimal | None = Field(None, max_digits=12, decimal_places=2, description="万元")
    budget_max: Decimal | None = Field(None, max_digits=12, decimal_places=2, description="万元")
    decision_chain: list[str] | None = Field(None, max_length=20)
    current_solution: str | None = Field(None, max_length=2000)
    pain_points: str | None = Field(None, max_length=2000)
    expected_outcome: str | None = Field(None, max_length=2000)
    preferred_contact: ContactMethod | None = None
    special_requirements: str | None = Field(None, max_length=2000)
    risk_notes: str | None = Field(None, max_length=2000)
    remarks: str | None = Field(None, max_length=5000)
    pending_fields: list[str] | None = Field(None, max_length=50)
    collaborator_ids: list[int] | None = Field(None, max_length=50)


class ContactIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    position: str = Field("", max_length=50)
    mobile: str = Field("", max_length=30)
    landline: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    wechat: str = Field("", max_length=50)
    birthday: dt.date | None = None
    decision_role: DecisionRole | None = None
    is_primary: bool = False
    has_left: bool = False


OVERRIDE_REASON = Field(
    "",
    max_length=200,
    description="手机号或邮箱与已有客户相同、且查重规则为强提醒时，说明不是同一客户的原因（会被记录）",
)


class ContactCreateIn(ContactIn):
    override_reason: str = OVERRIDE_REASON


class ContactPatch(Schema):
    version: int = Field(..., ge=1)
    override_reason: str = OVERRIDE_REASON
    name: str | None = Field(None, min_length=1, max_length=50)
    position: str | None = Field(None, max_length=50)
    mobile: str | None = Field(None, max_length=30)
    landline: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    wechat: str | None = Field(None, max_length=50)
    birthday: dt.date | None = None
    decision_role: DecisionRole | None = None
    is_primary: bool | None = None
    has_left: bool | None = None


class CustomerIn(CustomerFields):
    kind: CustomerKind
    name: str = Field(..., min_length=1, max_length=200)
    owner_id: int | None = Field(None, description="默认为自己；指定他人需要转移权限")
    contacts: list[ContactIn] = Field([], max_length=50)
    allow_similar: bool = Field(False, description="确认不是同一客户，疑似重复也创建（会被记录）")
    override_reason: str = OVERRIDE_REASON


class CustomerPatch(CustomerFields):
    version: int = Field(..., ge=1, description="读取时的 version；过期则返回 409")
    kind: CustomerKind | None = None
    owner_id: int | None = Field(None, description="不可写：请使用 /transfer")
    override_reason: str = OVERRIDE_REASON


class ContactOut(Out):
    id: int
    name: str
    position: str
    mobile: str
    landline: str
    email: str
    wechat: str
    birthday: dt.date | None
    decision_role: str
    is_primary: bool
    has_left: bool
    version: int


class CustomerListItem(Out):
    id: int
    number: str
    kind: CustomerKind
    status: CustomerStatus
    name: str
    short_name: str
    owner: UserRef | None
    region_code: str | None
    region: str
    industry_code: str | None
    industry: str
    source: str
    urgency: str
    mobile: str
    email: str
    version: int
    updated_at: dt.datetime


class CustomerOut(CustomerListItem):
    source_id: int | None
    first_contact_date: dt.date | None
    address: str
    uscc: str
    size_band: str
    revenue_band: str
    founded: str
    ownership: str
    main_business: str
    main_customer_groups: str
    competitors: str
    switchboard: str
    website: str
    gender: str
    age_band: str
    occupation: str
    birthday: dt.date | None
    wechat: str
    interests: str
    buying_habits: str
    purchase_history: str
    core_need: str
    need_tags: list[str]
    budget_min: Decimal | None
    budget_max: Decimal | None
    decision_chain: list[str]
    current_solution: str
    pain_points: str
    expected_outcome: str
    preferred_contact: str
    special_requirements: str
    risk_notes: str
    remarks: str
    pending_fields: list[str]
    collaborators: list[UserRef]
    contacts: list[ContactOut]
    created_at: dt.datetime


class CustomerPage(Out):
    items: list[CustomerListItem]
    next: str | None
    count: int
    count_capped: bool


class TransferIn(Schema):
    owner_id: int | None = Field(..., description="新负责人；null 表示放入公海")
    reason: str = Field("", max_length=200)


class RevealIn(Schema):
    field: str


class RevealOut(Out):
    field: str
    value: str


class HistoryItem(Out):
    at: dt.datetime
    actor: str
    target: str
    field: str
    old: str
    new: str
