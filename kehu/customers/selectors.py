"""Every read of customers and contacts for a user starts from scope() (DESIGN.md rule 3):
out of scope is indistinguishable from missing (NotFound → 404)."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import chain

from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.accounts.access import access_for, organisation_memo
from kehu.accounts.models import Department, User
from kehu.accounts.scoping import CHANGE, VIEW, permits, scope, visible_owner_ids
from kehu.accounts.selectors import user_names
from kehu.audit.models import AuditEvent, FieldChange
from kehu.core.errors import NotFound, PermissionDenied, ValidationFailed
from kehu.core.language import in_english, join_list
from kehu.core.pagination import COUNT_CAP, Page, keyset_page_parts
from kehu.customers import filters as filters_module
from kehu.customers import present, search
from kehu.customers.filters import SORTS, CustomerFilter, ScopeParts
from kehu.customers.models import Contact, Customer, SavedView, SourceChannel, shared_with
from kehu.customers.present import field_label

# The record's own related rows. Region and industry names come from the in-memory reference
# data (present.py): joining those tables cost PostgreSQL more to plan than the page to read.
RECORD_RELATED = ["owner", "source", "created_by", "updated_by"]


def customers_for(user, action: str = VIEW) -> QuerySet[Customer]:
    return scope(Customer.objects.all(), user, action)


def customer_list(
    *, user, filters: CustomerFilter, cursor: str | None = None, limit: int | None = None
) -> Page:
    errors = filters.errors()
    if errors:
        raise ValidationFailed(errors[0]["message"], errors=errors)
    keys = SORTS[filters.sort]
    match = search.Match(Q())
    if filters.q:
        owners = visible_owner_ids(user, Customer.scope_module)
        match = search.matching(
            filters.q, owners=None if owners is None else sorted(owners), shared=shared_with(user)
        )
    # A search that found its ids reads them by primary key: the scope as one query is cheap
    # on a few hundred rows, while its parts would each be planned and read.
    parts = None if match.by_ids else filters_module.scope_parts(user)
    parts = parts or ScopeParts.whole(customers_for(user))
    parts = parts.narrowed(lambda qs: filters.apply(qs).filter(match.condition))
    # The search may know how many it found: then, without other filters, nothing is counted.
    found = None if filters.narrows() else match.found
    # Rows are dicts of the columns a list shows (present.LIST_VALUES) and the sort's keys.
    sort_columns = [key.lstrip("-") for key in keys if key.lstrip("-") not in present.LIST_VALUES]
    page = keyset_page_parts(
        parts.page,
        keys=keys,
        cursor=cursor,
        limit=limit,
        columns=present.LIST_VALUES + sort_columns,
        count_parts=parts.count,
        count=found is None,
    )
    _name(page.items, user)
    if found is not None:
        page = replace(page, count=min(found, COUNT_CAP), count_capped=found > COUNT_CAP)
    return page


def _name(rows: list[dict], user) -> None:
    """Add `owner_name` and `source_name` to list rows, from memory (present.LIST_VALUES)."""
    owners, sources = user_names(user=user), source_names(user=user)
    for row in rows:
        row["owner_name"] = owners.get(row["owner_id"])
        row["source_name"] = sources.get(row["source_id"])


def source_names(*, user) -> dict[int, str]:
    """Every source channel's name by id, inactive ones too (old records keep theirs)."""
    return _source_channels(user)[0]


def _source_channels(user) -> tuple[dict[int, str], tuple[tuple[int, str], ...]]:
    """(names of all channels by id, (id, name) of the active ones in the administrators'
    order) in the request's language, kept per access version, which every save of a channel
    changes (apps.py)."""

    def compute():
        rows = list(SourceChannel.objects.values_list("id", "name", "name_en", "is_active"))
        by_language = {}
        for english in (False, True):
            names = {pk: (name_en or name) if english else name for pk, name, name_en, _a in rows}
            active = tuple((pk, names[pk]) for pk, _n, _e, is_active in rows if is_active)
            by_language[english] = (names, active)
        return by_language

    return organisation_memo(user, "customers.source_channels", compute)[in_english()]


def with_primary_contacts(rows: list[dict]) -> list[dict]:
    """Attach each list row's primary contact as `primary_contact` (name, mobile, email; None
    when there is none) in one query for the whole page, for lists that show an enterprise's
    phone."""
    contacts = Contact.objects.filter(customer_id__in=[row["id"] for row in rows], is_primary=True)
    primary = {
        c["customer_id"]: c for c in contacts.values("customer_id", "name", "mobile", "email")
    }
    for row in rows:
        row["primary_contact"] = primary.get(row["id"])
    return rows


def customer_get(*, user, customer_id: int, action: str = VIEW) -> Customer:
    """The customer if `user` may see it (else NotFound: 404, existence does not leak) and,
    for another `action`, may also do that to it (else PermissionDenied: 403)."""
    try:
        customer = customers_for(user).select_related(*RECORD_RELATED).get(pk=customer_id)
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise NotFound("客户不存在") from None
    if action != VIEW and not permits(user, customer, action):
        raise PermissionDenied(gettext("没有修改该客户的权限"))
    return customer


def contact_list(*, customer: Customer) -> list[Contact]:
    """Contacts of a customer already fetched through customer_get (so already in scope); kept
    on the instance, so later reads of customer.contacts.all() cost no query."""
    prefetch_related_objects([customer], "contacts")
    return list(customer.contacts.all())


def contact_get(*, user, customer_id: int, contact_id: int, action: str = VIEW) -> Contact:
    customer = customer_get(user=user, customer_id=customer_id, action=action)
    try:
        return customer.contacts.get(pk=contact_id)
    except (Contact.DoesNotExist, ValueError):
        raise NotFound("联系人不存在") from None


def customer_history(*, customer: Customer, limit: int = 200) -> list[FieldChange]:
    """Field changes of the customer and of its contacts, newest first."""
    own = FieldChange.objects.filter(target_type="customers.customer", target_id=customer.pk)
    contact_ids = [c.pk for c in customer.contacts.all()]  # prefetched by the record page
    theirs = FieldChange.objects.filter(target_type="customers.contact", target_id__in=contact_ids)
    rows = chain(own.select_related("actor")[:limit], theirs.select_related("actor")[:limit])
    return sorted(rows, key=lambda r: (r.at, r.pk), reverse=True)[:limit]


# --- what the pages need beside the records ---------------------------------------------------


def source_channels(*, user) -> tuple[tuple[int, str], ...]:
    """(id, name) of the active source channels (来源渠道), in the administrators' order: the
    forms and the list's filter offer these."""
    return _source_channels(user)[1]


def owner_choices(*, user) -> tuple[tuple[int, str], ...]:
    """(id, name) of the active users whose customers `user` may see: the 负责人 filter offers
    these. Kept with the user's access: it changes only when the organisation does."""

    def compute():
        qs = User.objects.filter(is_active=True).order_by("department__path", "id")
        owner_ids = visible_owner_ids(user, Customer.scope_module)
        users = qs if owner_ids is None else qs.filter(pk__in=owner_ids)
        return tuple((u.pk, str(u)) for u in users.only("id", "username", "display_name"))

    return access_for(user).memo("customers.owner_choices", compute)


def department_choices(*, user) -> tuple[tuple[int, str], ...]:
    """(id, name) of the departments worth filtering by: all for a company-wide scope, else
    those of the owners `user` may see. Kept with the user's access, as owner_choices."""

    def compute():
        owner_ids = visible_owner_ids(user, Customer.scope_module)
        departments = Department.objects.all()
        if owner_ids is not None:
            departments = departments.filter(members__pk__in=owner_ids).distinct()
        return tuple((d.pk, d.name) for d in departments.only("id", "name", "path"))

    return access_for(user).memo("customers.department_choices", compute)


def transfer_candidates(*, user, customer: Customer) -> list[User]:
    """Who `user` may hand the customer to: anyone active when it is their own customer,
    else the active users inside their own data scope (customer_transfer enforces the same)."""
    qs = (
        User.objects.filter(is_active=True)
        .exclude(pk=customer.owner_id or 0)
        .select_related("department")
        .order_by("department__path", "id")
    )
    owner_ids = visible_owner_ids(user, Customer.scope_module)
    if customer.owner_id == user.pk or owner_ids is None:
        return list(qs)
    return list(qs.filter(pk__in=owner_ids))


def can_change(*, user, customer: Customer) -> bool:
    """Whether customer_get(action=CHANGE) lets `user` change the customer they see."""
    return permits(user, customer, CHANGE)


def can_transfer(*, user, customer: Customer) -> bool:
    """The owner may hand over their own customer; others need the transfer permission."""
    return can_change(user=user, customer=customer) and (
        customer.owner_id == user.pk or user.has_perm("customers.transfer_customer")
    )


# --- saved list views ---------------------------------------------------------------------------


def saved_view_list(*, user) -> list[SavedView]:
    return list(SavedView.objects.filter(user=user))


def saved_view_get(*, user, view_id: int) -> SavedView:
    """One of the user's own saved views; anyone else's is NotFound."""
    try:
        return SavedView.objects.get(pk=view_id, user=user)
    except (SavedView.DoesNotExist, ValueError, TypeError):
        raise NotFound("视图不存在") from None


# --- timeline (时间线) ------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    """One thing that happened to a customer, as the 时间线 shows it."""

    at: dt.datetime
    kind: str  # "event", "change"; later modules add theirs ("followup", "order"…)
    actor: str
    title: str
    lines: list[str] = field(default_factory=list)
    # The record fields the entry changed (a change) or changes by nature (an event).
    fields: frozenset[str] = frozenset()


TimelineSource = Callable[[Customer], Iterable[TimelineEntry]]
TIMELINE_SOURCES: list[TimelineSource] = []


def timeline_source(source: TimelineSource) -> TimelineSource:
    """Register a function that yields a customer's entries of one kind (a decorator): later
    modules (follow-ups, opportunities, tickets) add theirs and the 时间线 merges them all."""
    TIMELINE_SOURCES.append(source)
    return source


# Audit actions shown on the timeline: title, and the fields the action writes (their field
# changes are shown inside the event). Other, technical actions are left out.
TIMELINE_EVENTS = {
    "customer.create": (_("创建客户"), frozenset()),
    "customer.transfer": (_("转移负责人"), frozenset({"owner"})),
    "customer.merge": (_("合并客户"), frozenset()),
    "customer.merge_undo": (_("撤销合并"), frozenset()),
    "contact.create": (_("添加联系人"), frozenset()),
    "contact.delete": (_("删除联系人"), frozenset()),
}
EVENT_FIELDS = frozenset().union(*(fields for _title, fields in TIMELINE_EVENTS.values()))


def timeline_event(action: str, title) -> None:
    """Show another app's audit action on the timeline (one that writes no record fields):
    kehu.dedup registers its "create anyway" and its overrides."""
    TIMELINE_EVENTS[action] = (title, frozenset())


TIMELINE_LIMIT = 100
# Rows one write produces are written within this window of each other.
TIMELINE_SAME_STEP = dt.timedelta(seconds=2)


def _actor_name(user) -> str:
    return str(user) if user else str(_("系统"))


def _event_lines(event: AuditEvent) -> list[str]:
    data = event.data or {}
    if event.action == "customer.create":
        return [_("客户编号：%(number)s") % {"number": data.get("number", "")}]
    if data.get("reason") and isinstance(data["reason"], str):
        return [_("原因：%(reason)s") % {"reason": data["reason"]}]
    if event.action.startswith("contact.") and data.get("name"):
        return [str(data["name"])]
    if event.action == "customer.merge" and data.get("merged"):
        return [join_list(data["merged"])]
    return []


@timeline_source
def _audit_entries(customer: Customer) -> list[TimelineEntry]:
    events = AuditEvent.objects.filter(
        target_type="customers.customer",
        target_id=str(customer.pk),
        action__in=list(TIMELINE_EVENTS),
    ).select_related("actor")[:TIMELINE_LIMIT]
    return [
        TimelineEntry(
            at=e.at,
            kind="event",
            actor=_actor_name(e.actor),
            title=str(TIMELINE_EVENTS[e.action][0]),
            lines=_event_lines(e),
            fields=TIMELINE_EVENTS[e.action][1],
        )
        for e in events
    ]


@timeline_source
def _history_entries(customer: Customer) -> list[TimelineEntry]:
    """Field changes, one entry per save: same person, same record, within a moment, no field
    twice. Fields an event writes (负责人 by a transfer) stay apart, to be shown in the event."""
    names = {c.pk: c.name for c in customer.contacts.all()}
    entries: list[TimelineEntry] = []
    key = None
    for change in customer_history(customer=customer, limit=TIMELINE_LIMIT):
        this_key = (
            change.actor_id,
            change.target_type,
            change.target_id,
            change.field in EVENT_FIELDS,
        )
        line = _("%(field)s：%(old)s → %(new)s") % {
            "field": field_label(change.target_type, change.field),
            "old": change.old or "—",
            "new": change.new or "—",
        }
        if (
            this_key == key
            and entries[-1].at - change.at <= TIMELINE_SAME_STEP
            and change.field not in entries[-1].fields
        ):
            entries[-1].lines.append(line)
            entries[-1].fields |= {change.field}
            continue
        key = this_key
        if change.target_type == "customers.contact":
            title = _("修改联系人 %(name)s") % {"name": names.get(change.target_id, "")}
        else:
            title = _("修改客户资料")
        entries.append(
            TimelineEntry(
                at=change.at,
                kind="change",
                actor=_actor_name(change.actor),
                title=str(title).strip(),
                lines=[line],
                fields=frozenset({change.field}),
            )
        )
    return entries


def _absorbs(event: TimelineEntry, change: TimelineEntry) -> bool:
    """Whether `change` is the field change `event` made (a transfer and its 负责人 change)."""
    return (
        event.kind == "event"
        and change.kind == "change"
        and bool(change.fields)
        and change.fields <= event.fields
        and event.actor == change.actor
        and abs(event.at - change.at) <= TIMELINE_SAME_STEP
    )


def timeline(customer: Customer, *, limit: int = TIMELINE_LIMIT) -> list[TimelineEntry]:
    """Everything that happened to the customer, newest first, from every registered source;
    an event shows the field changes it made instead of listing them apart."""
    entries = sorted(
        chain.from_iterable(source(customer) for source in TIMELINE_SOURCES),
        key=lambda e: e.at,
        reverse=True,
    )
    merged: list[TimelineEntry] = []
    for entry in entries:
        previous = merged[-1] if merged else None
        if previous is not None and _absorbs(previous, entry):
            previous.lines.extend(entry.lines)
            continue
        if previous is not None and _absorbs(entry, previous):
            entry.lines.extend(previous.lines)
            merged[-1] = entry
            continue
        merged.append(entry)
    return merged[:limit]
