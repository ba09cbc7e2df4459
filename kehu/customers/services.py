"""Every write to customers and contacts (DESIGN.md rule 2): the pages, the API, imports and
tasks all call these, so normalisation, validation, numbering, history, search keys and audit
cannot be skipped."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from kehu.accounts.models import User
from kehu.accounts.scoping import can_see_owner
from kehu.audit.services import audit_record, field_changes_record, reveal_record
from kehu.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from kehu.core.masking import mask_email, mask_phone
from kehu.customers import search, validation
from kehu.customers.choices import CustomerKind
from kehu.customers.models import Contact, Customer
from kehu.customers.normalize import clean_text, normalize_landline, normalize_mobile
from kehu.customers.numbering import next_customer_number

COMMON_FIELDS = [
    "name",
    "short_name",
    "status",
    "source",
    "first_contact_date",
    "region",
    "address",
    "core_need",
    "need_tags",
    "urgency",
    "budget_min",
    "budget_max",
    "decision_chain",
    "current_solution",
    "pain_points",
    "expected_outcome",
    "preferred_contact",
    "special_requirements",
    "risk_notes",
    "remarks",
    "pending_fields",
]
ENTERPRISE_FIELDS = [
    "uscc",
    "industry",
    "size_band",
    "revenue_band",
    "founded",
    "ownership",
    "main_business",
    "main_customer_groups",
    "competitors",
    "switchboard",
    "website",
]
INDIVIDUAL_FIELDS = [
    "gender",
    "age_band",
    "occupation",
    "birthday",
    "mobile",
    "email",
    "wechat",
    "interests",
    "buying_habits",
    "purchase_history",
]
WRITABLE_FIELDS = {"kind", *COMMON_FIELDS, *ENTERPRISE_FIELDS, *INDIVIDUAL_FIELDS}
# Fields a customer may decline to give, marked 待确认 instead of filled in.
PENDABLE_FIELDS = {*COMMON_FIELDS, *ENTERPRISE_FIELDS, *INDIVIDUAL_FIELDS} - {
    "name",
    "status",
    "pending_fields",
}
CONTACT_FIELDS = [
    "name",
    "position",
    "mobile",
    "landline",
    "email",
    "wechat",
    "birthday",
    "decision_role",
    "is_primary",
    "has_left",
]
PII_FIELDS = {"mobile", "email", "switchboard"}
CONTACT_PII_FIELDS = {"mobile", "landline", "email"}


# --- normalisation and validation -----------------------------------------------------------


def _normalize(model, data: dict) -> dict:
    """Clean text, phones, codes; None for a NOT NULL field means "empty" (its default)."""
    out = {}
    for field, value in data.items():
        model_field = model._meta.get_field(field.removesuffix("_id"))
        if value is None and not model_field.null:
            value = model_field.get_default()
        if isinstance(value, str):
            value = clean_text(value)
            if field in {"mobile"}:
                value = normalize_mobile(value) if value else ""
            elif field in {"switchboard", "landline"}:
                value = normalize_landline(value) if value else ""
            elif field == "uscc":
                value = value.replace(" ", "").upper()
            elif field == "email":
                value = value.lower()
        elif isinstance(value, list):
            value = [clean_text(v) for v in value if isinstance(v, str) and clean_text(v)]
        out[field] = value
    return out


def _customer_errors(c: Customer) -> dict[str, str]:
    errors: dict[str, str] = {}

    def check(field, message):
        if message and field not in errors:
            errors[field] = message

    if not c.name:
        check("name", "请填写客户名称")
    if c.kind not in CustomerKind.values:
        check("kind", "请选择客户类型")
    if c.kind == CustomerKind.INDIVIDUAL and not c.mobile and "mobile" not in c.pending_fields:
        check("mobile", "个人客户须填写手机号")
    check("mobile", validation.mobile_error(c.mobile))
    check("email", validation.email_error(c.email))
    check("switchboard", validation.landline_error(c.switchboard))
    check("website", validation.url_error(c.website))
    check("uscc", validation.uscc_error(c.uscc))
    check("founded", validation.founded_error(c.founded))
    check("birthday", validation.past_date_error(c.birthday, "生日"))
    check("first_contact_date", validation.past_date_error(c.first_contact_date, "首次接触日期"))
    for field, message in validation.budget_errors(c.budget_min, c.budget_max).items():
        check(field, message)
    unknown = [f for f in c.pending_fields if f not in PENDABLE_FIELDS]
    if unknown:
        check("pending_fields", f"不能标记为待确认的字段：{unknown[0]}")
    if c.region_id and len(c.region_id) != 6:
        check("region", "地区代码无效")
    if len(c.decision_chain) > 20:
        check("decision_chain", "决策链最多 20 步")
    return errors


def _full_check(instance: Model, errors: dict[str, str], exclude: list[str]) -> None:
    """Model-level checks (lengths, choices, FK existence) merged with the domain rules."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages[0])
    if errors:
        items = [{"field": f, "message": m} for f, m in errors.items()]
        raise ValidationFailed(items[0]["message"], errors=items)


