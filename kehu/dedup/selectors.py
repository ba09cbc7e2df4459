"""Duplicate candidates for what someone is typing, and scan groups for review — both scoped:
a candidate the user may not see is reported only as "exists, owner: 张三 / 公海"."""

from dataclasses import dataclass

from django.db.models import Q
from rapidfuzz import fuzz

from kehu.accounts.scoping import scope
from kehu.core.errors import NotFound
from kehu.customers.models import Customer
from kehu.customers.normalize import name_core
from kehu.dedup.choices import EXACT_KINDS, GroupStatus, KeyKind
from kehu.dedup.keys import keys_from_values
from kehu.dedup.models import DedupKey, DuplicateGroup

SIMILAR_THRESHOLD = 80
NAME_BLOCK_CAP = 300
REASONS = {
    KeyKind.USCC: ("same_uscc", "统一社会信用代码相同"),
    KeyKind.PHONE: ("same_phone", "手机号相同"),
    KeyKind.EMAIL: ("same_email", "邮箱相同"),
    KeyKind.PERSON: ("same_person", "姓名和手机号相同"),
    KeyKind.NAME: ("same_name", "名称核心相同"),
}


@dataclass
class Match:
    customer_id: int
    reason: str
    label: str
    score: int
    blocking: bool


def _prefix_range(value: str) -> Q:
    upper = value[:-1] + chr(ord(value[-1]) + 1)
    return Q(value__gte=value, value__lt=upper)


def find_matches(
    *, kind: str, name: str, uscc: str = "", mobiles=(), emails=(), exclude_id: int | None = None
) -> list[Match]:
    """Customers sharing an exact key, the same name core, or a similar name core."""
    keys = keys_from_values(kind=kind, name=name, uscc=uscc, mobiles=mobiles, emails=emails)
    matches: dict[int, Match] = {}
    if keys:
        condition = Q()
        for key_kind, value in keys:
            condition |= Q(kind=key_kind, value=value)
        rows = DedupKey.objects.filter(condition).exclude(customer_id=exclude_id)
        for customer_id, key_kind in rows.values_list("customer_id", "kind")[:100]:
            reason, label = REASONS[key_kind]
            blocking = key_kind in EXACT_KINDS
            current = matches.get(customer_id)
            if current is None or (blocking and not current.blocking):
                matches[customer_id] = Match(customer_id, reason, label, 100, blocking)
    core = name_core(name) if name and kind != "individual" else ""
    if len(core) >= 2:
        # Block on the first two characters of the core, then score within the block.
        block = (
            DedupKey.objects.filter(_prefix_range(core[:2]), kind=KeyKind.NAME)
            .exclude(customer_id=exclude_id)
            .values_list("customer_id", "value")[:NAME_BLOCK_CAP]
        )
        for customer_id, value in block:
            if customer_id in matches:
                continue
            score = round(max(fuzz.ratio(core, value), 0.95 * fuzz.partial_ratio(core, value)))
            if score >= SIMILAR_THRESHOLD:
                matches[customer_id] = Match(customer_id, "similar_name", "名称相似", score, False)
    return sorted(matches.values(), key=lambda m: (not m.blocking, -m.score, m.customer_id))


def present_matches(*, user, matches: list[Match]) -> list[dict]:
    """What the user may learn about each match: the record if in scope, else only its owner."""
    ids = [m.customer_id for m in matches]
    visible = set(scope(Customer.objects.filter(pk__in=ids), user).values_list("pk", flat=True))
    customers = (
        Customer.objects.select_related("owner")
        .only("id", "number", "name", "owner__display_name", "owner__username")
        .in_bulk(ids)
    )
    out = []
    for m in matches:
        customer = customers.get(m.customer_id)
        if customer is None:
            continue
        owner = str(customer.owner) if customer.owner_id else "公海"
        item = {
            "reason": m.reason,
            "label": m.label,
            "score": m.score,
            "blocking": m.blocking,
            "visible": m.customer_id in visible,
            "owner": owner,
            "customer": None,
        }
        if item["visible"]:
            item["customer"] = {"id": customer.pk, "number": customer.number, "name": customer.name}
        out.append(item)
    return out


def duplicate_check(
    *,
    user,
    kind: str,
    name: str,
    uscc: str = "",
    mobiles=(),
    emails=(),
    exclude_id: int | None = None,
) -> list[dict]:
    matches = find_matches(
        kind=kind, name=name, uscc=uscc, mobiles=mobiles, emails=emails, exclude_id=exclude_id
    )
    return present_matches(user=user, matches=matches[:20])


def group_list(*, user, status: str = GroupStatus.OPEN, limit: int = 100) -> list[dict]:
    """Open groups, most confident first, with only the members the user may see; a group
    with fewer than two visible members is not shown (nothing to merge for this user)."""
    groups = list(
        DuplicateGroup.objects.filter(status=status).prefetch_related("customers__owner")[
            : limit * 5
        ]
    )
    member_ids = {c.pk for g in groups for c in g.customers.all()}
    visible = set(
        scope(Customer.objects.filter(pk__in=member_ids), user).values_list("pk", flat=True)
    )
    out = []
    for group in groups:
        members = [c for c in group.customers.all() if c.pk in visible]
        if len(members) >= 2:
            out.append({"group": group, "members": members})
        if len(out) >= limit:
            break
    return out


def group_get(*, user, group_id: int) -> dict:
    group = DuplicateGroup.objects.filter(pk=group_id).prefetch_related("customers__owner").first()
    if group is None:
        raise NotFound("重复组不存在")
    ids = [c.pk for c in group.customers.all()]
    visible = set(scope(Customer.objects.filter(pk__in=ids), user).values_list("pk", flat=True))
    members = [c for c in group.customers.all() if c.pk in visible]
    if len(members) < 2:
        raise NotFound("重复组不存在")
    return {"group": group, "members": members}
