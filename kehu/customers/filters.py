"""The one filter definition for the customer list: the page, the API and exports share it
(DESIGN.md rule 8)."""

from dataclasses import dataclass, field, fields

from django.db.models import Q, QuerySet
from django.http import QueryDict

from kehu.customers.choices import CustomerKind, CustomerStatus, Urgency

# Offered sorts → keyset keys (the last key is unique). Each has an index (models.Meta).
SORTS = {
    "-updated_at": ["-updated_at", "-id"],
    "-created_at": ["-created_at", "-id"],
    "name": ["name", "id"],
    "number": ["number"],
    "-number": ["-number"],
}
DEFAULT_SORT = "-updated_at"


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

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.status:
            qs = qs.filter(status__in=self.status)
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.owner:
            qs = qs.filter(owner_id=self.owner)
        if self.pool:
            qs = qs.filter(owner__isnull=True)
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
