import datetime as dt

from ninja import Field, Schema

from kehu.api.schemas import Out
from kehu.customers.choices import CustomerKind


class CheckIn(Schema):
    kind: CustomerKind = CustomerKind.ENTERPRISE
    name: str = Field("", max_length=200)
    uscc: str = Field("", max_length=30)
    mobiles: list[str] = Field([], max_length=20)
    emails: list[str] = Field([], max_length=20)
    exclude_id: int | None = None


class CandidateCustomer(Out):
    id: int
    number: str
    name: str


class Candidate(Out):
    reason: str
    label: str
    score: int
    blocking: bool
    visible: bool
    owner: str
    customer: CandidateCustomer | None


class CheckOut(Out):
    candidates: list[Candidate]


class ScanOut(Schema):
    id: int
    status: str
    total: int
    processed: int
    groups_found: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


class GroupMember(Schema):
    id: int
    number: str
    name: str
    owner: str


class GroupOut(Schema):
    id: int
    confidence: float
    reasons: list[str]
    members: list[GroupMember]


class MergeIn(Schema):
    survivor_id: int
    merge_ids: list[int] = Field(..., min_length=1, max_length=20)
    field_sources: dict[str, int] = Field({}, description="字段 → 取值来源客户 id")


class MergeOut(Schema):
    id: int
    survivor_id: int
    merged_numbers: list[str]
    created_at: dt.datetime
    undone_at: dt.datetime | None
