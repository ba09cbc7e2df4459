"""Writes of the duplicate module: pairwise decisions, the key policy, scans, dismissals,
merge and undo. (The guard on customer writes is in hooks.py.)"""

import json

from django.apps import apps
from django.core import serializers
from django.db import transaction
from django.db.models import ManyToManyRel, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.models import FieldChange
from kehu.audit.services import audit_record
from kehu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kehu.customers.models import Contact, Customer, SearchTerm
from kehu.dedup import keys
from kehu.dedup.choices import DecisionSource, GroupStatus, KeyPolicy
from kehu.dedup.matching import Match, load_profiles, pair
from kehu.dedup.models import (
    DedupKey,
    DedupPolicy,
    DuplicateGroup,
    MergeRecord,
    PairDecision,
    ScanRun,
)
from kehu.dedup.scoring import assess

# --- pairwise decisions -----------------------------------------------------------------------


def decisions_record(
    *, customer: Customer, matches: list[Match], actor, source: str, reason: str = ""
) -> None:
    """Remember that `customer` is none of the matched customers (录入时仍然创建), with the
    evidence at the time, so neither the check nor the scan raises these pairs again; audited."""
    for match in matches:
        _decide(customer.pk, match.customer_id, match.assessment, actor, source, reason)
    audit_record(
        actor=actor,
        action=(
            "customer.create_despite_similar"
            if source == DecisionSource.ENTRY
            else "customer.duplicate_override"
        ),
        target=customer,
        data={
            "candidates": [
                {"id": m.customer_id, "score": m.score, "level": m.level} for m in matches
            ],
            "reason": reason,
        },
    )


def _decide(a: int, b: int, assessment, actor, source: str, reason: str) -> PairDecision:
    first, second = pair(a, b)
    decision, _created = PairDecision.objects.update_or_create(
        first_id=first,
        second_id=second,
        defaults={
            "source": source,
            "signals": sorted(assessment.positive),
            "score": assessment.score,
            "reason": reason[:200],
            "decided_by": actor if actor is not None and actor.pk else None,
        },
    )
    return decision


@transaction.atomic
def group_dismiss(*, group: DuplicateGroup, members: list[Customer], actor) -> None:
    """不是重复: every pair of the members the reviewer saw is remembered as different, with
    the evidence of the moment; the group is closed."""
    group.status = GroupStatus.DISMISSED
    group.save(update_fields=["status"])
    profiles = load_profiles(c.pk for c in members)
    ids = sorted(profiles)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            assessment = assess(profiles[a], profiles[b])
            _decide(a, b, assessment, actor, DecisionSource.REVIEW, "")
    audit_record(actor=actor, action="dedup.group_dismiss", target=group, data={"customers": ids})


# --- the key policy -----------------------------------------------------------------------------


@transaction.atomic
def policy_update(*, phone: str, email: str, actor) -> DedupPolicy:
    """Set what a shared mobile and a shared email do at entry (administrators); audited.
    A credit code always blocks: it is not a setting."""
    if not actor.has_perm("dedup.change_deduppolicy"):
        raise PermissionDenied(_("没有修改查重规则的权限"))
    errors = [
        {"field": field, "message": _("取值无效，可选：%(expected)s") % {"expected": "block, warn"}}
        for field, value in (("phone", phone), ("email", email))
        if value not in KeyPolicy.values
    ]
    if errors:
        raise ValidationFailed(errors[0]["message"], errors=errors)
    current, _created = DedupPolicy.objects.select_for_update().get_or_create(pk=1)
    before = {"phone": current.phone, "email": current.email}
    current.phone, current.email, current.updated_by = phone, email, actor
    current.save()  # tracked: the organisation gets a new access version (apps.py)
    audit_record(
        actor=actor,
        action="dedup.policy_update",
        target=current,
        data={"before": before, "after": {"phone": phone, "email": email}},
    )
    return current


