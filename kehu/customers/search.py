"""The search box: one query finds customers by name or short name (any fragment), full pinyin,
pinyin initials, phone (full or last four), email, credit code or customer number.

Terms are written by `reindex` (called from the services) and read by prefix range scans on
the (term, customer) index, or the (owner, term, customer) index in a narrow data scope, so a
search costs the same at a thousand rows as at a million.
"""

import re
from dataclasses import dataclass

from django.db import connections
from django.db.models import Q, QuerySet

from kehu.core.pagination import COUNT_CAP
from kehu.core.queries import column, one_of
from kehu.customers.models import Contact, Customer, SearchTerm
from kehu.customers.normalize import (
    clean_text,
    name_core,
    normalize_mobile,
    pinyin_full,
    pinyin_initials,
)

MAX_TERM = 120
# No condition on the customer columns themselves (number, credit code): matches nothing.
NO_DIRECT = Q(pk__in=[])
MAX_FRAGMENT_SUFFIXES = 30
CANDIDATE_CAP = 1000
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
    """Replace the customer's search terms with the ones its current data gives, each carrying
    the customer's current owner (a transfer changes the owner of every term)."""
    wanted = terms_for(customer, list(customer.contacts.all()))
    owner_id = customer.owner_id
    rows = SearchTerm.objects.filter(customer=customer).values_list("term", "owner_id")
    existing = dict(rows)
    if existing.keys() - wanted:
        SearchTerm.objects.filter(customer=customer, term__in=existing.keys() - wanted).delete()
    if any(owner != owner_id for term, owner in existing.items() if term in wanted):
        SearchTerm.objects.filter(customer=customer).update(owner_id=owner_id)
    SearchTerm.objects.bulk_create(
        [SearchTerm(customer=customer, term=t, owner_id=owner_id) for t in wanted - existing.keys()]
    )


def owner_changed(customer: Customer) -> None:
    """Copy a new owner onto the customer's search terms: every write of Customer.owner calls
    this (a transfer, the pool) or reindex()."""
    SearchTerm.objects.filter(customer=customer).update(owner_id=customer.owner_id)


def _prefix(term: str) -> Q:
    """term LIKE 'x%' as a range both databases answer from the index (byte order, COLLATE "C")."""
    upper = term[:-1] + chr(ord(term[-1]) + 1)
    return Q(term__gte=term, term__lt=upper)


def query_terms(raw: str) -> tuple[Q | None, Q]:
    """Split what was typed into term-index conditions and direct column conditions."""
    text = clean_text(raw).replace(" ", "").lower()
    if not text:
        return None, NO_DIRECT
    direct = NO_DIRECT
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


@dataclass
class Match:
    """What a search narrows a list to: `condition`, and `found`, the number of matching
    customers in the scope when the lookup already knows it — exactly, or as a number above
    the list's count cap (COUNT_CAP) when there are more — so that a list without other
    filters needs no count query."""

    condition: Q
    found: int | None = None
    # The condition is a list of ids, all in the user's scope: the list reads them by primary
    # key as one scoped query instead of splitting the scope into index ranges.
    by_ids: bool = False


def matching(raw: str, *, owners: list[int] | None, shared: QuerySet) -> Match:
    """How to narrow a scoped customer list to the customers matching `raw`.

    `owners` are the owners whose customers the list's scope covers (None: the whole company)
    and `shared` the ids of the customers shared with the user (a values("customer_id")
    queryset), the two inputs of the scope. The candidate ids are looked up here, once for
    every part of the list:

    - Company-wide, from the (term, customer) index, newest first, at most CANDIDATE_CAP + 1.
      Most words (a name, a phone) match fewer: the list is complete and its rows are read by
      primary key; a broad word (科技) shows the newest candidates and counts "1000+": people
      narrow the word.
    - In a narrow scope no match may be lost behind others' matches, and none is: the owners'
      matches come from the (owner, term) index (terms carry their customer's owner), the
      shared customers' from their own terms. Up to CANDIDATE_CAP they are a list of ids; a
      denser word (餐饮 in a region) is joined by the database, from the same owner index.

    Input that may also be a customer number or a credit code is matched on those columns
    too; its number of matches is then not known here.
    """
    term_q, direct = query_terms(raw)
    known = direct == NO_DIRECT
    if term_q is None:
        return Match(direct)
    if owners is None:
        ids = _candidates(term_q)
        return Match(Q(pk__in_ids=ids) | direct, len(ids) if known else None)
    own = one_of("owner_id", owners)
    ids, complete = _owned_candidates(term_q, own)
    # The few customers shared with the user: found through their own terms, in one query.
    shared_ids = column(
        SearchTerm.objects.filter(term_q, customer_id__in=shared)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    if complete:
        found = sorted({*ids, *shared_ids})
        return Match(Q(pk__in_ids=found) | direct, len(found) if known else None, by_ids=known)
    condition = Q(pk__in=_owned_matches(term_q, own)) | Q(pk__in_ids=shared_ids) | direct
    # More owned matches than the count shows: "1000+" without counting them.
    return Match(condition, len(ids) if known and len(ids) > COUNT_CAP else None)


def _ranges(term_q: Q) -> list[Q]:
    """The index ranges OR-ed in `term_q`, each answerable by one index-only scan."""
    parts = term_q.children if term_q.connector == Q.OR else [term_q]
    return [part if isinstance(part, Q) else Q(part) for part in parts]


def _candidates(term_q: Q) -> list[int]:
    """Up to CANDIDATE_CAP + 1 ids of the newest customers matching `term_q`: each range of
    the (term, customer) index read backwards, one after the other (an OR of ranges would be
    a bitmap scan sorted as a whole), without DISTINCT (which would aggregate every match of a
    broad word before the LIMIT). Where the database takes ordered, limited parts in a
    UNION ALL (PostgreSQL) the ranges are one query, read in turn up to CANDIDATE_ROWS."""
    ranges = [
        SearchTerm.objects.filter(condition)
        .order_by("-term", "-customer_id")
        .values_list("customer_id", flat=True)[:CANDIDATE_ROWS]
        for condition in _ranges(term_q)
    ]
    ids: dict[int, None] = {}
    if len(ranges) > 1 and connections[ranges[0].db].features.supports_slicing_ordering_in_compound:
        ranges = [ranges[0].union(*ranges[1:], all=True)[:CANDIDATE_ROWS]]
    for rows in ranges:
        ids.update(dict.fromkeys(column(rows)))
        if len(ids) > CANDIDATE_CAP:
            break
    return list(ids)[: CANDIDATE_CAP + 1]


def _owned_matches(term_q: Q, own: Q) -> QuerySet:
    """The customer ids of the terms matching `term_q` that `own` selects (the scope's
    owners), as one UNION ALL of index-only scans of the (owner, term, customer) index, one
    per range (an OR of ranges would be a bitmap scan reading the table)."""
    first, *rest = [
        SearchTerm.objects.filter(condition, own).values_list("customer_id", flat=True)
        for condition in _ranges(term_q)
    ]
    return first.union(*rest, all=True) if rest else first


def _owned_candidates(term_q: Q, own: Q) -> tuple[list[int], bool]:
    """The ids of the customers matching `term_q` among the scope's owners' terms, and whether
    that list is all of them: at most CANDIDATE_CAP customers, found before reading
    CANDIDATE_ROWS terms."""
    rows = column(_owned_matches(term_q, own)[:CANDIDATE_ROWS])
    ids = list(dict.fromkeys(rows))
    return ids, len(ids) <= CANDIDATE_CAP and len(rows) < CANDIDATE_ROWS
