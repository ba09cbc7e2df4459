import datetime as dt

from ninja import Field, Schema

from kehu.api.schemas import Out
from kehu.customers.choices import CustomerKind
from kehu.dedup.choices import KeyPolicy, MatchLevel, Relation


class CheckIn(Schema):
    kind: CustomerKind = CustomerKind.ENTERPRISE
    name: str = Field("", max_length=200)
    uscc: str = Field("", max_length=30)
    mobiles: list[str] = Field([], max_length=20)
    emails: list[str] = Field([], max_length=20)
    region_code: str | None = Field(None, max_length=6, description="所在地区（行政区划代码）")
    exclude_id: int | None = Field(None, description="正在编辑的客户：只在你可见范围内时生效")


class CandidateCustomer(Out):
    id: int
    number: str
    name: str


class Candidate(Out):
    reason: str = Field(description="最主要的依据（信号代码）")
    label: str = Field(description="最主要的依据（文字）")
    score: int = Field(description="相似度 0–100")
    similarity: str = Field(description="相似度，页面显示的写法：87%")
    level: MatchLevel = Field(
        description="block 不能重复创建 / confirm 需说明原因 / warn 疑似重复 / related 关联企业"
    )
    relation: Relation
    blocking: bool
    reasons: list[str] = Field(description="每个信号一条依据，权重大的在前")
    reraised: str = Field(description="曾判定不是重复、因新依据再次提示时的说明")
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
    score: int = Field(description="相似度 0–100（组内相连的两条记录中最低的）")
    similarity: str = Field(description="相似度，页面显示的写法：87%")
    reasons: list[str]
    members: list[GroupMember]


class PolicyIn(Schema):
    phone: KeyPolicy = Field(
        description="手机号相同：block 禁止创建 / warn 强提醒（填写原因后可创建）"
    )
    email: KeyPolicy = Field(
        description="邮箱相同：block 禁止创建 / warn 强提醒（填写原因后可创建）"
    )


class PolicyOut(Out):
    uscc: str = Field(description="统一社会信用代码相同：始终禁止创建")
    phone: KeyPolicy
    email: KeyPolicy


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
