"""Duplicate candidates for what someone is typing, and scan groups for review — both scoped:
a candidate the user may not see is reported only as "exists, owner: 张三 / 公海"."""

from django.db.models import Exists, OuterRef

from kehu.accounts.access import organisation_memo
from kehu.accounts.scoping import CHANGE, scope
from kehu.audit.services import audit_record
from kehu.core.errors import NotFound
from kehu.core.masking import mask_email, mask_phone
from kehu.customers.choices import CustomerKind
from kehu.customers.models import Customer
from kehu.customers.present import field_display
from kehu.dedup import ratelimit
from kehu.dedup.choices import GroupStatus, MatchLevel
from kehu.dedup.matching import Match, Policy, find_matches
from kehu.dedup.models import DedupPolicy, DuplicateGroup, MergeRecord, ScanRun

CHECK_RESULTS = 20


def policy(*, user=None) -> Policy:
    """The key policy in force, kept per access version (DedupPolicy is tracked: a save gives
    the organisation a new version)."""

    def compute():
        row = DedupPolicy.objects.filter(pk=1).values("phone", "email").first()
        return Policy(**row) if row else Policy()

    if user is None:
        return compute()
    return organisation_memo(user, "dedup.policy", compute)


def policy_row() -> DedupPolicy | None:
    """The stored policy with who changed it last (None until an administrator saves one)."""
    return DedupPolicy.objects.select_related("updated_by").filter(pk=1).first()


def similarity(score: int) -> str:
    """相似度 as every page shows it: '87%'. The one wording of a candidate's and a group's
    score (the duplicate hint, the create form, the review page): display this, or `score`."""
    return f"{score}%"


def present_matches(*, user, matches: list[Match]) -> list[dict]:
    """What the user may learn about each match: the record if in scope, else only its owner.
    A hidden record found by a full phone or email is logged (who looked, which record)."""
    ids = [m.customer_id for m in matches]
    if not ids:
        return []
    # One query: the candidates with their owners, and whether the user's scope covers each.
    in_scope = scope(Customer.objects.filter(pk=OuterRef("pk")), user)
    customers = (
        Customer.objects.select_related("owner")
        .only("id", "number", "name", "owner__display_name", "owner__username")
        .annotate(in_scope=Exists(in_scope))
        .in_bulk(ids)
    )
    out = []
    for m in matches:
        customer = customers.get(m.customer_id)
        if customer is None:
            continue
        visible = customer.in_scope
        if not visible:
            _log_hidden_hit(user, customer, m)
        main = m.main
        out.append(
            {
                "reason": main.code,
                # Of a record the user may not see, only what the reason is, not what it names.
                "label": main.text if visible else main.plain_text,
                "score": m.score,
                "similarity": similarity(m.score),
                "level": m.level,
                "relation": m.assessment.relation,
                "blocking": m.level == MatchLevel.BLOCK,
                "reasons": m.assessment.reasons if visible else [main.plain_text],
                "reraised": m.reraised,
                "visible": visible,
                "owner": str(customer.owner) if customer.owner_id else "公海",
                "customer": (
                    {"id": customer.pk, "number": customer.number, "name": customer.name}
                    if visible
                    else None
                ),
            }
        )
    return out


def _log_hidden_hit(user, customer: Customer, match: Match) -> None:
    keys = {s.code for s in match.assessment.signals} & {"same_phone", "same_email"}
    if keys and user is not None and user.pk:
        audit_record(
            actor=user,
            action="dedup.hidden_hit",
            target=customer,
            data={"keys": sorted(keys), "owner_id": customer.owner_id},
        )


def visible_customer_id(*, user, customer_id: int | None) -> int | None:
    """`customer_id` when the user may see that customer, else None: excluding a record the
    user cannot see would tell them which hidden record holds a phone."""
    if customer_id is None:
        return None
    return customer_id if scope(Customer.objects.filter(pk=customer_id), user).exists() else None


def duplicate_check(
    *,
    user,
    kind: str,
    name: str,
    uscc: str = "",
    mobiles=(),
    emails=(),
    region_code: str | None = None,
    exclude_id: int | None = None,
) -> list[dict]:
    """Candidates for what someone is typing (rate-limited per user: RateLimited, 429)."""
    ratelimit.hit(user)
    matches = find_matches(
        kind=kind,
        name=name,
        uscc=uscc,
        mobiles=mobiles,
        emails=emails,
        region_code=region_code,
        exclude_id=visible_customer_id(user=user, customer_id=exclude_id),
        policy=policy(user=user),
    )
    return present_matches(user=user, matches=matches[:CHECK_RESULTS])


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
            out.append({"group": group, "members": members, "similarity": similarity(group.score)})
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
    return {"group": group, "members": members, "similarity": similarity(group.score)}


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
