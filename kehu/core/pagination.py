"""Keyset (cursor) pagination: every list pages on an indexed order, never on OFFSET.

The cursor is an opaque, url-safe encoding of the last row's sort values. A page query is
`WHERE (k1, k2, id) > (last...) ORDER BY k1, k2, id LIMIT n+1`, expanded into ORs so that it
works on SQLite and PostgreSQL and with mixed ascending/descending keys.
"""

import base64
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Q, QuerySet

from kehu.core.errors import ValidationFailed

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
# Past this many rows a list says "1000+": the exact figure would cost a scan proportional to it
# (a filtered list at a million customers reads tens of thousands of rows to count 10,000),
# and nobody pages through a thousand rows; they narrow the filter instead.
COUNT_CAP = 1_000


@dataclass
class Page:
    items: list
    next: str | None
    count: int
    count_capped: bool


def _encode_value(value):
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    return value


def _decode_value(value):
    if isinstance(value, dict):
        if "dt" in value:
            return dt.datetime.fromisoformat(value["dt"])
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
        if "dec" in value:
            return Decimal(value["dec"])
    return value


def encode_cursor(values: list) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _bad_cursor() -> ValidationFailed:
    return ValidationFailed(
        "cursor 无效", errors=[{"field": "cursor", "message": "cursor 无效或已过期"}]
    )


def decode_cursor(cursor: str, size: int) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != size:
            raise ValueError
        # PostgreSQL text cannot hold NUL, so a tampered value would fail inside the query.
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise ValueError
        return [_decode_value(v) for v in values]
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise _bad_cursor() from None


def _after(keys: list[str], values: list) -> Q:
    """Rows strictly after `values` in the order given by `keys` ("-field" = descending).

    Sort keys must be NOT NULL columns; `(a, b, id) > (x, y, z)` becomes
    `a > x OR (a = x AND b > y) OR (a = x AND b = y AND id > z)`.
    """
    condition = Q()
    for i, key in enumerate(keys):
        op = "lt" if key.startswith("-") else "gt"
        equal_prefix = {k.lstrip("-"): v for k, v in zip(keys[:i], values[:i], strict=True)}
        condition |= Q(**equal_prefix, **{f"{key.lstrip('-')}__{op}": values[i]})
    return condition


def clamp_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationFailed(
            "limit 超出范围",
            errors=[{"field": "limit", "message": f"limit 必须在 1 到 {MAX_LIMIT} 之间"}],
        )
    return limit


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """Count up to `cap` rows; past that the exact number is not worth a full scan."""
    n = qs.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


def _page_query(qs: QuerySet, keys: list[str], cursor: str | None) -> QuerySet:
    page_qs = qs.order_by(*keys)
    if cursor:
        try:
            page_qs = page_qs.filter(_after(keys, decode_cursor(cursor, len(keys))))
        except (ValueError, TypeError, ValidationError):
            # A cursor of the right shape whose values do not fit the key columns (tampered).
            raise _bad_cursor() from None
    return page_qs


def _cut(rows: list, keys: list[str], limit: int) -> tuple[list, str | None]:
    """The first `limit` of `limit + 1` fetched rows, and the cursor after them if more remain."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor([_attr(rows[-1], k.lstrip("-")) for k in keys])


def keyset_page(
    qs: QuerySet, *, keys: list[str], cursor: str | None, limit: int | None, count: bool = True
) -> Page:
    """One page of `qs` ordered by `keys`; the last key must be unique (use "id" or "-id")."""
    limit = clamp_limit(limit)
    rows, next_cursor = _cut(list(_page_query(qs, keys, cursor)[: limit + 1]), keys, limit)
    total, capped = _count([qs], rows, next_cursor, cursor) if count else (0, False)
    return Page(items=rows, next=next_cursor, count=total, count_capped=capped)


def _count(parts: list[QuerySet], rows: list, next_cursor, cursor) -> tuple[int, bool]:
    """A first page that is also the last is its own count: no counting query (most searches
    and small books end there). Otherwise each part is counted up to what is left of the cap."""
    if not cursor and next_cursor is None:
        return len(rows), False
    return capped_count_parts(parts)


def capped_count_parts(parts: list[QuerySet], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """The rows of non-overlapping `parts`, each counted up to what is left of `cap`."""
    total, capped = 0, False
    for part in parts:
        if capped:  # already past the cap: the other parts cannot change it
            break
        n, part_capped = capped_count(part, cap=cap - total)
        total, capped = total + n, capped or part_capped
    return total, capped


def keyset_page_parts(
    parts: list[QuerySet],
    *,
    keys: list[str],
    cursor: str | None,
    limit: int | None,
    count: bool = True,
    columns: list[str] | None = None,
    count_parts: list[QuerySet] | None = None,
) -> Page:
    """One page of the union of `parts`, which must not overlap, ordered by `keys`; with
    `columns`, rows are dicts of those (.values()), and the counts do not join what they name.
    Counted on `count_parts` when given: the same rows, written to be cheap to count.

    Each part is asked for its own first `limit + 1` rows after the cursor, so each can be one
    index range (a user's own customers in customer_owner_updated_idx order, a few shared ones
    by primary key) where the union as one OR-ed query would be a scan. Where the database
    takes ordered, limited parts in a UNION ALL (PostgreSQL), that is one query it orders
    itself; elsewhere (SQLite) each part is read and the pages are merged here, which orders
    text as SQLite's default BINARY collation does (by code point).
    """
    limit = clamp_limit(limit)
    pages = []
    for part in parts:
        page_qs = _page_query(part, keys, cursor)
        if columns:
            page_qs = page_qs.values(*columns)
        pages.append(page_qs[: limit + 1])
    features = connections[parts[0].db].features
    if len(pages) > 1 and features.supports_slicing_ordering_in_compound:
        rows = list(pages[0].union(*pages[1:], all=True).order_by(*keys)[: limit + 1])
    else:
        rows = [row for page_qs in pages for row in page_qs]
        if len(pages) > 1:
            for key in reversed(keys):  # stable sorts, last key first, give the combined order
                rows.sort(
                    key=lambda row, k=key: _attr(row, k.lstrip("-")), reverse=key.startswith("-")
                )
    rows, next_cursor = _cut(rows[: limit + 1], keys, limit)
    counted = count_parts or parts
    total, capped = _count(counted, rows, next_cursor, cursor) if count else (0, False)
    return Page(items=rows, next=next_cursor, count=total, count_capped=capped)


def _attr(obj, path: str):
    """A sort key's value from a row: a model instance, or a dict from .values()."""
    if isinstance(obj, dict):
        return obj[path]
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj
