"""Customer data as a person may see it: personal values masked unless they may reveal them.

Both the API and the pages present records through here, so masking has one definition."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.language import in_english, join_list
from kehu.core.links import record_url
from kehu.core.masking import mask_email, mask_phone
from kehu.customers.choices import CustomerKind, CustomerStatus, Urgency
from kehu.customers.models import Contact, Customer
from kehu.refdata import selectors as refdata

# A customer's reference-data fields, named from memory instead of a join (refdata.selectors).
REFDATA_DISPLAY = {"region": refdata.region_display, "industry": refdata.industry_display}


def field_display(instance, field: str) -> str:
    """A field's value as people read it: choice labels, related rows by name, lists joined with
    、, dates YYYY-MM-DD, amounts with two decimals. Masking is the caller's decision."""
    if field.endswith("_id") and instance._meta.get_field(field.removesuffix("_id")).is_relation:
        field = field.removesuffix("_id")
    if field in REFDATA_DISPLAY and isinstance(instance, Customer):
        return REFDATA_DISPLAY[field](getattr(instance, f"{field}_id"))
    value = getattr(instance, field)
    if value is None or value == "" or value == []:
        return ""
    if hasattr(instance, f"get_{field}_display"):
        return str(getattr(instance, f"get_{field}_display")())
    if isinstance(value, list):
        return join_list(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def can_reveal(user) -> bool:
    return user.has_perm("customers.reveal_pii")


def _user_ref(user):
    return {"id": user.pk, "name": str(user)} if user else None


def _phone(value: str, reveal: bool) -> str:
    return value if reveal else mask_phone(value)


def _email(value: str, reveal: bool) -> str:
    return value if reveal else mask_email(value)


# A customer list row: these columns of the customer alone, read with .values()
# (selectors.customer_list), plus `owner_name` and `source_name` named from memory. Building a
# model instance walks all 60 fields even when 20 are read; a page of dicts costs a third, and
# joining users and source channels for their names cost PostgreSQL more to plan than to read.
LIST_VALUES = [
    "id", "number", "kind", "status", "name", "short_name", "region_id", "industry_id",
    "urgency", "mobile", "email", "version", "updated_at", "owner_id", "source_id",
]  # fmt: skip


def list_row(c: Customer) -> dict:
    """A customer already read as a model, in the shape of a list row (LIST_VALUES)."""
    row = {name: getattr(c, name) for name in LIST_VALUES}
    row["owner_name"] = str(c.owner) if c.owner_id else None
    row["source_name"] = c.source.label if c.source_id else None
    return row


def _owner_ref(row: dict):
    if row["owner_id"] is None:
        return None
    return {"id": row["owner_id"], "name": row["owner_name"]}


def customer_item(row: dict, reveal: bool) -> dict:
    """A list row (LIST_VALUES) as the API shows it."""
    return {
        "id": row["id"],
        "number": row["number"],
        "kind": row["kind"],
        "status": row["status"],
        "name": row["name"],
        "short_name": row["short_name"],
        "owner": _owner_ref(row),
        "region_code": row["region_id"],
        "region": refdata.region_display(row["region_id"]),
        "industry_code": row["industry_id"],
        "industry": refdata.industry_display(row["industry_id"]),
        "source": row["source_name"] or "",
        "urgency": row["urgency"],
        "mobile": _phone(row["mobile"], reveal),
        "email": _email(row["email"], reveal),
        "version": row["version"],
        "updated_at": row["updated_at"],
    }


def contact_item(contact: Contact, reveal: bool) -> dict:
    return {
        "id": contact.pk,
        "name": contact.name,
        "position": contact.position,
        "mobile": _phone(contact.mobile, reveal),
        "landline": _phone(contact.landline, reveal),
        "email": _email(contact.email, reveal),
        "wechat": contact.wechat,
        "birthday": contact.birthday,
        "decision_role": contact.decision_role,
        "is_primary": contact.is_primary,
        "has_left": contact.has_left,
        "version": contact.version,
    }


DETAIL_PLAIN_FIELDS = [
    "source_id",
    "first_contact_date",
    "address",
    "uscc",
    "size_band",
    "revenue_band",
    "founded",
    "ownership",
    "main_business",
    "main_customer_groups",
    "competitors",
    "website",
    "gender",
    "age_band",
    "occupation",
    "birthday",
    "wechat",
    "interests",
    "buying_habits",
    "purchase_history",
    "core_need",
    "need_tags",
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
    "created_at",
]


def customer_detail(c: Customer, reveal: bool) -> dict:
    data = customer_item(list_row(c), reveal)
    data.update({f: getattr(c, f) for f in DETAIL_PLAIN_FIELDS})
    data["switchboard"] = _phone(c.switchboard, reveal)
    data["collaborators"] = [_user_ref(u) for u in c.collaborators.all()]
    data["contacts"] = [contact_item(x, reveal) for x in c.contacts.all()]
    return data


# --- display strings for the pages --------------------------------------------------------------


def customer_row(row: dict) -> dict:
    """A row of the customer list page (a list row, LIST_VALUES): always masked (a reveal
    happens on the record, logged). An enterprise shows its primary contact
    (selectors.with_primary_contacts) for phone and email."""
    item = customer_item(row, reveal=False)
    primary = row.get("primary_contact")
    if primary is not None and not item["mobile"] and not item["email"]:
        item.update(
            contact=primary["name"],
            mobile=_phone(primary["mobile"], False),
            email=_email(primary["email"], False),
        )
    return {
        **item,
        "url": record_url("customers:detail", row["id"]),
        "kind_label": CustomerKind(row["kind"]).label,
        "status_label": CustomerStatus(row["status"]).label,
        "urgency_label": Urgency(row["urgency"]).label if row["urgency"] else "",
    }


def money_wan(value) -> str:
    """Decimal 万元 with two decimals and thousands separators: 1234.5 → "1,234.50"."""
    return f"{value:,.2f}"


def money_yuan(wan) -> str:
    """万元 as whole yuan with thousands separators, as English reads money: 10 → "100,000"."""
    return f"{wan * 10000:,.0f}"


def budget_display(low, high) -> str:
    """ "50.00–80.00 万元", "≥ 50.00 万元", "≤ 80.00 万元"; in English "500,000–800,000 CNY";
    "" when neither is known."""
    amount, unit = (money_yuan, "CNY") if in_english() else (money_wan, "万元")
    if low is not None and high is not None:
        return f"{amount(low)}–{amount(high)} {unit}"
    if low is not None:
        return f"≥ {amount(low)} {unit}"
    if high is not None:
        return f"≤ {amount(high)} {unit}"
    return ""


def decision_chain_display(steps: list[str]) -> str:
    """["技术部评估", "财务部审批"] → "技术部评估 → 财务部审批"."""
    return " → ".join(steps or [])


def pending_labels(c: Customer) -> list[str]:
    """The 待确认 fields of the customer by their Chinese labels, in the record's field order."""
    names = set(c.pending_fields or [])
    return [
        str(f.verbose_name)
        for f in Customer._meta.get_fields()
        if f.name in names and hasattr(f, "verbose_name")
    ]


def customer_pii(c: Customer) -> dict[str, str]:
    """The customer's personal values as a page shows them before a reveal."""
    return {
        "mobile": _phone(c.mobile, False),
        "email": _email(c.email, False),
        "switchboard": _phone(c.switchboard, False),
    }


def contact_pii(contact: Contact) -> dict[str, str]:
    return {
        "mobile": _phone(contact.mobile, False),
        "landline": _phone(contact.landline, False),
        "email": _email(contact.email, False),
    }


def field_label(target_type: str, name: str) -> str:
    """The Chinese label of a customer's or a contact's field, as history names it."""
    model = Contact if target_type == "customers.contact" else Customer
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def history_rows(changes, contacts: list[Contact]) -> list[dict]:
    """Field changes (customer_history) as the 变更记录 table shows them."""
    names = {c.pk: c.name for c in contacts}
    return [
        {
            "at": h.at,
            "actor": str(h.actor) if h.actor else str(_("系统")),
            "target": (
                _("联系人 %(name)s") % {"name": names.get(h.target_id, f"#{h.target_id}")}
                if h.target_type == "customers.contact"
                else _("客户")
            ),
            "field": field_label(h.target_type, h.field),
            "old": h.old,
            "new": h.new,
        }
        for h in changes
    ]


# The record page's sections; "budget" is the pair budget_min–budget_max.
DETAIL_SECTIONS = [
    ("basic", _("基本信息"), None, ["short_name", "source", "first_contact_date", "region", "address", "collaborators", "created_by", "created_at", "updated_by", "updated_at"]),
    ("enterprise", _("企业信息"), CustomerKind.ENTERPRISE, ["uscc", "industry", "size_band", "revenue_band", "founded", "ownership", "main_business", "main_customer_groups", "competitors", "switchboard", "website"]),
    ("individual", _("个人信息"), CustomerKind.INDIVIDUAL, ["gender", "age_band", "occupation", "birthday", "mobile", "email", "wechat", "interests", "buying_habits", "purchase_history"]),
    ("needs", _("需求"), None, ["core_need", "need_tags", "urgency", "budget", "decision_chain", "current_solution", "pain_points", "expected_outcome", "preferred_contact"]),
    ("notes", _("备注"), None, ["special_requirements", "risk_notes", "remarks"]),
]  # fmt: skip
PAGE_PII_FIELDS = {"mobile", "email", "switchboard"}
LONG_TEXT_FIELDS = {
    "main_business",
    "purchase_history",
    "core_need",
    "current_solution",
    "pain_points",
    "expected_outcome",
    "special_requirements",
    "risk_notes",
    "remarks",
}


def _value_display(c: Customer, name: str) -> str:
    if name == "budget":
        return budget_display(c.budget_min, c.budget_max)
    if name == "decision_chain":
        return decision_chain_display(c.decision_chain)
    if name == "need_tags":
        return join_list(c.need_tags or [])
    if name == "collaborators":
        return join_list(c.collaborators.all())
    if name in PAGE_PII_FIELDS:
        return customer_pii(c)[name]
    if name in REFDATA_DISPLAY:
        return REFDATA_DISPLAY[name](getattr(c, f"{name}_id"))
    value = getattr(c, name)
    if value is None or value == "":
        return ""
    if hasattr(c, f"get_{name}_display"):
        return str(getattr(c, f"get_{name}_display")())
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def detail_sections(c: Customer) -> list[dict]:
    """The record page's sections of filled-in or 待确认 fields, with display values (personal
    values masked); the other kind's section is left out."""
    pending = set(c.pending_fields or [])
    sections = []
    for key, title, kind, names in DETAIL_SECTIONS:
        if kind and kind != c.kind:
            continue
        rows = []
        for name in names:
            is_pending = (
                bool(pending & {"budget_min", "budget_max"})
                if name == "budget"
                else name in pending
            )
            value = _value_display(c, name)
            if not value and not is_pending:
                continue
            label = (
                _("预算（万元）") if name == "budget" else field_label("customers.customer", name)
            )
            rows.append(
                {
                    "name": name,
                    "label": label,
                    "value": value,
                    "pending": is_pending,
                    "pii": name in PAGE_PII_FIELDS,
                    "long": name in LONG_TEXT_FIELDS,
                }
            )
        sections.append({"key": key, "title": title, "rows": rows})
    return sections
