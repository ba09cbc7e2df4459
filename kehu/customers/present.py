"""Customer data as a person may see it: personal values masked unless they may reveal them.

Both the API and the pages present records through here, so masking has one definition."""

from kehu.core.masking import mask_email, mask_phone
from kehu.customers.models import Contact, Customer


def can_reveal(user) -> bool:
    return user.has_perm("customers.reveal_pii")


def _user_ref(user):
    return {"id": user.pk, "name": str(user)} if user else None


def _phone(value: str, reveal: bool) -> str:
    return value if reveal else mask_phone(value)


def _email(value: str, reveal: bool) -> str:
    return value if reveal else mask_email(value)


def customer_item(c: Customer, reveal: bool) -> dict:
    return {
        "id": c.pk,
        "number": c.number,
        "kind": c.kind,
        "status": c.status,
        "name": c.name,
        "short_name": c.short_name,
        "owner": _user_ref(c.owner),
        "region_code": c.region_id,
        "region": c.region.full_name if c.region_id else "",
        "industry_code": c.industry_id,
        "industry": c.industry.full_name if c.industry_id else "",
        "source": c.source.name if c.source_id else "",
        "urgency": c.urgency,
        "mobile": _phone(c.mobile, reveal),
        "email": _email(c.email, reveal),
        "version": c.version,
        "updated_at": c.updated_at,
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
    data = customer_item(c, reveal)
    data.update({f: getattr(c, f) for f in DETAIL_PLAIN_FIELDS})
    data["switchboard"] = _phone(c.switchboard, reveal)
    data["collaborators"] = [_user_ref(u) for u in c.collaborators.all()]
    data["contacts"] = [contact_item(x, reveal) for x in c.contacts.all()]
    return data
