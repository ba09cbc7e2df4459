"""Customer numbers (客户编号): C + YYYYMMDD + a 3-digit daily sequence, configurable, never handed
out twice — not even when many people create customers at the same moment."""

import datetime as dt
import threading
from unittest import mock

import pytest
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone

from kehu.accounts.choices import RoleCode
from kehu.core.testing import make_department, make_user
from kehu.customers.models import Customer, CustomerNumberSequence
from kehu.customers.numbering import next_customer_number
from kehu.customers.tests import factories as f


@pytest.fixture
def rep(db):
    return make_user("zhang.wei", make_department("销售部"), RoleCode.SALES_REP)


def on_day(day: dt.date):
    return mock.patch("kehu.customers.numbering.timezone.localdate", return_value=day)


@pytest.mark.django_db
def test_first_customer_of_the_day_gets_sequence_001(rep):
    today = timezone.localdate()

    customer = f.enterprise(rep)

    assert customer.number == f"C{today:%Y%m%d}001"


@pytest.mark.django_db
def test_numbers_count_up_within_a_day(rep):
    numbers = [f.enterprise(rep).number for _ in range(3)]

    day = f"{timezone.localdate():%Y%m%d}"
    assert numbers == [f"C{day}001", f"C{day}002", f"C{day}003"]


@pytest.mark.django_db
def test_sequence_starts_again_each_day(rep):
    with on_day(dt.date(2024, 5, 15)):
        first = [f.enterprise(rep).number for _ in range(2)]
    with on_day(dt.date(2024, 5, 16)):
        second = f.enterprise(rep).number

    assert first == ["C20240515001", "C20240515002"]
    assert second == "C20240516001"


@pytest.mark.django_db
def test_a_failed_creation_does_not_burn_a_number(rep):
    with pytest.raises(Exception):  # noqa: B017 - any validation error
        f.enterprise(rep, uscc=f.INVALID_USCC)

    customer = f.enterprise(rep)

    assert customer.number.endswith("001")


@pytest.mark.django_db
@override_settings(KEHU_CUSTOMER_NUMBER_PATTERN="KH-{date:%y%m%d}-{seq:04d}")
def test_pattern_comes_from_settings(rep):
    with on_day(dt.date(2024, 5, 15)):
        numbers = [f.enterprise(rep).number for _ in range(2)]

    assert numbers == ["KH-240515-0001", "KH-240515-0002"]


@pytest.mark.django_db
@override_settings(KEHU_CUSTOMER_NUMBER_PATTERN="KH{date:%Y%m}{seq:05d}")
def test_monthly_pattern_keeps_counting_across_days_of_the_month(rep):
    # A daily counter behind a monthly pattern would give 2024-05-16 the number of 2024-05-15's
    # first customer again (and the unique index would refuse the second creation).
    with on_day(dt.date(2024, 5, 15)):
        may_15 = f.enterprise(rep).number
    with on_day(dt.date(2024, 5, 16)):
        may_16 = f.enterprise(rep).number
    with on_day(dt.date(2024, 6, 1)):
        june_1 = f.enterprise(rep).number

    assert (may_15, may_16, june_1) == ("KH20240500001", "KH20240500002", "KH20240600001")


@pytest.mark.django_db
@override_settings(KEHU_CUSTOMER_NUMBER_PATTERN="K{seq:06d}")
def test_pattern_without_a_date_never_restarts(rep):
    with on_day(dt.date(2024, 5, 15)):
        first = f.enterprise(rep).number
    with on_day(dt.date(2026, 1, 1)):
        later = f.enterprise(rep).number

    assert (first, later) == ("K000001", "K000002")


@pytest.mark.django_db
def test_number_is_not_writable(rep):
    customer = f.enterprise(rep, number="X1")  # not a writable field: dropped

    assert customer.number.startswith("C")


@pytest.mark.django_db
def test_counter_row_keeps_the_last_number(rep):
    with on_day(dt.date(2024, 5, 15)):
        f.enterprise(rep)
        f.enterprise(rep)
        next_customer_number()  # handed out outside a creation: a gap, never a repeat

        customer = f.enterprise(rep)

    assert CustomerNumberSequence.objects.get(day=dt.date(2024, 5, 15)).last == 4
    assert customer.number == "C20240515004"


# --- concurrency ----------------------------------------------------------------------------

THREADS = 8
PER_THREAD = 3


def _create_in_threads(rep_id: int) -> list[BaseException]:
    """THREADS threads released together, each creating PER_THREAD customers on its own
    connection; returns the errors they met."""
    from kehu.accounts.models import User

    payloads = [[f.enterprise_data() for _ in range(PER_THREAD)] for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(batch):
        try:
            actor = User.objects.get(pk=rep_id)
            barrier.wait(timeout=30)
            for data in batch:
                f.customer_create(actor, data)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(batch,)) for batch in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_creation_gives_distinct_sequential_numbers():
    # given a rep, and a counter row that does not exist yet (the race on the first insert)
    rep = make_user("zhang.wei", make_department("销售部"), RoleCode.SALES_REP)
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "SQLite's in-memory test database uses a shared cache, whose table locks fail at "
            "once ('database table is locked') instead of waiting; run with a file database"
        )

    # when eight people create three customers each at the same moment
    errors = _create_in_threads(rep.pk)

    # then every creation succeeded with its own number, and the numbers have no gap
    assert errors == []
    numbers = sorted(Customer.objects.values_list("number", flat=True))
    day = f"{timezone.localdate():%Y%m%d}"
    assert numbers == [f"C{day}{seq:03d}" for seq in range(1, THREADS * PER_THREAD + 1)]