def _display(instance: Model, field: str) -> str:
    value = getattr(instance, field)
    if value is None or value == "" or value == []:
        return ""
    if hasattr(instance, f"get_{field}_display"):
        return str(getattr(instance, f"get_{field}_display")())
    if isinstance(value, list):
        return "、".join(map(str, value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _masked_display(field: str, value: str) -> str:
    """History keeps personal values masked: reading history is not a way around reveal."""
    if field == "email":
        return mask_email(value)
    return mask_phone(value) if field in PII_FIELDS | CONTACT_PII_FIELDS else value


# --- customers ------------------------------------------------------------------------------


@transaction.atomic
def customer_create(
    *,
    data: dict,
    actor: User,
    owner: User | None = ...,
    collaborators: list[User] | None = None,
    contacts: list[dict] | None = None,
) -> Customer:
    """Create a customer (and optionally its first contacts) owned by `actor` unless `owner`
    is given; giving someone else (or the pool, None) needs the transfer permission."""
    data = _normalize(
        Customer, {k: v for k, v in data.items() if k.removesuffix("_id") in WRITABLE_FIELDS}
    )
    if owner is ...:
        owner = actor
    elif owner != actor and not actor.has_perm("customers.transfer_customer"):
        raise ValidationFailed(
            "只能创建自己负责的客户",
            errors=[{"field": "owner", "message": "没有为他人创建客户的权限"}],
        )
    customer = Customer(owner=owner, created_by=actor, updated_by=actor, **data)
    _clear_other_kind(customer)
    errors = _customer_errors(customer)
    _full_check(
        customer, errors, exclude=["number", "owner", "collaborators", "created_by", "updated_by"]
    )
    customer.number = next_customer_number()
    customer.save()
    if collaborators:
        customer.collaborators.set(collaborators)
    for contact_data in contacts or []:
        _contact_save(customer=customer, contact=Contact(customer=customer), data=contact_data)
    _ensure_primary(customer)
    search.reindex(customer)
    audit_record(
        actor=actor,
        action="customer.create",
        target=customer,
        data={"number": customer.number, "name": customer.name},
    )
    return customer


def _clear_other_kind(customer: Customer) -> None:
    """Fields of the other kind are emptied so an individual carries no credit code, etc."""
    other = INDIVIDUAL_FIELDS if customer.kind == CustomerKind.ENTERPRISE else ENTERPRISE_FIELDS
    for field in other:
        default = Customer._meta.get_field(field).get_default()
        setattr(customer, field, None if Customer._meta.get_field(field).null else default)


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    data: dict,
    actor: User,
    version: int | None,
    collaborators: list[User] | None = None,
) -> Customer:
    """Apply `data` to the customer if `version` is still current (else StaleVersion, 409).

    `owner` is not writable here: an attempt is logged and ignored (see customer_transfer).
    """
    if "owner" in data or "owner_id" in data:
        audit_record(
            actor=actor,
            action="customer.owner_write_ignored",
            target=customer,
            data={"attempted": str(data.get("owner", data.get("owner_id")))},
        )
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if version is not None and version != locked.version:
        raise StaleVersion(
            "记录已被他人修改，请刷新后重试", extra={"current_version": locked.version}
        )
    data = _normalize(
        Customer, {k: v for k, v in data.items() if k.removesuffix("_id") in WRITABLE_FIELDS}
    )
    before = {f: _display(locked, f) for f in data}
    for field, value in data.items():
        setattr(locked, field, value)
    if "kind" in data:
        _clear_other_kind(locked)
    errors = _customer_errors(locked)
    _full_check(
        locked, errors, exclude=["number", "owner", "collaborators", "created_by", "updated_by"]
    )
    changes = {
        f: (before[f], _display(locked, f)) for f in data if before[f] != _display(locked, f)
    }
    if collaborators is not None:
        old = sorted(str(u) for u in locked.collaborators.all())
        new = sorted(str(u) for u in collaborators)
        if old != new:
            locked.collaborators.set(collaborators)
            changes["collaborators"] = ("、".join(old), "、".join(new))
    if not changes:
        return locked
    locked.version += 1
    locked.updated_by = actor
    locked.save()
    field_changes_record(
        actor=actor,
        target=locked,
        changes={
            f: (_masked_display(f, old), _masked_display(f, new))
            for f, (old, new) in changes.items()
        },
    )
    search.reindex(locked)
    return locked


@transaction.atomic
def customer_transfer(
    *, customer: Customer, new_owner: User | None, actor: User, reason: str = ""
) -> Customer:
    """Give the customer to another owner (or the pool, None). The owner may hand over their own
    customers; anyone else needs customers.transfer_customer and the customer in their scope."""
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.owner_id != actor.pk and not actor.has_perm("customers.transfer_customer"):
        raise PermissionDenied("没有转移该客户的权限")
    if new_owner is not None and not new_owner.is_active:
        raise ValidationFailed(
            "新负责人已停用", errors=[{"field": "owner", "message": "新负责人已停用"}]
        )
    if (
        new_owner is not None
        and locked.owner_id != actor.pk
        and not can_see_owner(actor, new_owner.pk, "customers")
    ):
        raise ValidationFailed(
            "只能转给你数据范围内的同事",
            errors=[{"field": "owner", "message": "只能转给你数据范围内的同事"}],
        )
    old_owner = locked.owner
    if old_owner == new_owner:
        return locked
    locked.owner = new_owner
    locked.version += 1
    locked.updated_by = actor
    locked.save(update_fields=["owner", "version", "updated_by", "updated_at"])
    field_changes_record(
        actor=actor,
        target=locked,
        changes={
            "owner": (
                str(old_owner) if old_owner else "公海",
                str(new_owner) if new_owner else "公海",
            )
        },
    )
    audit_record(
        actor=actor,
        action="customer.transfer",
        target=locked,
        data={
            "from": old_owner.pk if old_owner else None,
            "to": new_owner.pk if new_owner else None,
            "reason": reason[:200],
        },
    )
    return locked


def customer_reveal(*, customer: Customer, field: str, actor: User) -> str:
    """The full value of a masked field, for someone with the reveal permission; logged."""
    if field not in PII_FIELDS:
        raise ValidationFailed(
            "该字段不能查看", errors=[{"field": "field", "message": "该字段不能查看"}]
        )
    if not actor.has_perm("customers.reveal_pii"):
        raise PermissionDenied("没有查看完整联系方式的权限")
    reveal_record(actor=actor, target=customer, field=field)
    return getattr(customer, field)


# --- contacts -------------------------------------------------------------------------------


def _contact_save(*, customer: Customer, contact: Contact, data: dict) -> Contact:
    data = _normalize(Contact, {k: v for k, v in data.items() if k in CONTACT_FIELDS})
    for field, value in data.items():
        setattr(contact, field, value)
    errors: dict[str, str] = {}
    if not contact.name:
        errors["name"] = "请填写联系人姓名"
    for field, message in (
        ("mobile", validation.mobile_error(contact.mobile)),
        ("landline", validation.landline_error(contact.landline)),
        ("email", validation.email_error(contact.email)),
        ("birthday", validation.past_date_error(contact.birthday, "生日")),
    ):
        if message:
            errors.setdefault(field, message)
    _full_check(contact, errors, exclude=["customer"])
    if contact.is_primary:
        # The new primary takes over; the constraint guarantees at most one.
        Contact.objects.filter(customer=customer, is_primary=True).exclude(pk=contact.pk).update(
            is_primary=False
        )
    contact.save()
    return contact


def _ensure_primary(customer: Customer) -> None:
    """An enterprise customer with contacts has exactly one primary contact."""
    if customer.kind != CustomerKind.ENTERPRISE:
        return
    contacts = Contact.objects.filter(customer=customer)
    if contacts.exists() and not contacts.filter(is_primary=True).exists():
        first = (
            contacts.filter(has_left=False).order_by("id").first()
            or contacts.order_by("id").first()
        )
        Contact.objects.filter(pk=first.pk).update(is_primary=True)


@transaction.atomic
def contact_create(*, customer: Customer, data: dict, actor: User) -> Contact:
    contact = _contact_save(customer=customer, contact=Contact(customer=customer), data=data)
    _ensure_primary(customer)
    search.reindex(customer)
    audit_record(
        actor=actor,
        action="contact.create",
        target=customer,
        data={"contact_id": contact.pk, "name": contact.name},
    )
    contact.refresh_from_db()
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, data: dict, actor: User, version: int | None) -> Contact:
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if version is not None and version != locked.version:
        raise StaleVersion(
            "联系人已被他人修改，请刷新后重试", extra={"current_version": locked.version}
        )
    before = {f: _display(locked, f) for f in data if f in CONTACT_FIELDS}
    _contact_save(customer=locked.customer, contact=locked, data=data)
    changes = {
        f: (_masked_display(f, old), _masked_display(f, _display(locked, f)))
        for f, old in before.items()
        if old != _display(locked, f)
    }
    if changes:
        Contact.objects.filter(pk=locked.pk).update(version=locked.version + 1)
        field_changes_record(actor=actor, target=locked, changes=changes)
    _ensure_primary(locked.customer)
    search.reindex(locked.customer)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def contact_delete(*, contact: Contact, actor: User) -> None:
    customer = contact.customer
    audit_record(
        actor=actor,
        action="contact.delete",
        target=customer,
        data={"contact_id": contact.pk, "name": contact.name},
    )
    contact.delete()
    _ensure_primary(customer)
    search.reindex(customer)


def contact_reveal(*, contact: Contact, field: str, actor: User) -> str:
    if field not in CONTACT_PII_FIELDS:
        raise ValidationFailed(
            "该字段不能查看", errors=[{"field": "field", "message": "该字段不能查看"}]
        )
    if not actor.has_perm("customers.reveal_pii"):
        raise PermissionDenied("没有查看完整联系方式的权限")
    reveal_record(actor=actor, target=contact, field=field)
    return getattr(contact, field)
