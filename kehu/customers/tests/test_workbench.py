"""今日 as a rep and a manager open it: their customers by status, new this week, records with
open 待确认 fields, recently viewed — each within their data scope, in a pinned number of
queries — and the list those panels lead to."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehu.core.testing import make_admin, page_queries, session_client
from kehu.customers.models import Customer
from kehu.customers.tests import factories as f
from kehu.customers.workbench import RECENT_COOKIE, RECENT_KEEP, week_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return f.build_org()


def panels(response) -> dict:
    return {p["key"]: p["data"] for p in response.context["panels"]}


def counts(response) -> dict[str, int]:
    return {
        c["status"].value: c["count"] for c in panels(response)["customers_by_status"]["counts"]
    }


def names(rows) -> list[str]:
    return [row["name"] for row in rows]


def test_a_rep_sees_their_own_customers_by_status(org):
    f.enterprise(org.rep_a, status="intent")
    f.enterprise(org.rep_a)
    f.individual(org.rep_b, status="intent")  # a teammate's: not the rep's

    response = session_client(org.rep_a).get("/")

    assert counts(response) == {"potential": 1, "intent": 1, "customer": 0, "churned": 0}
    assert panels(response)["customers_by_status"]["scope_label"] is None  # 我的客户
    assert "我的客户" in response.content.decode()


def test_a_manager_sees_their_departments_customers(org):
    f.enterprise(org.rep_a, status="intent")
    f.individual(org.rep_b, status="intent")
    f.individual(org.rep_c, status="intent")  # 销售二部: outside the manager's tree

    response = session_client(org.manager).get("/")

    assert counts(response)["intent"] == 2
    assert str(panels(response)["customers_by_status"]["scope_label"]) == "本部门及下级部门"


def test_a_shared_customer_counts_for_the_collaborator(org):
    f.enterprise(org.rep_b, status="customer", collaborators=[org.rep_a])

    response = session_client(org.rep_a).get("/")

    assert counts(response)["customer"] == 1


def test_new_this_week_lists_customers_created_since_monday(org):
    old = f.enterprise(org.rep_a, name="上周的客户有限公司")
    Customer.objects.filter(pk=old.pk).update(created_at=week_start() - dt.timedelta(minutes=1))
    new = f.enterprise(org.rep_a, name="本周的客户有限公司")

    data = panels(session_client(org.rep_a).get("/"))["customers_new"]

    assert names(data["rows"]) == [new.name] and data["count"] == 1


def test_week_starts_on_monday_in_shanghai():
    # Sunday 2024-05-19 23:30 in Shanghai is 15:30 UTC; its week began on Monday the 13th.
    sunday_night = dt.datetime(2024, 5, 19, 15, 30, tzinfo=dt.UTC)

    start = week_start(sunday_night)

    assert timezone.localtime(start).isoformat() == "2024-05-13T00:00:00+08:00"


def test_pending_lists_the_records_with_open_fields_in_scope(org):
    mine = f.enterprise(org.rep_a, pending_fields=["budget_min", "budget_max"])
    f.enterprise(org.rep_a)
    f.enterprise(org.rep_c, pending_fields=["urgency"])  # someone else's

    data = panels(session_client(org.rep_a).get("/"))["customers_pending"]

    assert names(data["rows"]) == [mine.name] and data["count"] == 1
    assert data["url"] == "/customers/?pending=1"


def test_the_pending_filter_of_the_list_and_the_api(org):
    mine = f.enterprise(org.rep_a, pending_fields=["urgency"])
    f.enterprise(org.rep_a)

    page = session_client(org.rep_a).get("/customers/", {"pending": "1"})
    api = session_client(org.rep_a).get("/api/v1/customers", {"pending": "true"})

    assert [row["name"] for row in page.context["rows"]] == [mine.name]
    assert [item["name"] for item in api.json()["items"]] == [mine.name]


def test_recently_viewed_follows_the_record_pages_newest_first(org):
    customers = [f.enterprise(org.rep_a) for _ in range(RECENT_KEEP + 1)]
    client = session_client(org.rep_a)

    for customer in customers:
        client.get(f"/customers/{customer.pk}/")
    client.get(f"/customers/{customers[2].pk}/")  # again: moves to the front

    rows = panels(client.get("/"))["customers_recent"]["rows"]
    # c8 … c1 were the last eight; c2 again moves to the front, c0 is forgotten.
    expected = [customers[2], *reversed(customers[3:]), customers[1]]
    assert names(rows) == [c.name for c in expected]


def test_recently_viewed_shows_only_what_the_user_may_still_see(org):
    visible = f.enterprise(org.rep_a)
    transferred = f.enterprise(org.rep_a)
    client = session_client(org.rep_a)
    client.get(f"/customers/{visible.pk}/")
    client.get(f"/customers/{transferred.pk}/")
    Customer.objects.filter(pk=transferred.pk).update(owner=org.rep_c)
    someone_elses = f.enterprise(org.rep_c)
    # A tampered cookie naming an out-of-scope customer shows nothing of it either.
    client.cookies[RECENT_COOKIE] = (
        f"{org.rep_a.pk}-{someone_elses.pk}.{transferred.pk}.{visible.pk}"
    )

    rows = panels(client.get("/"))["customers_recent"]["rows"]

    assert names(rows) == [visible.name]


def test_another_users_cookie_in_the_same_browser_counts_as_none(org):
    seen = f.enterprise(org.rep_a)
    client = session_client(org.rep_a)
    client.get(f"/customers/{seen.pk}/")

    client.force_login(org.rep_b)

    assert panels(client.get("/"))["customers_recent"]["rows"] == []


def test_viewing_a_record_writes_nothing(org):
    customer = f.enterprise(org.rep_a)
    client = session_client(org.rep_a)
    client.get(f"/customers/{customer.pk}/")

    with CaptureQueriesContext(connection) as queries:
        client.get(f"/customers/{customer.pk}/")

    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []


@pytest.mark.parametrize("who", ["rep_a", "manager", "admin"])
def test_the_workbench_costs_a_pinned_number_of_queries(org, who, django_assert_num_queries):
    user = make_admin("boss") if who == "admin" else getattr(org, who)
    for owner in (org.rep_a, org.rep_b):
        f.enterprise(owner, status="intent", pending_fields=["urgency"])
        f.individual(owner)
    client = session_client(user)
    seen = Customer.objects.order_by("pk").first()
    client.cookies[RECENT_COOKIE] = f"{user.pk}-{seen.pk}"
    client.get("/")  # access and organisation memos are per process, as in production

    parts = 1 if who == "admin" else page_queries(2)
    count_parts = 1 if who == "admin" else 2
    # session, user, the header's unread notifications + 4 statuses × count parts
    # + (new, pending) × page parts + recent
    expected = 3 + 4 * count_parts + 2 * parts + 1
    with django_assert_num_queries(expected):
        response = client.get("/")
    assert response.status_code == 200
