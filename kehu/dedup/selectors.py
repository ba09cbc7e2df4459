"""Duplicate candidates for what someone is typing, and scan groups for review — both scoped:
a candidate the user may not see is reported only as "exists, owner: 张三 / 公海"."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from rapidfuzz import fuzz

from kehu.accounts.scoping import CHANGE, scope
from kehu.core.errors import NotFound
from kehu.core.masking import mask_email, mask_phone
from kehu.customers.choices import CustomerKind
from kehu.customers.models import Customer
from kehu.customers.normalize import name_core
from kehu.customers.present import field_display
from kehu.dedup.choices import EXACT_KINDS, GroupStatus, KeyKind
from kehu.dedup.keys import keys_from_values
from kehu.dedup.models import DedupKey, DuplicateGroup, MergeRecord, ScanRun

SIMILAR_THRESHOLD = 80
NAME_BLOCK_CAP = 300
REASONS = {
    KeyKind.USCC: ("same_uscc", "统一社会信用代码相同"),
    KeyKind.PHONE: ("same_phone", "手机号相同"),
    KeyKind.EMAIL: ("same_email", "邮箱相同"),
    KeyKind.PERSON: ("same_person", "姓名和手机号相同"),
    KeyKind.NAME: ("same_name", "名称核心相同"),
}


# When one customer shares several exact keys, the most telling one is the reason shown.
REASON_RANK = [KeyKind.USCC, KeyKind.PERSON, KeyKind.PHONE, KeyKind.EMAIL, KeyKind.NAME]


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
        found = rows.values_list("customer_id", "kind")[:100]
        for customer_id, key_kind in sorted(found, key=lambda r: REASON_RANK.index(r[1])):
            if customer_id not in matches:
                reason, label = REASONS[key_kind]
                blocking = key_kind in EXACT_KINDS
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
    # One query: the candidates with their owners, and whether the user's scope covers each.
    in_scope = scope(Customer.objects.filter(pk=OuterRef("pk")), user)
    customers = (
        Customer.objects.select_related("owner")
        .only("id", "number", "name", "owner__display_name", "owner__username")
        .annotate(in_scope=Exists(in_scope))
        .in_bulk(ids)
    )
    visible = {pk for pk, c in customers.items() if c.in_scope}
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


# --- scans ----------------------------------------------------------------------------------


def scan_latest(*, user) -> ScanRun | None:
    """The user's most recent scan (its progress is what the review page shows)."""
    return ScanRun.objects.filter(started_by=user).first()


def scan_get(*, user, scan_id: int) -> ScanRun:
    run = ScanRun.objects.filter(pk=scan_id, started_by=user).first()
    if run is None:
        raise NotFound("扫描不存在")
    return run


# --- merge ----------------------------------------------------------------------------------


def merge_members(*, user, customer_ids: list[int]) -> list[Customer]:
    """The records to merge, in the order given, all of which the user may edit; any other is
    NotFound (404), so a record out of scope cannot be told from a missing one."""
    ids = list(dict.fromkeys(customer_ids))
    found = (
        scope(Customer.objects.filter(pk__in=ids), user, CHANGE)
        .select_related("owner", "region", "industry", "source")
        .in_bulk()
    )
    if len(ids) < 2 or len(found) != len(ids):
        raise NotFound("客户不存在")
    return [found[i] for i in ids]


def merge_record_get(*, user, merge_id: int) -> MergeRecord:
    """A merge whose surviving record the user may edit."""
    editable = scope(Customer.objects.all(), user, CHANGE)
    record = (
        MergeRecord.objects.filter(pk=merge_id, survivor__in=editable)
        .select_related("survivor", "actor", "undone_by")
        .first()
    )
    if record is None:
        raise NotFound("合并记录不存在")
    return record


def _merge_field_names(kind: str) -> list[str]:
    from kehu.customers.services import COMMON_FIELDS, ENTERPRISE_FIELDS, INDIVIDUAL_FIELDS

    own = ENTERPRISE_FIELDS if kind == CustomerKind.ENTERPRISE else INDIVIDUAL_FIELDS
    wanted = {*COMMON_FIELDS, *own} - {"pending_fields"}
    # In the record's own order, as the customer page shows them.
    return [f.name for f in Customer._meta.concrete_fields if f.name in wanted]


PII_MASKS = {"mobile": mask_phone, "switchboard": mask_phone, "email": mask_email}


def _display(customer: Customer, field: str, reveal: bool) -> str:
    value = getattr(customer, field)
    if value and field in PII_MASKS and not reveal:
        return PII_MASKS[field](value)
    return field_display(customer, field)


def merge_fields(*, members: list[Customer], survivor: Customer, reveal: bool) -> list[dict]:
    """The fields whose values differ between the records, each with one choice per distinct
    value; the survivor's value is chosen unless it is empty and another record has one."""
    rows = []
    for name in _merge_field_names(survivor.kind):
        field = Customer._meta.get_field(name)
        raw = {c.pk: getattr(c, field.attname) for c in members}
        if len({repr(v) for v in raw.values()}) < 2:
            continue
        order = [survivor, *(c for c in members if c.pk != survivor.pk)]
        choices, seen = [], set()
        for c in order:
            if repr(raw[c.pk]) in seen:
                continue
            seen.add(repr(raw[c.pk]))
            choices.append({"customer": c, "display": _display(c, name, reveal)})
        chosen = next((ch for ch in choices if ch["display"]), choices[0])
        for ch in choices:
            ch["checked"] = ch is chosen
        rows.append({"name": name, "label": str(field.verbose_name), "choices": choices})
    return rows
