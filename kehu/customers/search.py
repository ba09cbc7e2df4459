"""The search box: one query finds customers by name or short name (any fragment), full pinyin,
pinyin initials, phone (full or last four), email, credit code or customer number.

Terms are written by `reindex` (called from the services) and read by prefix range scans on
the (term, customer) index, so a search costs the same at a thousand rows as at a million.
"""

import re

from django.db.models import Q, QuerySet

from kehu.customers.models import Contact, Customer, SearchTerm
from kehu.customers.normalize import (
    clean_text,
    name_core,
    normalize_mobile,
    pinyin_full,
    pinyin_initials,
)

MAX_TERM = 120
MAX_FRAGMENT_SUFFIXES = 30
CANDIDATE_CAP = 2000
# A customer matches a prefix through a few terms at most (name, short name, pinyin, contacts).
TERMS_PER_CANDIDATE = 4


def _suffixes(text: str) -> list[str]:
    return [text[i:] for i in range(min(len(text), MAX_FRAGMENT_SUFFIXES))]


def _phone_terms(phone: str) -> set[str]:
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 4:
        return set()
    return {f"t:{digits}", f"4:{digits[-4:]}"}


def terms_for(customer: Customer, contacts: list[Contact]) -> set[str]:
    terms: set[str] = set()
    full = clean_text(customer.name).replace(" ", "").lower()
    names = {name_core(customer.name), clean_text(customer.short_name).replace(" ", "").lower()} - {
        ""
    }
    terms.add(f"n:{full}")
    for text in names:
        terms.update(f"n:{s}" for s in _suffixes(text))
        terms.add(f"p:{pinyin_full(text)}")
        terms.add(f"i:{pinyin_initials(text)}")
    terms.add(f"i:{pinyin_initials(full)}")
    for phone in [customer.mobile, customer.switchboard]:
        terms |= _phone_terms(phone)
    for email in [customer.email]:
        if email:
            terms.add(f"e:{email.lower()}")
    for contact in contacts:
        terms |= _phone_terms(contact.mobile) | _phone_terms(contact.landline)
        if contact.email:
            terms.add(f"e:{contact.email.lower()}")
        terms.add(f"c:{clean_text(contact.name).replace(' ', '').lower()}")
    return {t[:MAX_TERM] for t in terms if len(t) > 2}


def reindex(customer: Customer) -> None:
    """Replace the customer's search terms with the ones its current data gives."""
    wanted = terms_for(customer, list(customer.contacts.all()))
    existing = set(SearchTerm.objects.filter(customer=customer).values_list("term", flat=True))
    if existing - wanted:
        SearchTerm.objects.filter(customer=customer, term__in=existing - wanted).delete()
    SearchTerm.objects.bulk_create(
        [SearchTerm(customer=customer, term=t) for t in wanted - existing]
    )


def _prefix(term: str) -> Q:
    """term LIKE 'x%' as a range both databases answer from the index (byte order, COLLATE "C")."""
    upper = term[:-1] + chr(ord(term[-1]) + 1)
    return Q(term__gte=term, term__lt=upper)


def query_terms(raw: str) -> tuple[Q | None, Q]:
    """Split what was typed into term-index conditions and direct column conditions."""
    text = clean_text(raw).replace(" ", "").lower()
    if not text:
        return None, Q(pk__in=[])
    direct = Q(pk__in=[])
    if "@" in text:
        return _prefix(f"e:{text}"), direct
    if re.fullmatch(r"c\d{4,}", text):
        direct |= Q(number__startswith=text.upper())
    if re.fullmatch(r"[0-9a-z]{18}", text):
        direct |= Q(uscc=text.upper())
    digits = normalize_mobile(text)
    if re.fullmatch(r"\d+", digits):
        terms = _prefix(f"t:{digits}") if len(digits) >= 4 else None
        if len(digits) == 4:
            terms = Q(term=f"4:{digits}") | terms
        return terms, direct
    if re.fullmatch(r"[a-z]+", text):
        return _prefix(f"p:{text}") | _prefix(f"i:{text}"), direct
    return _prefix(f"n:{text}") | _prefix(f"c:{text}"), direct


def search(queryset: QuerySet[Customer], raw: str, *, whole_company: bool) -> QuerySet[Customer]:
    """Customers in `queryset` (already scoped) matching `raw`.

    For a company-wide scope the candidate ids come first from the index (capped); for a narrow
    scope the database joins the user's few customers against the index instead, so no match
    in scope is lost behind others' matches.
    """
    term_q, direct = query_terms(raw)
    if term_q is None:
        return queryset.filter(direct)
    matches = SearchTerm.objects.filter(term_q).values_list("customer_id", flat=True)
    if whole_company:
        # No DISTINCT: the database would aggregate every match before the LIMIT applies (all
        # 科技 companies for "科技"); reading a few terms per customer in index order stops early.
        rows = matches.order_by()[: CANDIDATE_CAP * TERMS_PER_CANDIDATE]
        ids = list(dict.fromkeys(rows))[:CANDIDATE_CAP]
        return queryset.filter(Q(pk__in=ids) | direct)
    return queryset.filter(Q(pk__in=matches) | direct)
