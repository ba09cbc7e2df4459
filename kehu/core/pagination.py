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
from django.db.models import Q, QuerySet

from kehu.core.errors import ValidationFailed

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
COUNT_CAP = 10_000


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


def keyset_page(
    qs: QuerySet, *, keys: list[str], cursor: str | None, limit: int | None, count: bool = True
) -> Page:
    """One page of `qs` ordered by `keys`; the last key must be unique (use "id" or "-id")."""
    limit = clamp_limit(limit)
    total, capped = capped_count(qs) if count else (0, False)
    page_qs = qs.order_by(*keys)
    if cursor:
        try:
            page_qs = page_qs.filter(_after(keys, decode_cursor(cursor, len(keys))))
        except (ValueError, TypeError, ValidationError):
            # A cursor of the right shape whose values do not fit the key columns (tampered).
            raise _bad_cursor() from None
    rows = list(page_qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([_attr(last, k.lstrip("-")) for k in keys])
    return Page(items=rows, next=next_cursor, count=total, count_capped=capped)


def _attr(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj
