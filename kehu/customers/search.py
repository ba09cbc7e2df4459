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
# A word with this many terms (about 1 % of a million customers) is dense enough that walking a
# scoped list in order and checking each customer finds a page sooner than joining every match.
DENSE_TERMS = 10_000
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


def search_list(
    querysets: list[QuerySet[Customer]], raw: str, *, whole_company: bool
) -> tuple[list[QuerySet[Customer]], list[QuerySet[Customer]]]:
    """`querysets` (parts of one scoped list) narrowed to the customers matching `raw`, twice:
    written to read a page quickly, and written to count quickly (the same rows).

    The candidate ids come first from the index, once for all parts: at most
    CANDIDATE_CAP + 1. Most words (a name, a phone) match fewer: that list is complete and the
    customers are read by primary key. A broad word (科技, 1385) matches more. Company-wide, the
    page then shows the newest of the candidates (read newest-first) and counts "1000+"; people
    narrow the word. In a narrow scope no match may be lost behind others' matches: a word with
    some thousands of matches is joined with the scope by the database; a denser one (DENSE_TERMS)
    walks the scoped list in order and checks each customer against the (customer, term) key
    (EXISTS), which finds a page after a few hundred rows, and within a rep's book is bounded
    by the book.
    """
    term_q, direct = query_terms(raw)
    if term_q is None:
        found = [qs.filter(direct) for qs in querysets]
        return found, found
    ids = _candidates(term_q, newest_first=whole_company)
    if len(ids) <= CANDIDATE_CAP or whole_company:
        found = [qs.filter(Q(pk__in=ids) | direct) for qs in querysets]
        return found, found
    # Some thousands of matches: the database joins them all with the scope.
    matches = SearchTerm.objects.filter(term_q).values("customer_id")
    joined = [qs.filter(Q(pk__in=matches) | direct) for qs in querysets]
    if not _dense(term_q):
        return joined, joined
    # One customer in a hundred or more: walking the list in order finds a page quickly, while
    # counting that way would walk until the cap; the count joins instead.
    matching = SearchTerm.objects.filter(term_q, customer_id=OuterRef("pk"))
    return [qs.filter(Q(Exists(matching)) | direct) for qs in querysets], joined


def _ranges(term_q: Q) -> list[Q]:
    """The index ranges OR-ed in `term_q`, each answerable by one index-only scan."""
    parts = term_q.children if term_q.connector == Q.OR else [term_q]
    return [part if isinstance(part, Q) else Q(part) for part in parts]


def _dense(term_q: Q) -> bool:
    """At least DENSE_TERMS terms match (counted range by range, index only)."""
    total = 0
    for condition in _ranges(term_q):
        total += SearchTerm.objects.filter(condition).order_by()[: DENSE_TERMS - total].count()
        if total >= DENSE_TERMS:
            return True
    return False


def _candidates(term_q: Q, *, newest_first: bool) -> list[int]:
    """Up to CANDIDATE_CAP + 1 customer ids matching `term_q`, without DISTINCT (which would
    aggregate every match of a broad word before the LIMIT). Newest first means one backward
    index range at a time (an OR of ranges would be a bitmap scan sorted as a whole)."""
    if not newest_first:
        rows = SearchTerm.objects.filter(term_q).order_by().values_list("customer_id", flat=True)
        return list(dict.fromkeys(rows[:CANDIDATE_ROWS]))[: CANDIDATE_CAP + 1]
    ids: dict[int, None] = {}
    for condition in _ranges(term_q):
        rows = (
            SearchTerm.objects.filter(condition)
            .order_by("-term", "-customer_id")
            .values_list("customer_id", flat=True)[:CANDIDATE_ROWS]
        )
        ids.update(dict.fromkeys(rows))
        if len(ids) > CANDIDATE_CAP:
            break
    return list(ids)[: CANDIDATE_CAP + 1]
