"""Numbers (客户编号): C + YYYYMMDD + a 3-digit daily sequence by default, the pattern editable in
设置 › 编号规则, never handed out twice — not after a pattern change, and not when many people
create customers at the same moment."""

import datetime as dt
import threading
from unittest import mock

import pytest
from django.db import connection, connections
from django.utils import timezone

from kehu.accounts.choices import RoleCode
from kehu.audit.models import AuditEvent
from kehu.core.testing import make_admin, make_department, make_user, session_client
from kehu.customers.models import Customer
from kehu.customers.tests import factories as f
from kehu.numbering.models import NumberSequence
from kehu.numbering.services import next_number, pattern_update


@pytest.fixture
def rep(db):
    return make_user("zhang.wei", make_department("销售部"), RoleCode.SALES_REP)


def on_day(day: dt.date):
    return mock.patch("kehu.numbering.services.timezone.localdate", return_value=day)


def use_pattern(pattern: str) -> None:
    pattern_update(kind_key="customers", pattern=pattern, actor=None)


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
def test_pattern_set_in_settings_applies_to_the_next_customer(rep):
    use_pattern("KH-{date:%y%m%d}-{seq:04d}")

    with on_day(dt.date(2024, 5, 15)):
        numbers = [f.enterprise(rep).number for _ in range(2)]

    assert numbers == ["KH-240515-0001", "KH-240515-0002"]


@pytest.mark.django_db
def test_monthly_pattern_keeps_counting_across_days_of_the_month(rep):
    use_pattern("KH{date:%Y%m}{seq:05d}")
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
def test_pattern_without_a_date_never_restarts(rep):
    use_pattern("K{seq:06d}")
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
        next_number("customers")  # handed out outside a creation: a gap, never a repeat

        customer = f.enterprise(rep)

    row = NumberSequence.objects.get(kind="customers", period=dt.date(2024, 5, 15))
    assert row.last == 4
    assert customer.number == "C20240515004"


@pytest.mark.django_db
def test_a_number_already_taken_is_skipped(rep):
    # Given numbers 001 and 002 of the day taken, and a counter that starts over (a pattern
    # changed away and back, say)
    with on_day(dt.date(2024, 5, 15)):
        f.enterprise(rep)
        f.enterprise(rep)
    NumberSequence.objects.filter(kind="customers").update(last=0)

    # When the next customer is created
    with on_day(dt.date(2024, 5, 15)):
        customer = f.enterprise(rep)

    # Then it gets the first number nobody holds
    assert customer.number == "C20240515003"


@pytest.mark.django_db
def test_a_pattern_change_that_would_repeat_older_numbers_skips_them(rep):
    # A monthly five-digit pattern writes C202405 + 15001 = C20240515001, the daily pattern's.
    with on_day(dt.date(2024, 5, 15)):
        daily = f.enterprise(rep).number
        use_pattern("C{date:%Y%m}{seq:05d}")
        NumberSequence.objects.create(kind="customers", period=dt.date(2024, 5, 1), last=15000)
        monthly = f.enterprise(rep).number

    assert daily == "C20240515001" and monthly == "C20240515002"


# --- 设置 › 编号规则 -------------------------------------------------------------------------


@pytest.fixture
def admin_browser(db):
    return session_client(make_admin())


def test_the_settings_page_shows_the_pattern_and_the_next_number(admin_browser):
    response = admin_browser.get("/settings/numbering/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "客户编号" in html and "C{date:%Y%m%d}{seq:03d}" in html
    assert f"C{timezone.localdate():%Y%m%d}001" in html


def test_saving_a_pattern_in_settings_is_audited(admin_browser, rep):
    response = admin_browser.post("/settings/numbering/customers/", {"pattern": "KH{seq:05d}"})

    assert response.status_code == 302
    assert f.enterprise(rep).number == "KH00001"
    event = AuditEvent.objects.get(action="numbering.pattern_update")
    assert event.data == {
        "kind": "customers",
        "old": "C{date:%Y%m%d}{seq:03d}",
        "new": "KH{seq:05d}",
    }


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "必填"),
        ("C{seq", "花括号"),
        ("C{date:%Y%m%d}", "流水号"),
        ("C{seq}{seq}", "有且只有一个"),
        ("C{date}{seq}", "日期只能"),
        ("C{date:%H}{seq}", "日期只能"),
        ("C{name}{seq}", "未知字段"),
        ("C {seq}", "固定部分"),
        ("客户{seq}", "固定部分"),
        ("C{seq:3d}", "流水号写作"),
        ("C{seq!r}", "!r"),
        ("ABCDEFGHIJKLMNOPQRSTUVWX{date:%Y%m%d}{seq:03d}", "超过上限 30"),
    ],
)
def test_a_bad_pattern_is_a_field_error_and_changes_nothing(admin_browser, rep, pattern, message):
    response = admin_browser.post("/settings/numbering/customers/", {"pattern": pattern})

    assert response.status_code == 422
    assert message in response.context["form"].errors["pattern"][0]
    assert f.enterprise(rep).number.startswith("C" + f"{timezone.localdate():%Y%m%d}")


def test_the_preview_shows_the_next_number_while_typing(admin_browser):
    good = admin_browser.get("/settings/numbering/customers/preview/", {"pattern": "K{seq:04d}"})
    bad = admin_browser.get("/settings/numbering/customers/preview/", {"pattern": "K{x}"})

    assert "K0001" in good.content.decode()
    assert "未知字段" in bad.content.decode()


def test_an_unknown_kind_is_404(admin_browser):
    assert admin_browser.get("/settings/numbering/orders/").status_code == 404


@pytest.mark.parametrize("role", [RoleCode.SALES_REP, RoleCode.SALES_MANAGER])
def test_only_who_may_change_patterns_opens_the_page(rep, role):
    user = make_user(f"u_{role}", make_department(f"d_{role}"), role)

    page = session_client(user).get("/settings/numbering/")
    post = session_client(user).post("/settings/numbering/customers/", {"pattern": "X{seq}"})

    assert page.status_code == post.status_code == 403
    assert f.enterprise(rep).number.startswith("C")


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
