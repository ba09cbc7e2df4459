"""Every write to customers and contacts (DESIGN.md rule 2): the pages, the API, imports and
tasks all call these, so normalisation, validation, numbering, history, search keys and audit
cannot be skipped."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext

from kehu.accounts.models import User
from kehu.accounts.scoping import can_see_owner
from kehu.audit.services import audit_record, field_changes_record, reveal_record
from kehu.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from kehu.core.masking import mask_email, mask_phone
from kehu.customers import search, validation
from kehu.customers.choices import CustomerKind
from kehu.customers.filters import filter_query
from kehu.customers.hooks import CustomerWrite, run_checks, run_saved
from kehu.customers.models import Contact, Customer, SavedView
from kehu.customers.normalize import clean_text, normalize_landline, normalize_mobile
from kehu.customers.present import field_display
from kehu.numbering.services import next_number

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


def _written(write: CustomerWrite) -> None:
    """Search terms, and whatever other apps keep (duplicate keys), follow every write."""
    search.reindex(write.customer)
    run_saved(write)


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


# Django's own message for a missing related row is English ("… instance with code '999999'
# is not a valid choice.") and names the table; people get these instead.
MISSING_RELATED_MESSAGES = {
    "region": "地区代码不存在",
    "industry": "行业代码不存在",
    "source": "来源渠道不存在",
}


def _full_check(instance: Model, errors: dict[str, str], exclude: list[str]) -> None:
    """Model-level checks (lengths, choices, FK existence) merged with the domain rules."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, field_errors in exc.error_dict.items():
            message = field_errors[0].messages[0]
            if field_errors[0].code == "invalid" and field in MISSING_RELATED_MESSAGES:
                message = MISSING_RELATED_MESSAGES[field]
            errors.setdefault(field, message)
    if errors:
        items = [{"field": f, "message": m} for f, m in errors.items()]
        raise ValidationFailed(items[0]["message"], errors=items)


CUSTOMER_CHECK_EXCLUDE = ["number", "owner", "collaborators", "created_by", "updated_by"]


