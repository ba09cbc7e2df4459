"""Identity keys of a customer (DOMAIN.md 查重): credit code, normalised mobiles and emails of the
customer and its contacts, the company-name core, and an individual's name + mobile."""

import re

from kehu.customers.choices import CustomerKind
from kehu.customers.normalize import clean_text, name_core, normalize_mobile
from kehu.dedup.choices import KeyKind
from kehu.dedup.models import DedupKey

_MOBILE = re.compile(r"1[3-9]\d{9}")


def keys_from_values(
    *, kind: str, name: str, uscc: str = "", mobiles=(), emails=()
) -> set[tuple[str, str]]:
    """Keys for raw values, used both for stored customers and for a form being typed."""
    keys: set[tuple[str, str]] = set()
    if uscc:
        keys.add((KeyKind.USCC, uscc.replace(" ", "").upper()))
    phones = {normalize_mobile(m) for m in mobiles if m}
    # Only real mobiles identify someone: a landline is shared by a whole switchboard.
    phones = {p for p in phones if _MOBILE.fullmatch(p)}
    keys |= {(KeyKind.PHONE, p) for p in phones}
    keys |= {(KeyKind.EMAIL, clean_text(e).lower()) for e in emails if e}
    if name:
        if kind == CustomerKind.INDIVIDUAL:
            person = clean_text(name).replace(" ", "")
            # No name key for a person: thousands of customers are called 张伟.
            keys |= {(KeyKind.PERSON, f"{person}|{p}") for p in phones}
        else:
            keys.add((KeyKind.NAME, name_core(name)))
    return {(k, v[:200]) for k, v in keys if v}


def keys_for(customer, contacts) -> set[tuple[str, str]]:
    return keys_from_values(
        kind=customer.kind,
        name=customer.name,
        uscc=customer.uscc,
        mobiles=[customer.mobile, *(c.mobile for c in contacts)],
        emails=[customer.email, *(c.email for c in contacts)],
    )


def reindex(customer) -> None:
    """Replace the customer's keys with those its current data gives (called by the services)."""
    wanted = keys_for(customer, list(customer.contacts.all()))
    existing = set(DedupKey.objects.filter(customer=customer).values_list("kind", "value"))
    stale = existing - wanted
    if stale:
        for kind, value in stale:
            DedupKey.objects.filter(customer=customer, kind=kind, value=value).delete()
    DedupKey.objects.bulk_create(
        [DedupKey(customer=customer, kind=k, value=v) for k, v in wanted - existing]
    )
