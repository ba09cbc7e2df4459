"""The search box: one query finds customers by name or short name (any fragment), full pinyin,
pinyin initials, phone (full or last four), email, credit code or customer number.

Terms are written by `reindex` (called from the services) and read by prefix range scans on
the (term, customer) index, so a search costs the same at a thousand rows as at a million.
"""

import re

from django.db.models import Exists, OuterRef, Q, QuerySet

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
CANDIDATE_CAP = 1000
# A scope up to this size is walked row by row against the index for a broad word.
SMALL_SCOPE = 5000
# A customer matches a prefix through a few terms at most (name, short name, pinyin, contacts):
# reading this many index entries finds CANDIDATE_CAP + 1 customers when there are that many.
CANDIDATE_ROWS = (CANDIDATE_CAP + 1) * 4


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
    """Customers in `queryset` (already scoped) matching `raw`."""
    return search_parts([queryset], raw, whole_company=whole_company)[0]


def search_parts(
    querysets: list[QuerySet[Customer]], raw: str, *, whole_company: bool
) -> list[QuerySet[Customer]]:
    """Each of `querysets` (parts of one scoped list) narrowed to the customers matching `raw`.

    The candidate ids come first from the index, once for all parts: at most
    CANDIDATE_CAP + 1. Most words (a name, a phone) match fewer: that list is complete and the
    customers are read by primary key. A broad word (科技, 1385) matches more. Company-wide, the
    page then shows the newest of the candidates (read newest-first) and counts "1000+"; people
    narrow the word. In a small scope (a rep's book) the customers are walked in list order and
    each is checked against the index (EXISTS on the (customer, term) key): no match in scope
    is lost behind others' matches and the cost is bounded by the scope, not by the word. A
    wide scope (a region) joins all the matches.
    """
    term_q, direct = query_terms(raw)
    if term_q is None:
        return [qs.filter(direct) for qs in querysets]
    ids = _candidates(term_q, newest_first=whole_company)
    if len(ids) <= CANDIDATE_CAP or whole_company:
        return [qs.filter(Q(pk__in=ids) | direct) for qs in querysets]
    return [_broad(qs, term_q, direct) for qs in querysets]


def _broad(queryset: QuerySet[Customer], term_q: Q, direct: Q) -> QuerySet[Customer]:
    if queryset.order_by().values("pk")[: SMALL_SCOPE + 1].count() > SMALL_SCOPE:
        matches = SearchTerm.objects.filter(term_q).values("customer_id")
        return queryset.filter(Q(pk__in=matches) | direct)
    matching = SearchTerm.objects.filter(term_q, customer_id=OuterRef("pk"))
    return queryset.filter(Q(Exists(matching)) | direct)


def _candidates(term_q: Q, *, newest_first: bool) -> list[int]:
    """Up to CANDIDATE_CAP + 1 customer ids matching `term_q`, without DISTINCT (which would
    aggregate every match of a broad word before the LIMIT). Newest first means one backward
    index range at a time (an OR of ranges would be a bitmap scan sorted as a whole)."""
    if not newest_first:
        rows = SearchTerm.objects.filter(term_q).order_by().values_list("customer_id", flat=True)
        return list(dict.fromkeys(rows[:CANDIDATE_ROWS]))[: CANDIDATE_CAP + 1]
    ranges = term_q.children if term_q.connector == Q.OR else [term_q]
    ids: dict[int, None] = {}
    for part in ranges:
        condition = part if isinstance(part, Q) else Q(part)
        rows = (
            SearchTerm.objects.filter(condition)
            .order_by("-term", "-customer_id")
            .values_list("customer_id", flat=True)[:CANDIDATE_ROWS]
        )
        ids.update(dict.fromkeys(rows))
        if len(ids) > CANDIDATE_CAP:
            break
    return list(ids)[: CANDIDATE_CAP + 1]