def _customer_check(customer: Customer) -> None:
    """Raise ValidationFailed with every field error of the customer as it stands: the rules
    customer_create, customer_update and customer_validate share."""
    _full_check(customer, _customer_errors(customer), exclude=CUSTOMER_CHECK_EXCLUDE)


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
    allow_similar: bool = False,
    override_reason: str = "",
) -> Customer:
    """Create a customer (and optionally its first contacts) owned by `actor` unless `owner`
    is given; giving someone else (or the pool, None) needs the transfer permission.

    Registered checks run before the save (kehu.dedup refuses a duplicate, 409; a probable one
    passes with `allow_similar`, a shared phone or email under a warning policy with
    `override_reason`)."""
    data = _normalize(
        Customer, {k: v for k, v in data.items() if k.removesuffix("_id") in WRITABLE_FIELDS}
    )
    if owner is ...:
        owner = actor
    elif owner != actor and not actor.has_perm("customers.transfer_customer"):
        # Allowed to create, not to give away (403, as customer_transfer): not bad input.
        raise PermissionDenied(gettext("没有为他人创建客户的权限"))
    elif owner is not None and owner != actor:
        # The rules of customer_transfer: creating for someone is handing a customer over.
        if not owner.is_active:
            raise ValidationFailed(
                "负责人已停用", errors=[{"field": "owner", "message": "负责人已停用"}]
            )
        if not can_see_owner(actor, owner.pk, "customers"):
            raise ValidationFailed(
                "只能指定你数据范围内的同事为负责人",
                errors=[{"field": "owner", "message": "只能指定你数据范围内的同事为负责人"}],
            )
    customer = Customer(owner=owner, created_by=actor, updated_by=actor, **data)
    _clear_other_kind(customer)
    _customer_check(customer)
    contacts = contacts or []
    write = CustomerWrite(
        customer=customer,
        actor=actor,
        action="create",
        mobiles=[customer.mobile, *(c.get("mobile") or "" for c in contacts)],
        emails=[customer.email, *(c.get("email") or "" for c in contacts)],
        allow_similar=allow_similar,
        override_reason=clean_text(override_reason),
    )
    run_checks(write)
    customer.number = next_number("customers")  # the kind CustomersConfig registers
    customer.save()
    if collaborators:
        customer.collaborators.set(collaborators)
    for contact_data in contacts or []:
        _contact_save(customer=customer, contact=Contact(customer=customer), data=contact_data)
    _ensure_primary(customer)
    audit_record(
        actor=actor,
        action="customer.create",
        target=customer,
        data={"number": customer.number, "name": customer.name},
    )
    _written(write)
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
    override_reason: str = "",
    run_write_checks: bool = True,
) -> Customer:
    """Apply `data` to the customer if `version` is still current (else StaleVersion, 409).

    `owner` is not writable here: an attempt is logged and ignored (see customer_transfer).
    `run_write_checks=False` is for a merge, which writes values the records already had.
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
    before = {f: field_display(locked, f) for f in data}
    for field, value in data.items():
        setattr(locked, field, value)
    if "kind" in data:
        _clear_other_kind(locked)
    _customer_check(locked)
    changes = {
        f.removesuffix("_id"): (before[f], field_display(locked, f))
        for f in data
        if before[f] != field_display(locked, f)
    }
    write = CustomerWrite(
        customer=locked,
        actor=actor,
        action="update",
        mobiles=[locked.mobile],
        emails=[locked.email],
        changed=frozenset(changes),
        override_reason=clean_text(override_reason),
    )
    if run_write_checks:
        run_checks(write)
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
    _written(write)
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
    search.owner_changed(locked)
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


def _contact_check(contact: Contact) -> None:
    """Raise ValidationFailed with every field error of the contact as it stands."""
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


def _contact_save(*, customer: Customer, contact: Contact, data: dict) -> Contact:
    data = _normalize(Contact, {k: v for k, v in data.items() if k in CONTACT_FIELDS})
    for field, value in data.items():
        setattr(contact, field, value)
    _contact_check(contact)
    if contact.is_primary:
        # The new primary takes over; the constraint guarantees at most one.
        Contact.objects.filter(customer=customer, is_primary=True).exclude(pk=contact.pk).update(
            is_primary=False
        )
    contact.save()
    return contact


def _contact_write(*, contact: Contact, actor: User, override_reason: str = "") -> CustomerWrite:
    """A contact's write as the registered checks see it: its phone and email may already
    identify another customer."""
    return CustomerWrite(
        customer=contact.customer,
        actor=actor,
        action="contact",
        mobiles=[contact.mobile],
        emails=[contact.email],
        changed=frozenset({"mobile", "email"}),
        override_reason=clean_text(override_reason),
    )


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
def contact_create(
    *, customer: Customer, data: dict, actor: User, override_reason: str = ""
) -> Contact:
    contact = _contact_save(customer=customer, contact=Contact(customer=customer), data=data)
    write = _contact_write(contact=contact, actor=actor, override_reason=override_reason)
    run_checks(write)
    _ensure_primary(customer)
    _written(write)
    audit_record(
        actor=actor,
        action="contact.create",
        target=customer,
        data={"contact_id": contact.pk, "name": contact.name},
    )
    contact.refresh_from_db()
    return contact


@transaction.atomic
def contact_update(
    *, contact: Contact, data: dict, actor: User, version: int | None, override_reason: str = ""
) -> Contact:
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if version is not None and version != locked.version:
        raise StaleVersion(
            "联系人已被他人修改，请刷新后重试", extra={"current_version": locked.version}
        )
    before = {f: field_display(locked, f) for f in data if f in CONTACT_FIELDS}
    _contact_save(customer=locked.customer, contact=locked, data=data)
    write = _contact_write(contact=locked, actor=actor, override_reason=override_reason)
    if {"mobile", "email"} & data.keys():
        run_checks(write)
    changes = {
        f: (_masked_display(f, old), _masked_display(f, field_display(locked, f)))
        for f, old in before.items()
        if old != field_display(locked, f)
    }
    if changes:
        Contact.objects.filter(pk=locked.pk).update(version=locked.version + 1)
        field_changes_record(actor=actor, target=locked, changes=changes)
    _ensure_primary(locked.customer)
    _written(write)
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
    _written(CustomerWrite(customer=customer, actor=actor, action="contact_delete"))


def contact_reveal(*, contact: Contact, field: str, actor: User) -> str:
    if field not in CONTACT_PII_FIELDS:
        raise ValidationFailed(
            "该字段不能查看", errors=[{"field": "field", "message": "该字段不能查看"}]
        )
    if not actor.has_perm("customers.reveal_pii"):
        raise PermissionDenied("没有查看完整联系方式的权限")
    reveal_record(actor=actor, target=contact, field=field)
    return getattr(contact, field)


# --- validation without saving (live form checks) --------------------------------------------


def customer_validate(
    *,
    data: dict,
    actor: User,
    customer: Customer | None = None,
    contacts: list[dict] | None = None,
) -> list[dict]:
    """The field errors customer_create (no `customer`) or customer_update would raise for
    `data`, as [{"field", "message"}]; nothing is saved. Errors of `contacts` (create only) are
    named "contacts.<index>.<field>" so a form can tell them from the customer's own fields."""
    data = _normalize(
        Customer, {k: v for k, v in data.items() if k.removesuffix("_id") in WRITABLE_FIELDS}
    )
    if customer is None:
        candidate = Customer(owner=actor, **data)
        _clear_other_kind(candidate)
    else:
        candidate = Customer.objects.get(pk=customer.pk)
        for field, value in data.items():
            setattr(candidate, field, value)
        if "kind" in data:
            _clear_other_kind(candidate)
    errors: list[dict] = []
    try:
        _customer_check(candidate)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    for index, contact_data in enumerate(contacts or []):
        contact = Contact(
            **_normalize(Contact, {k: v for k, v in contact_data.items() if k in CONTACT_FIELDS})
        )
        try:
            _contact_check(contact)
        except ValidationFailed as exc:
            errors.extend(
                {"field": f"contacts.{index}.{e['field']}", "message": e["message"]}
                for e in exc.errors
            )
    return errors


# --- saved list views (我的视图) ---------------------------------------------------------------

SAVED_VIEW_LIMIT = 30


@transaction.atomic
def saved_view_save(*, user: User, name: str, query: str) -> SavedView:
    """Save the current list filter under `name` for `user`; the same name replaces it."""
    name = clean_text(name or "")
    query = filter_query(query or "")
    message = None
    if not name:
        message = "请填写视图名称"
    elif len(name) > SavedView._meta.get_field("name").max_length:
        message = "视图名称最多 50 个字"
    elif len(query) > SavedView._meta.get_field("query").max_length:
        message = "筛选条件过长"
    if message:
        raise ValidationFailed(message, errors=[{"field": "name", "message": message}])
    view, created = SavedView.objects.update_or_create(
        user=user, name=name, defaults={"query": query}
    )
    if created and SavedView.objects.filter(user=user).count() > SAVED_VIEW_LIMIT:
        message = f"最多保存 {SAVED_VIEW_LIMIT} 个视图，请先删除不用的"
        raise ValidationFailed(message, errors=[{"field": "name", "message": message}])
    return view


@transaction.atomic
def saved_view_delete(*, view: SavedView, actor: User) -> None:
    if view.user_id != actor.pk:
        raise PermissionDenied("只能删除自己的视图")
    view.delete()