# --- scan -----------------------------------------------------------------------------------


@transaction.atomic
def scan_start(*, actor) -> ScanRun:
    from kehu.dedup.tasks import dedup_scan

    run = ScanRun.objects.create(started_by=actor)
    audit_record(actor=actor, action="dedup.scan_start", target=run, data={})
    transaction.on_commit(lambda: dedup_scan(run.pk))
    return run


# --- merge ----------------------------------------------------------------------------------

# Relations rebuilt from data rather than moved; a merged record's decisions go with it (undo
# restores them).
_REBUILT = {SearchTerm, DedupKey, MergeRecord, PairDecision}


def _relations():
    """Every (model, fk field name) pointing at Customer from another table, found from the
    model graph so that modules added later (follow-ups, orders…) are moved too — including
    foreign keys declared with related_name="+", which Django leaves out of related_objects."""
    for rel in Customer._meta.get_fields(include_hidden=True):
        if (
            rel.one_to_many
            and not rel.related_model._meta.auto_created  # many-to-many link tables
            and rel.related_model not in _REBUILT
            and rel.related_model is not Contact
        ):
            yield rel.related_model, rel.field.name


def _m2m_links():
    """(link table, column of the other side, column of the customer, move?) for every
    many-to-many field of another model that points at Customer (tags, duplicate groups…).
    Duplicate groups keep their members as they were: a group is about those records."""
    for rel in Customer._meta.get_fields(include_hidden=True):
        if isinstance(rel, ManyToManyRel):
            field = rel.field
            through = field.remote_field.through
            yield (
                through,
                f"{field.m2m_field_name()}_id",
                f"{field.m2m_reverse_field_name()}_id",
                rel.related_model is not DuplicateGroup,
            )


def _move_m2m_links(survivor: Customer, ids: list[int]) -> list:
    """Give the survivor the links the merged records had (they go with the records when those
    are deleted); returns what undo needs: [label, other column, customer column, the merged
    records' links, the links added to the survivor]."""
    out = []
    for through, other, own, move in _m2m_links():
        rows = list(through.objects.filter(**{f"{own}__in": ids}).values_list(other, own))
        if not rows:
            continue
        added = []
        if move:
            have = set(through.objects.filter(**{own: survivor.pk}).values_list(other, flat=True))
            added = sorted({o for o, _ in rows} - have)
            through.objects.bulk_create([through(**{other: o, own: survivor.pk}) for o in added])
        out.append([through._meta.label, other, own, rows, added])
    return out


def _restore_m2m_links(snapshot: list, survivor_id: int) -> None:
    for label, other, own, rows, added in snapshot:
        through = apps.get_model(label)
        through.objects.filter(**{own: survivor_id, f"{other}__in": added}).delete()
        through.objects.bulk_create(
            [through(**{other: o, own: c}) for o, c in rows], ignore_conflicts=True
        )


@transaction.atomic
def merge(
    *, survivor: Customer, others: list[Customer], field_sources: dict[str, int], actor
) -> MergeRecord:
    """Merge `others` into `survivor` in one transaction. `field_sources` maps a field to the id
    of the record whose value wins. Everything related moves to the survivor; the merged
    records' owners and collaborators become the survivor's collaborators, so nobody loses a
    customer they worked on. Undo restores it all."""
    from kehu.customers import search
    from kehu.customers.services import WRITABLE_FIELDS, customer_update

    ids = [c.pk for c in others]
    if not others or survivor.pk in ids:
        raise ValidationFailed(
            "不能把客户合并到它自己",
            errors=[{"field": "merge_ids", "message": "不能把客户合并到它自己"}],
        )
    if len(set(ids)) != len(ids):
        raise ValidationFailed(
            "被合并的客户重复", errors=[{"field": "merge_ids", "message": "被合并的客户重复"}]
        )
    # Lock every record in primary-key order so two merges cannot interleave.
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .filter(pk__in=[survivor.pk, *ids])
        .order_by("pk")
    }
    survivor, others = locked[survivor.pk], [locked[i] for i in ids]
    if any(c.kind != survivor.kind for c in others):
        raise ValidationFailed(
            "企业客户和个人客户不能合并",
            errors=[{"field": "merge_ids", "message": "企业客户和个人客户不能合并"}],
        )
    sources = {survivor.pk: survivor, **{c.pk: c for c in others}}
    bad = [
        f
        for f, src in field_sources.items()
        if f not in WRITABLE_FIELDS - {"kind"} or src not in sources
    ]
    if bad:
        raise ValidationFailed(
            f"字段选择无效：{bad[0]}",
            errors=[{"field": f"field_sources.{bad[0]}", "message": "字段或来源客户无效"}],
        )

    snapshot = {
        "merged": serializers.serialize("json", others),
        "survivor_before": json.loads(serializers.serialize("json", [survivor]))[0]["fields"],
        "moved": {},
        "contacts": [],
        "primary_cleared": [],
        "history": [],
        "collaborators_added": [],
        "groups": [],
    }
    survivor_has_primary = survivor.contacts.filter(is_primary=True).exists()
    moved_contacts = list(
        Contact.objects.filter(customer_id__in=ids)
        .order_by("pk")
        .values_list("pk", "customer_id", "is_primary")
    )
    snapshot["contacts"] = [[pk, cid] for pk, cid, _ in moved_contacts]
    # One primary contact per customer: the survivor's, else the first merged record's.
    primaries = [
        pk for pk, cid, primary in sorted(moved_contacts, key=lambda r: ids.index(r[1])) if primary
    ]
    snapshot["primary_cleared"] = primaries if survivor_has_primary else primaries[1:]
    Contact.objects.filter(pk__in=snapshot["primary_cleared"]).update(is_primary=False)
    Contact.objects.filter(customer_id__in=ids).update(customer=survivor)
    for model, field in _relations():
        rows = list(model.objects.filter(**{f"{field}__in": ids}).values_list("pk", field))
        if rows:
            snapshot["moved"][f"{model._meta.label}.{field}"] = rows
            model.objects.filter(pk__in=[pk for pk, _ in rows]).update(**{field: survivor})
    history = FieldChange.objects.filter(target_type="customers.customer", target_id__in=ids)
    snapshot["history"] = list(history.values_list("pk", "target_id"))
    history.update(target_id=survivor.pk)  # re-pointing, not rewriting: content stays as written
    existing = set(survivor.collaborators.values_list("pk", flat=True))
    added = (
        (
            {u for c in others for u in c.collaborators.values_list("pk", flat=True)}
            | {c.owner_id for c in others if c.owner_id}
        )
        - existing
        - {survivor.owner_id}
    )
    snapshot["collaborators_added"] = sorted(added)
    groups = DuplicateGroup.objects.filter(
        customers__in=[survivor.pk, *ids], status=GroupStatus.OPEN
    ).distinct()
    snapshot["groups"] = list(groups.values_list("pk", flat=True))
    DuplicateGroup.objects.filter(pk__in=snapshot["groups"]).update(status=GroupStatus.MERGED)
    snapshot["links"] = _move_m2m_links(survivor, ids)
    # Earlier merges into a merged record go with it (cascade); keep them for undo.
    snapshot["merge_records"] = serializers.serialize(
        "json", MergeRecord.objects.filter(survivor_id__in=ids)
    )
    snapshot["decisions"] = serializers.serialize(
        "json", PairDecision.objects.filter(Q(first_id__in=ids) | Q(second_id__in=ids))
    )

    record = MergeRecord.objects.create(
        survivor=survivor, merged_numbers=[c.number for c in others], snapshot=snapshot, actor=actor
    )
    for other in others:
        other.delete()
    survivor.collaborators.add(*added)
    data = {f: getattr(sources[src], f) for f, src in field_sources.items() if src != survivor.pk}
    survivor = customer_update(
        customer=survivor, data=data, actor=actor, version=None, run_write_checks=False
    )
    search.reindex(survivor)
    keys.reindex(survivor)
    audit_record(
        actor=actor,
        action="customer.merge",
        target=survivor,
        data={"merged": record.merged_numbers, "merge_id": record.pk, "fields": field_sources},
    )
    return record


@transaction.atomic
def merge_undo(*, record: MergeRecord, actor) -> Customer:
    """Restore the merged customers and move back everything the merge moved."""
    from kehu.customers import search
    from kehu.customers.services import WRITABLE_FIELDS, customer_update

    record = MergeRecord.objects.select_for_update().get(pk=record.pk)
    if record.undone_at:
        raise Conflict("该合并已撤销")
    snap = record.snapshot
    restored = []
    for obj in serializers.deserialize("json", snap["merged"]):
        if Customer.objects.filter(number=obj.object.number).exists():
            raise Conflict("被合并的客户编号已被占用，无法撤销")
        obj.save()
        restored.append(obj.object)
    _move_back(Contact, "customer_id", snap["contacts"])
    Contact.objects.filter(pk__in=snap["primary_cleared"]).update(is_primary=True)
    for key, rows in snap["moved"].items():
        label, field = key.rsplit(".", 1)
        _move_back(apps.get_model(label), f"{field}_id", rows)
    _move_back(FieldChange, "target_id", snap["history"])
    survivor = record.survivor
    survivor.collaborators.remove(*snap["collaborators_added"])
    data = {
        f: v
        for f, v in _model_values(snap["survivor_before"]).items()
        if f.removesuffix("_id") in WRITABLE_FIELDS
    }
    customer_update(customer=survivor, data=data, actor=actor, version=None, run_write_checks=False)
    _restore_m2m_links(snap.get("links", []), survivor.pk)
    for obj in serializers.deserialize("json", snap.get("merge_records", "[]")):
        obj.save()
    decisions = [d.object for d in serializers.deserialize("json", snap.get("decisions", "[]"))]
    present = set(
        Customer.objects.filter(
            pk__in={d.first_id for d in decisions} | {d.second_id for d in decisions}
        ).values_list("pk", flat=True)
    )
    # A decision about a record merged or gone since stays gone.
    PairDecision.objects.bulk_create(
        [d for d in decisions if {d.first_id, d.second_id} <= present], ignore_conflicts=True
    )
    DuplicateGroup.objects.filter(pk__in=snap["groups"]).update(status=GroupStatus.OPEN)
    for customer in [survivor, *restored]:
        customer.refresh_from_db()
        search.reindex(customer)
        keys.reindex(customer)
    record.undone_at = timezone.now()
    record.undone_by = actor
    record.save(update_fields=["undone_at", "undone_by"])
    audit_record(
        actor=actor,
        action="customer.merge_undo",
        target=survivor,
        data={"merge_id": record.pk, "restored": record.merged_numbers},
    )
    return survivor


def _move_back(model, column: str, rows: list) -> None:
    """Point rows ([pk, original customer id]) back at their customers, one query per customer."""
    by_customer: dict[int, list[int]] = {}
    for pk, customer_id in rows:
        by_customer.setdefault(customer_id, []).append(pk)
    for customer_id, pks in by_customer.items():
        model.objects.filter(pk__in=pks).update(**{column: customer_id})


def _model_values(fields: dict) -> dict:
    """Serialised field values back to model values (FKs as *_id, decimals and dates parsed)."""
    obj = next(
        serializers.deserialize(
            "json", json.dumps([{"model": "customers.customer", "pk": None, "fields": fields}])
        )
    )
    instance = obj.object
    out = {}
    for field in Customer._meta.concrete_fields:
        if field.name in fields:
            out[field.attname if field.is_relation else field.name] = getattr(
                instance, field.attname
            )
    return out
