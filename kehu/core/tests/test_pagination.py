"""Keyset pagination: every row exactly once, in order, whatever the keys; bad input is a 422."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kehu.accounts.models import User
from kehu.core.errors import ValidationFailed
from kehu.core.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    capped_count,
    clamp_limit,
    decode_cursor,
    encode_cursor,
    keyset_page,
)

pytestmark = pytest.mark.django_db

NAMES = ["王芳", "李娜", "alice", "Bob", "王芳", "张伟", "李娜", "", "王芳", "zed"]


@pytest.fixture
def people():
    """23 users with many ties in display_name, is_active and date_joined."""
    base = timezone.now().replace(microsecond=0)
    return User.objects.bulk_create(
        User(
            username=f"user{i:02d}",
            display_name=NAMES[i % len(NAMES)],
            is_active=i % 3 != 0,
            date_joined=base - dt.timedelta(hours=i % 4),
        )
        for i in range(23)
    )


def walk(qs, keys, limit):
    """Follow `next` from the first page to the last; return the ids in page order."""
    ids, cursor, pages = [], None, 0
    while True:
        page = keyset_page(qs, keys=keys, cursor=cursor, limit=limit)
        assert len(page.items) <= limit
        ids += [row.pk for row in page.items]
        pages += 1
        assert pages < 100, "pagination does not terminate"
        if page.next is None:
            return ids
        cursor = page.next


@pytest.mark.parametrize(
    "keys",
    [
        ["id"],
        ["-id"],
        ["display_name", "id"],
        ["-display_name", "id"],
        ["display_name", "-id"],
        ["is_active", "-date_joined", "-id"],
        ["-date_joined", "display_name", "id"],
        ["-is_active", "date_joined", "-display_name", "id"],
    ],
)
@pytest.mark.parametrize("limit", [1, 4, 7, 23, 200])
def test_pages_return_every_row_exactly_once_in_order(people, keys, limit):
    # Given users with many equal sort values
    qs = User.objects.all()

    # When a client follows the cursors to the end
    ids = walk(qs, keys, limit)

    # Then it saw every row once, in the order of the keys
    assert ids == list(qs.order_by(*keys).values_list("pk", flat=True))
    assert len(set(ids)) == len(people)


def test_page_reports_count_and_stops_without_next(people):
    page = keyset_page(User.objects.filter(is_active=True), keys=["id"], cursor=None, limit=200)

    assert page.count == len([p for p in people if p.is_active])
    assert page.count_capped is False
    assert page.next is None


def test_filtered_queryset_pages_only_its_rows(people):
    qs = User.objects.filter(display_name="王芳")

    ids = walk(qs, ["-date_joined", "id"], 2)

    assert sorted(ids) == sorted(p.pk for p in people if p.display_name == "王芳")


def test_count_can_be_skipped(people):
    page = keyset_page(User.objects.all(), keys=["id"], cursor=None, limit=5, count=False)

    assert page.count == 0
    assert len(page.items) == 5


def test_count_is_capped(people):
    assert capped_count(User.objects.all(), cap=5) == (5, True)
    assert capped_count(User.objects.all(), cap=100) == (23, False)


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!not-base64!!!",
        "bm90IGpzb24",  # "not json"
        encode_cursor(["a", 1, 2]),  # wrong number of values for the keys
        "eyJpZCI6IDF9",  # {"id": 1}: not a list
        encode_cursor([{"dt": "yesterday"}, 1]),  # undecodable datetime
        encode_cursor(["abc", 1]),  # right shape, wrong type for the date key
        encode_cursor([{"dt": "2026-01-01T00:00:00+00:00"}, "abc"]),  # text where an id goes
        encode_cursor([[1, 2], 1]),  # a list where a date goes
    ],
)
def test_bad_cursor_is_a_validation_error(people, cursor):
    with pytest.raises(ValidationFailed) as caught:
        keyset_page(User.objects.all(), keys=["-date_joined", "id"], cursor=cursor, limit=5)

    assert caught.value.errors[0]["field"] == "cursor"


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1])
def test_limit_out_of_bounds_is_a_validation_error(limit):
    with pytest.raises(ValidationFailed) as caught:
        clamp_limit(limit)

    assert caught.value.errors[0]["field"] == "limit"


def test_limit_defaults_and_bounds_are_accepted():
    assert clamp_limit(None) == DEFAULT_LIMIT
    assert clamp_limit(1) == 1
    assert clamp_limit(MAX_LIMIT) == MAX_LIMIT


def test_cursor_round_trips_typed_values():
    moment = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)
    values = [moment, dt.date(2026, 3, 1), Decimal("12.50"), "王芳", 7, True]

    cursor = encode_cursor(values)

    assert "=" not in cursor and "/" not in cursor and "+" not in cursor
    assert decode_cursor(cursor, len(values)) == values


@pytest.mark.parametrize(
    "cursor",
    [
        encode_cursor(["王\x00芳", 1]),  # PostgreSQL text cannot hold NUL
        encode_cursor(["王芳", "1 OR 1=1"]),
        encode_cursor(["王芳", None]),
    ],
)
def test_tampered_text_cursor_is_a_validation_error(people, cursor):
    with pytest.raises(ValidationFailed):
        keyset_page(User.objects.all(), keys=["display_name", "id"], cursor=cursor, limit=5)


def test_out_of_range_id_in_cursor_gives_an_empty_page_not_a_crash(people):
    cursor = encode_cursor([10**30])

    page = keyset_page(User.objects.all(), keys=["id"], cursor=cursor, limit=5)

    assert page.items == []
    assert page.next is None
