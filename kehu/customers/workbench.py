"""The customers' panels on 今日 (core.workbench): quick search and create, the user's customers
by status, new this week, records with open 待确认 fields, recently viewed customers — each for
the user's data scope (a rep: their own; a manager: their departments), read as the scoped list
reads (filters.scope_parts), so each is a few index ranges whatever the size of the table:

- counts stop at COUNT_CAP ("1000+", as the lists say), one capped count per status and scope
  part on customer_owner_status_idx / customer_status_updated_idx: 10,000 cost a manager's
  page 25 ms on the bench's SQLite, 1,000 a tenth of that;
- 本周新增 is a range of the created-at indexes, 待确认 a range of the partial indexes that
  hold only the customers with pending fields (customer_pending_idx, customer_owner_pending_idx);
- 最近查看 is kept in a cookie the record page sets (ids only, read back through the scope): a
  record view writes nothing to the database, and the panel reads a few rows by primary key.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from kehu.accounts.choices import DataScope
from kehu.accounts.scoping import role_scopes, visible_owner_ids
from kehu.core.links import record_url
from kehu.core.pagination import capped_count_parts, keyset_page_parts
from kehu.core.workbench import Panel, register_panel
from kehu.customers import filters, selectors
from kehu.customers.choices import CustomerStatus
from kehu.customers.models import Customer

PANEL_ROWS = 5
PANEL_COLUMNS = ["id", "name", "number", "status", "created_at", "updated_at"]

RECENT_COOKIE = "kehu_recent"
RECENT_KEEP = 8
RECENT_DAYS = 90


def _parts(user) -> filters.ScopeParts:
    """The user's scope as parts, built once per request (kept on the request's user object):
    three panels read it."""
    parts = user.__dict__.get("_kehu_workbench_parts")
    if parts is None:
        parts = filters.scope_parts(user) or filters.ScopeParts.whole(selectors.customers_for(user))
        user.__dict__["_kehu_workbench_parts"] = parts
    return parts


def _newest(user, condition: Q, keys: list[str]):
    """The first PANEL_ROWS customers in scope matching `condition`, with their capped count."""
    parts = _parts(user).narrowed(lambda qs: qs.filter(condition))
    return keyset_page_parts(
        parts.page,
        keys=keys,
        cursor=None,
        limit=PANEL_ROWS,
        columns=PANEL_COLUMNS,
        count_parts=parts.count,
    )


def status_counts(*, user) -> list[dict]:
    """The user's customers (their data scope) by status, each count capped."""
    parts = _parts(user)
    counts = []
    for status in CustomerStatus:
        n, capped = capped_count_parts([part.filter(status=status) for part in parts.count])
        counts.append({"status": status, "label": status.label, "count": n, "capped": capped})
    return counts


def week_start(now: dt.datetime | None = None) -> dt.datetime:
    """Monday 00:00 of this week, Asia/Shanghai (settings.TIME_ZONE)."""
    today = timezone.localdate(now)
    monday = today - dt.timedelta(days=today.weekday())
    return timezone.make_aware(dt.datetime.combine(monday, dt.time.min))


def new_this_week(*, user):
    return _newest(user, Q(created_at__gte=week_start()), ["-created_at", "-id"])


def with_pending_fields(*, user):
    return _newest(user, filters.HAS_PENDING, ["-updated_at", "-id"])


# --- recently viewed ----------------------------------------------------------------------------


def recent_ids(request) -> list[int]:
    """The ids in the signed-in user's recently-viewed cookie, newest first (another user's
    cookie in the same browser counts as none)."""
    raw = request.COOKIES.get(RECENT_COOKIE, "")
    owner, _sep, ids = raw.partition("-")
    if owner != str(request.user.pk):
        return []
    return [int(i) for i in ids.split(".") if i.isdigit() and len(i) < 19][:RECENT_KEEP]


def remember_viewed(request, response, customer_id: int) -> None:
    """Put `customer_id` first in the recently-viewed cookie of `response` (the record page)."""
    ids = [customer_id, *(i for i in recent_ids(request) if i != customer_id)][:RECENT_KEEP]
    response.set_cookie(
        RECENT_COOKIE,
        f"{request.user.pk}-{'.'.join(map(str, ids))}",
        max_age=RECENT_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def recently_viewed(*, user, ids: list[int]) -> list[dict]:
    """The customers of `ids` the user may still see, in the order of `ids`."""
    if not ids:
        return []
    rows = selectors.customers_for(user).filter(pk__in=ids).values(*PANEL_COLUMNS)
    found = {row["id"]: row for row in rows}
    return [found[i] for i in ids if i in found]


# --- the panels ---------------------------------------------------------------------------------


def _rows(rows) -> list[dict]:
    return [
        {**row, "url": record_url("customers:detail", row["id"]), "status_label": _status(row)}
        for row in rows
    ]


def _status(row) -> str:
    return CustomerStatus(row["status"]).label


def _scope_label(user) -> str | None:
    """None for someone who sees only their own customers (the panel says 我的客户), else the
    widest of their roles' scopes."""
    owners = visible_owner_ids(user, Customer.scope_module)
    if owners is None:
        return DataScope.ALL.label
    if owners == {user.pk}:
        return None
    scopes = role_scopes(user, Customer.scope_module)
    widest = [scope for scope in reversed(DataScope.values) if scope in scopes]
    return DataScope(widest[0]).label if widest else None


def _list_url(**params) -> str:
    return (
        f"{reverse('customers:list')}?{urlencode(params)}" if params else reverse("customers:list")
    )


def quick_context(request) -> dict:
    return {"list_url": reverse("customers:list"), "create_url": reverse("customers:create")}


def by_status_context(request) -> dict:
    counts = status_counts(user=request.user)
    for item in counts:
        item["url"] = _list_url(status=item["status"].value)
    return {"counts": counts, "scope_label": _scope_label(request.user)}


def new_context(request) -> dict:
    page = new_this_week(user=request.user)
    return {
        "rows": _rows(page.items),
        "count": page.count,
        "capped": page.count_capped,
        "since": week_start(),
        "url": _list_url(sort="-created_at"),
    }


def pending_context(request) -> dict:
    page = with_pending_fields(user=request.user)
    return {
        "rows": _rows(page.items),
        "count": page.count,
        "capped": page.count_capped,
        "url": _list_url(pending=1),
    }


def recent_context(request) -> dict:
    return {"rows": _rows(recently_viewed(user=request.user, ids=recent_ids(request)))}


def register_panels() -> None:
    """Called from CustomersConfig.ready. Orders leave room for other apps' panels: the
    follow-ups app's 我的任务 belongs at 10, right under the quick actions."""
    for key, template, order, context, wide in [
        ("customers_quick", "_quick.html", 0, quick_context, True),
        ("customers_by_status", "_by_status.html", 20, by_status_context, False),
        ("customers_pending", "_pending.html", 30, pending_context, False),
        ("customers_new", "_new.html", 40, new_context, False),
        ("customers_recent", "_recent.html", 50, recent_context, False),
    ]:
        register_panel(Panel(key, f"customers/workbench/{template}", order, context, wide=wide))
