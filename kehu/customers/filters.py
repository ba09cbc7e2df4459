"""The one filter definition for the customer list: the page, the API and exports share it
(DESIGN.md rule 8)."""

from dataclasses import dataclass, field, fields

from django.db import connection, models
from django.db.models import ExpressionWrapper, F, Q, QuerySet
from django.http import QueryDict

from kehu.accounts.scoping import visible_owner_ids
from kehu.core.queries import one_of
from kehu.customers.choices import CustomerKind, CustomerStatus, Urgency
from kehu.customers.models import Customer

# Offered sorts → keyset keys (the last key is unique). Each has an index (models.Meta).
SORTS = {
    "-updated_at": ["-updated_at", "-id"],
    "-created_at": ["-created_at", "-id"],
    "name": ["name", "id"],
    "number": ["number"],
    "-number": ["-number"],
}
DEFAULT_SORT = "-updated_at"
# Customers with fields the customer has not given yet (待确认): the condition of the partial
# indexes customer_pending_idx and customer_owner_pending_idx, written the same way wherever it
# is used so that both databases recognise it.
HAS_PENDING = ~Q(pending_fields=[])


@dataclass
class CustomerFilter:
    q: str = ""
    status: list[str] = field(default_factory=list)
    kind: str = ""
    owner: int | None = None
    department: int | None = None
    industry: str = ""
    region: str = ""
    source: int | None = None
    urgency: str = ""
    pool: bool = False
    pending: bool = False
    sort: str = DEFAULT_SORT

    def errors(self) -> list[dict]:
        errors = []
        if any(s not in CustomerStatus.values for s in self.status):
            errors.append({"field": "status", "message": "客户状态无效"})
        if self.kind and self.kind not in CustomerKind.values:
            errors.append({"field": "kind", "message": "客户类型无效"})
        if self.urgency and self.urgency not in Urgency.values:
            errors.append({"field": "urgency", "message": "紧急程度无效"})
        if self.sort not in SORTS:
            errors.append({"field": "sort", "message": f"排序方式无效，可选：{'、'.join(SORTS)}"})
        if self.region and not (self.region.isdigit() and len(self.region) == 6):
            errors.append({"field": "region", "message": "地区代码应为 6 位数字"})
        return errors

    def narrows(self) -> bool:
        """Whether any filter beside the search words and the sort is set."""
        return any(
            getattr(self, f.name) not in (None, "", [], False)
            for f in fields(self)
            if f.name not in {"q", "sort"}
        )

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.status:
            qs = qs.filter(status__in=self.status)
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.owner:
            qs = qs.filter(owner_id=self.owner)
        if self.pool:
            qs = qs.filter(owner__isnull=True)
        if self.pending:
            qs = qs.filter(HAS_PENDING)
        if self.department:
            from kehu.accounts.models import Department

            path = (
                Department.objects.filter(pk=self.department).values_list("path", flat=True).first()
            )
            qs = qs.filter(owner__department__path__startswith=path) if path else qs.none()
        if self.industry:
            # A section letter selects all its divisions; a division code selects itself.
            qs = qs.filter(Q(industry_id=self.industry) | Q(industry__section_id=self.industry))
        if self.region:
            qs = qs.filter(region__code__startswith=_region_prefix(self.region))
        if self.source:
            qs = qs.filter(source_id=self.source)
        if self.urgency:
            qs = qs.filter(urgency=self.urgency)
        return qs


def filter_params() -> list[str]:
    """The query-string names of the filter (its dataclass fields)."""
    return [f.name for f in fields(CustomerFilter)]


def filter_query(query: str) -> str:
    """A list query string reduced to its filter parameters: no cursor, nothing unknown, no
    empty values. Saved views store this."""
    allowed = set(filter_params())
    params = QueryDict(query, mutable=True)
    for key in list(params):
        values = [v for v in params.getlist(key) if v]
        if key in allowed and values:
            params.setlist(key, values)
        else:
            del params[key]
    return params.urlencode()


def _region_prefix(code: str) -> str:
    """110000 → '11', 110100 → '1101', 110105 → '110105': a region includes its sub-regions."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


@dataclass
class ScopeParts:
    """A scoped list as non-overlapping parts: `page` to read a page from, `count` the same
    rows written to be counted (the two lists may share parts)."""

    page: list[QuerySet]
    count: list[QuerySet]

    @classmethod
    def whole(cls, qs: QuerySet) -> "ScopeParts":
        return cls(page=[qs], count=[qs])

    def narrowed(self, narrow) -> "ScopeParts":
        """`narrow(qs)` of every part, made once for a part both lists share."""
        done: dict[int, QuerySet] = {}

        def once(qs):
            if id(qs) not in done:
                done[id(qs)] = narrow(qs)
            return done[id(qs)]

        return ScopeParts(
            page=[once(qs) for qs in self.page], count=[once(qs) for qs in self.count]
        )


def scope_parts(user) -> ScopeParts | None:
    """The customers `user` may view as non-overlapping querysets that are each one index
    range, or None when one query is as good (the whole company).

    A narrow scope (本人, 本部门) is "owner in a few users OR shared with me" (scoping.scope).
    Asked as one query, the OR keeps both databases from reading the owners' rows in order
    from customer_owner_updated_idx: they walk the whole updated_at index instead (tens of
    milliseconds for a rep at a million customers). Asked as two parts — the owners' rows,
    and the shared rows owned by others — each part is an index range and the page merges
    them (pagination.keyset_page_parts). Their union is exactly scope()'s rows, built from
    the same two inputs scope() uses (tests/test_scope_parts.py holds them equal). The count
    reads the owners' rows from the owner index whatever the database: it wants the index
    ranges, not the page's walk in sort order (_owned_by). The shared part reads the user's
    collaborations as a subquery (a few hundred rows, joined by primary key and sorted), which
    costs less than fetching their ids first and sending them back.
    """
    owner_ids = visible_owner_ids(user, Customer.scope_module)
    if owner_ids is None or user is None or not user.is_authenticated or not user.is_active:
        return None
    owners = sorted(owner_ids)
    among = one_of("owner_id", owners)
    shared = Customer.objects.filter(Customer.scope_shared_q(user)).exclude(among)
    counted = Customer.objects.filter(among)
    owned = _owned_by(owners)  # (never `or`: the truth of a queryset runs it)
    return ScopeParts(page=[counted if owned is None else owned, shared], count=[counted, shared])


def _owned_by(owners: list[int]) -> QuerySet | None:
    """Customers of `owners` for reading a page, when the plain owner condition is not the
    best way: one owner is an ordered range of customer_owner_updated_idx, but for several,
    SQLite would read every row of every owner from that index and sort them all (half a
    second for a regional manager at a million customers); hiding the column from its planner
    (`owner_id + 0`) makes it walk the sort index and test the owner instead, which finds a
    page after a few hundred rows. PostgreSQL weighs both plans itself. None: use the plain
    condition."""
    if len(owners) == 1 or connection.vendor != "sqlite":
        return None
    unindexed = ExpressionWrapper(F("owner_id") + 0, output_field=models.BigIntegerField())
    return Customer.objects.alias(owner_unindexed=unindexed).filter(owner_unindexed__in=owners)
