"""The customer archive through /api/v1/customers as people use it: a rep keeps their own
customers, a manager sees the team's, personal data is masked unless revealed (and every reveal
is logged), nobody overwrites another's edit, and bad input is a field-level 422."""

import base64
import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehu.accounts.choices import RoleCode
from kehu.audit.models import AuditEvent, RevealLog
from kehu.core.testing import api_client, make_user, page_queries
from kehu.customers.filters import SORTS
from kehu.customers.models import Contact, Customer, SourceChannel
from kehu.customers.tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers"
TOMORROW = timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture
def org():
    return f.build_org()


@pytest.fixture
def as_rep_a(org):
    return api_client(org.rep_a)


@pytest.fixture
def as_manager(org):
    return api_client(org.manager)


def post(client, url, data):
    body = data if isinstance(data, str) else json.dumps(data, default=str)
    return client.post(url, data=body, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data=json.dumps(data, default=str), content_type="application/json")


def error_fields(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


# --- create ---------------------------------------------------------------------------------


def test_rep_creates_an_enterprise_customer_with_contacts(org, as_rep_a):
    response = post(
        as_rep_a,
        URL,
        {
            "kind": "enterprise",
            "name": "北京字节跳动科技有限公司",
            "uscc": "91110108551385082q",
            "region_code": "110108",
            "industry_code": "65",
            "source_id": SourceChannel.objects.get(name="展会").pk,
            "budget_min": "50",
            "budget_max": "80",
            "pending_fields": ["budget_min"],
            "contacts": [{"name": "李雷", "mobile": "+86 138-1234-1234", "position": "CTO"}],
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["number"] == f"C{timezone.localdate():%Y%m%d}001"
    assert body["owner"] == {"id": org.rep_a.pk, "name": "张伟"}
    assert body["uscc"] == "91110108551385082Q"
    assert body["region"] == "北京市-海淀区"
    assert body["industry"] == "信息传输、软件和信息技术服务业-软件和信息技术服务业"
    assert body["source"] == "展会"
    assert (body["budget_min"], body["budget_max"]) == ("50.00", "80.00")
    assert body["version"] == 1
    [contact] = body["contacts"]
    assert contact["is_primary"] is True
    assert Contact.objects.get().mobile == "13812341234"


def test_create_normalises_what_was_typed(org, as_manager):
    response = post(
        as_manager,
        URL,
        {
            "kind": "individual",
            "name": "  王　芳 ",
            "mobile": "＋８６ １３８-１２３４-１２３４",
            "email": "Wang.Fang@Example.COM",
        },
    )

    assert response.status_code == 201
    body = response.json()  # the manager may reveal, so sees values in full
    assert (body["name"], body["mobile"], body["email"]) == (
        "王 芳",
        "13812341234",
        "wang.fang@example.com",
    )


INVALID = [
    (
        "enterprise",
        {"uscc": f.INVALID_USCC},
        "uscc",
        "统一社会信用代码校验位不正确（GB 32100-2015）",
    ),
    ("individual", {"mobile": "12812341234"}, "mobile", "手机号应为 11 位数字，以 13-19 开头"),
    (
        "enterprise",
        {"switchboard": "5555"},
        "switchboard",
        "座机格式应为 区号-号码，例如 021-12345678",
    ),
    ("individual", {"email": "wang@@example.com"}, "email", "邮箱格式不正确"),
    ("enterprise", {"region_code": "999999"}, "region_code", "地区代码不存在"),
    ("enterprise", {"industry_code": "99"}, "industry_code", "行业代码不存在"),
    ("enterprise", {"source_id": 999999}, "source_id", "来源渠道不存在"),
    ("enterprise", {"budget_min": 80, "budget_max": 50}, "budget_max", "预算上限不能小于下限"),
    ("individual", {"birthday": TOMORROW}, "birthday", "生日不能晚于今天"),
    (
        "enterprise",
        {"first_contact_date": TOMORROW},
        "first_contact_date",
        "首次接触日期不能晚于今天",
    ),
    ("enterprise", {"founded": "2999-01"}, "founded", "成立时间不能晚于本月"),
    ("individual", {"mobile": ""}, "mobile", "个人客户须填写手机号"),
    (
        "enterprise",
        {"pending_fields": ["favourite_colour"]},
        "pending_fields",
        "不能标记为待确认的字段：favourite_colour",
    ),
]


@pytest.mark.parametrize(("kind", "fields", "field", "message"), INVALID)
def test_invalid_create_is_422_naming_the_field_and_saves_nothing(
    org, as_rep_a, kind, fields, field, message
):
    data = (f.enterprise_data if kind == "enterprise" else f.individual_data)(**fields)
    data = {k.replace("region_id", "region_code"): v for k, v in data.items()}

    response = post(as_rep_a, URL, data)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert error_fields(response)[field] == message
    assert Customer.objects.count() == 0


def test_individual_without_mobile_is_accepted_when_marked_pending(org, as_rep_a):
    response = post(
        as_rep_a,
        URL,
        {"kind": "individual", "name": "王芳", "mobile": "", "pending_fields": ["mobile"]},
    )

    assert response.status_code == 201
    assert response.json()["pending_fields"] == ["mobile"]


def test_malformed_json_is_422(org, as_rep_a):
    response = post(as_rep_a, URL, '{"kind": "enterprise", "name": ')

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "company", "name": "甲"}, "kind"),
        ({"kind": "enterprise", "name": "甲", "status": "won"}, "status"),
        ({"kind": "enterprise", "name": "甲", "urgency": "asap"}, "urgency"),
        ({"kind": "enterprise", "name": "甲", "size_band": "huge"}, "size_band"),
        (
            {
                "kind": "enterprise",
                "name": "甲",
                "contacts": [{"name": "李", "decision_role": "x"}],
            },
            "contacts.0.decision_role",
        ),
        ({"name": "甲"}, "kind"),
    ],
)
def test_unknown_enum_or_missing_field_is_422_naming_the_field(org, as_rep_a, data, field):
    response = post(as_rep_a, URL, data)

    assert response.status_code == 422
    assert field in error_fields(response)
    assert Customer.objects.count() == 0


def test_manager_creates_for_a_rep_of_the_team(org, as_manager):
    response = post(as_manager, URL, {**f.enterprise_data(), "owner_id": org.rep_a.pk})

    assert response.status_code == 201
    assert response.json()["owner"] == {"id": org.rep_a.pk, "name": "张伟"}


def test_manager_cannot_create_for_a_rep_outside_their_scope(org, as_manager):
    response = post(as_manager, URL, {**f.enterprise_data(), "owner_id": org.rep_c.pk})

    assert response.status_code == 422
    assert error_fields(response) == {"owner_id": "只能指定你数据范围内的同事为负责人"}
    assert Customer.objects.count() == 0


def test_manager_creates_into_the_pool_and_sees_what_was_created(org, as_manager):
    response = post(
        as_manager, URL, {**f.enterprise_data(name="公海客户有限公司"), "owner_id": None}
    )

    # the pool is outside the manager's scope, yet the created customer is shown back once
    assert response.status_code == 201
    body = response.json()
    assert (body["owner"], body["name"]) == (None, "公海客户有限公司")
    assert Customer.objects.get(pk=body["id"]).owner is None
    assert as_manager.get(f"{URL}/{body['id']}").status_code == 404


def test_rep_cannot_create_for_another_rep(org, as_rep_a):
    # Allowed to create customers, not to give them away: 403, as a transfer would be
    response = post(as_rep_a, URL, {**f.enterprise_data(), "owner_id": org.rep_b.pk})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Customer.objects.count() == 0


# --- masking and reveal ---------------------------------------------------------------------


@pytest.fixture
def person(org):
    return f.individual(org.rep_a, mobile="13812341234", email="li.lei@example.com")


@pytest.fixture
def company(org):
    return f.enterprise(
        org.rep_a,
        switchboard="021-12345678",
        contacts=[
            f.contact_data(
                mobile="13912345678", landline="010-87654321", email="han.meimei@example.com"
            )
        ],
    )


def test_rep_without_reveal_sees_masked_values_everywhere(org, as_rep_a, person, company):
    listed = {c["id"]: c for c in as_rep_a.get(URL).json()["items"]}
    detail = as_rep_a.get(f"{URL}/{person.pk}").json()
    company_detail = as_rep_a.get(f"{URL}/{company.pk}").json()
    [contact] = as_rep_a.get(f"{URL}/{company.pk}/contacts").json()

    assert (listed[person.pk]["mobile"], listed[person.pk]["email"]) == (
        "138****1234",
        "l***@example.com",
    )
    assert (detail["mobile"], detail["email"]) == ("138****1234", "l***@example.com")
    assert company_detail["switchboard"] == "021-******78"
    assert company_detail["contacts"][0]["mobile"] == "139****5678"
    assert (contact["mobile"], contact["landline"], contact["email"]) == (
        "139****5678",
        "010-******21",
        "h***@example.com",
    )
    assert "13812341234" not in json.dumps([listed, detail, company_detail, contact])


def test_manager_with_reveal_sees_full_values(org, as_manager, person, company):
    listed = {c["id"]: c for c in as_manager.get(URL).json()["items"]}
    [contact] = as_manager.get(f"{URL}/{company.pk}/contacts").json()

    assert (listed[person.pk]["mobile"], listed[person.pk]["email"]) == (
        "13812341234",
        "li.lei@example.com",
    )
    assert (contact["mobile"], contact["landline"]) == ("13912345678", "010-87654321")


def test_sales_manager_role_may_reveal(org):
    assert org.manager.has_perm("customers.reveal_pii")
    assert not org.rep_a.has_perm("customers.reveal_pii")


def test_reveal_returns_the_value_and_logs_it(org, as_manager, person):
    response = post(as_manager, f"{URL}/{person.pk}/reveal", {"field": "mobile"})

    assert response.status_code == 200
    assert response.json() == {"field": "mobile", "value": "13812341234"}
    log = RevealLog.objects.get()
    assert (log.actor, log.target_type, log.target_id, log.field) == (
        org.manager,
        "customers.customer",
        person.pk,
        "mobile",
    )


def test_contact_reveal_returns_the_value_and_logs_it(org, as_manager, company):
    contact = company.contacts.get()

    response = post(
        as_manager, f"{URL}/{company.pk}/contacts/{contact.pk}/reveal", {"field": "landline"}
    )

    assert response.json() == {"field": "landline", "value": "010-87654321"}
    log = RevealLog.objects.get()
    assert (log.actor, log.target_type, log.target_id, log.field) == (
        org.manager,
        "customers.contact",
        contact.pk,
        "landline",
    )


def test_reveal_without_permission_is_403_and_not_logged(org, as_rep_a, person, company):
    contact = company.contacts.get()

    responses = [
        post(as_rep_a, f"{URL}/{person.pk}/reveal", {"field": "mobile"}),
        post(as_rep_a, f"{URL}/{company.pk}/contacts/{contact.pk}/reveal", {"field": "mobile"}),
    ]

    assert [r.status_code for r in responses] == [403, 403]
    assert responses[0].json()["code"] == "permission_denied"
    assert "13812341234" not in responses[0].content.decode()
    assert not RevealLog.objects.exists()


def test_reveal_of_a_field_that_is_not_personal_is_422(org, as_manager, company):
    response = post(as_manager, f"{URL}/{company.pk}/reveal", {"field": "uscc"})

    assert response.status_code == 422
    assert not RevealLog.objects.exists()


# --- data scope -----------------------------------------------------------------------------


def test_outsider_gets_404_on_every_customer_url(org, as_rep_a):
    theirs = f.enterprise(org.rep_b, contacts=[f.contact_data()])
    contact = theirs.contacts.get()
    base = f"{URL}/{theirs.pk}"

    responses = {
        "detail": as_rep_a.get(base),
        "patch": patch(as_rep_a, base, {"version": 1, "remarks": "改"}),
        "contacts": as_rep_a.get(f"{base}/contacts"),
        "add contact": post(as_rep_a, f"{base}/contacts", f.contact_data()),
        "patch contact": patch(as_rep_a, f"{base}/contacts/{contact.pk}", {"version": 1}),
        "delete contact": as_rep_a.delete(f"{base}/contacts/{contact.pk}"),
        "reveal": post(as_rep_a, f"{base}/reveal", {"field": "switchboard"}),
        "reveal contact": post(
            as_rep_a, f"{base}/contacts/{contact.pk}/reveal", {"field": "email"}
        ),
        "history": as_rep_a.get(f"{base}/history"),
        "transfer": post(as_rep_a, f"{base}/transfer", {"owner_id": org.rep_a.pk}),
    }

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 404)
    assert responses["detail"].json()["code"] == "not_found"
    stored = Customer.objects.get(pk=theirs.pk)
    assert (stored.remarks, stored.owner, stored.version) == ("", org.rep_b, 1)
    assert Contact.objects.filter(customer=theirs).count() == 1
    assert not RevealLog.objects.exists()


def test_missing_customer_is_the_same_404(org, as_rep_a):
    assert as_rep_a.get(f"{URL}/999999").status_code == 404


def test_department_tree_manager_sees_sub_department_customers(org, as_manager):
    in_team = f.enterprise(org.rep_a)
    elsewhere = f.enterprise(org.rep_c)

    assert as_manager.get(f"{URL}/{in_team.pk}").status_code == 200
    assert as_manager.get(f"{URL}/{elsewhere.pk}").status_code == 404
    assert [c["id"] for c in as_manager.get(URL).json()["items"]] == [in_team.pk]


def test_department_manager_does_not_see_sub_department(org):
    in_team = f.enterprise(org.rep_a)
    in_department = f.enterprise(org.rep_s)
    client = api_client(org.dept_manager)

    assert client.get(f"{URL}/{in_team.pk}").status_code == 404
    assert client.get(f"{URL}/{in_department.pk}").status_code == 200
    assert [c["id"] for c in client.get(URL).json()["items"]] == [in_department.pk]


def test_collaborator_sees_the_customer(org, as_rep_a):
    shared = f.enterprise(org.rep_b, collaborators=[org.rep_a], contacts=[f.contact_data()])

    assert as_rep_a.get(f"{URL}/{shared.pk}").status_code == 200
    assert as_rep_a.get(f"{URL}/{shared.pk}/contacts").status_code == 200
    assert [c["id"] for c in as_rep_a.get(URL).json()["items"]] == [shared.pk]


def test_list_and_search_never_show_another_reps_customer(org, as_rep_a):
    mine = f.enterprise(org.rep_a, name="北京字节跳动科技有限公司")
    f.enterprise(
        org.rep_b,
        name="字节跳动网络技术有限公司",
        contacts=[f.contact_data(mobile="13812341234")],
    )

    everything = as_rep_a.get(URL).json()
    by_name = as_rep_a.get(URL, {"q": "字节"}).json()
    by_pinyin = as_rep_a.get(URL, {"q": "zjtd"}).json()
    by_phone = as_rep_a.get(URL, {"q": "1234"}).json()

    assert [c["id"] for c in everything["items"]] == [mine.pk]
    assert everything["count"] == 1
    assert [c["id"] for c in by_name["items"]] == [mine.pk]
    assert [c["id"] for c in by_pinyin["items"]] == [mine.pk]
    assert by_phone["items"] == []


# --- update, optimistic concurrency, owner ------------------------------------------------


def test_patch_changes_fields_and_bumps_version(org, as_rep_a):
    customer = f.enterprise(org.rep_a)

    response = patch(
        as_rep_a,
        f"{URL}/{customer.pk}",
        {"version": 1, "status": "intent", "urgency": "high", "region_code": "310115"},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["urgency"], body["region"], body["version"]) == (
        "intent",
        "high",
        "上海市-浦东新区",
        2,
    )


def test_patch_with_an_old_version_is_409_with_the_current_version(org, as_rep_a, as_manager):
    customer = f.enterprise(org.rep_a)
    assert (
        patch(as_manager, f"{URL}/{customer.pk}", {"version": 1, "remarks": "经理改的"}).status_code
        == 200
    )

    response = patch(as_rep_a, f"{URL}/{customer.pk}", {"version": 1, "remarks": "代表改的"})

    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["current_version"]) == ("stale_version", 2)
    assert Customer.objects.get(pk=customer.pk).remarks == "经理改的"


def test_patch_without_version_is_422(org, as_rep_a):
    customer = f.enterprise(org.rep_a)

    response = patch(as_rep_a, f"{URL}/{customer.pk}", {"remarks": "x"})

    assert response.status_code == 422
    assert "version" in error_fields(response)


def test_invalid_patch_is_422_and_changes_nothing(org, as_rep_a):
    customer = f.enterprise(org.rep_a)

    response = patch(
        as_rep_a, f"{URL}/{customer.pk}", {"version": 1, "uscc": f.INVALID_USCC, "remarks": "x"}
    )

    assert response.status_code == 422
    assert error_fields(response) == {"uscc": "统一社会信用代码校验位不正确（GB 32100-2015）"}
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.uscc, stored.remarks, stored.version) == (customer.uscc, "", 1)


def test_owner_in_patch_by_a_non_owner_is_ignored_and_logged(org, as_manager):
    customer = f.enterprise(org.rep_a)

    response = patch(
        as_manager,
        f"{URL}/{customer.pk}",
        {"version": 1, "owner_id": org.manager.pk, "remarks": "经理补充"},
    )

    assert response.status_code == 200
    assert response.json()["owner"]["id"] == org.rep_a.pk
    assert response.json()["remarks"] == "经理补充"
    assert Customer.objects.get(pk=customer.pk).owner == org.rep_a
    event = AuditEvent.objects.get(action="customer.owner_write_ignored")
    assert (event.actor, event.target_id) == (org.manager, str(customer.pk))


def test_collaborators_are_set_by_ids(org, as_rep_a):
    customer = f.enterprise(org.rep_a)

    response = patch(
        as_rep_a, f"{URL}/{customer.pk}", {"version": 1, "collaborator_ids": [org.rep_b.pk]}
    )

    assert response.json()["collaborators"] == [{"id": org.rep_b.pk, "name": "李娜"}]
    assert api_client(org.rep_b).get(f"{URL}/{customer.pk}").status_code == 200


# --- history --------------------------------------------------------------------------------


def test_history_shows_who_when_what_from_what_to_what(org, as_rep_a):
    customer = f.individual(org.rep_a, mobile="13812341234", status="potential")
    before = timezone.now()
    patch(as_rep_a, f"{URL}/{customer.pk}", {"version": 1, "status": "intent"})
    patch(as_rep_a, f"{URL}/{customer.pk}", {"version": 2, "mobile": "13987654321"})

    response = as_rep_a.get(f"{URL}/{customer.pk}/history")

    assert response.status_code == 200
    rows = response.json()
    assert [(r["actor"], r["target"], r["field"], r["old"], r["new"]) for r in rows] == [
        ("张伟", "customer", "mobile", "138****1234", "139****4321"),
        ("张伟", "customer", "status", "潜在客户", "意向客户"),
    ]
    assert all(dt.datetime.fromisoformat(r["at"]) >= before for r in rows)


def test_history_includes_contact_changes(org, as_rep_a):
    customer = f.enterprise(org.rep_a, contacts=[f.contact_data(email="li.lei@example.com")])
    contact = customer.contacts.get()

    patch(
        as_rep_a,
        f"{URL}/{customer.pk}/contacts/{contact.pk}",
        {"version": 1, "email": "lilei@example.org", "position": "总监"},
    )
    rows = as_rep_a.get(f"{URL}/{customer.pk}/history").json()

    assert {(r["target"], r["field"], r["old"], r["new"]) for r in rows} == {
        (f"contact:{contact.pk}", "email", "l***@example.com", "l***@example.org"),
        (f"contact:{contact.pk}", "position", "", "总监"),
    }


def test_history_is_masked_even_for_a_manager_who_may_reveal(org, as_manager):
    customer = f.individual(org.rep_a, mobile="13812341234")
    patch(as_manager, f"{URL}/{customer.pk}", {"version": 1, "mobile": "13987654321"})

    rows = as_manager.get(f"{URL}/{customer.pk}/history").json()

    assert (rows[0]["old"], rows[0]["new"]) == ("138****1234", "139****4321")


# --- transfer -------------------------------------------------------------------------------


def test_owner_transfers_own_customer(org, as_rep_a):
    customer = f.enterprise(org.rep_a)

    response = post(as_rep_a, f"{URL}/{customer.pk}/transfer", {"owner_id": org.rep_b.pk})

    # rep A no longer sees the customer once it is rep B's: nothing to show back
    assert response.status_code == 204
    assert Customer.objects.get(pk=customer.pk).owner == org.rep_b
    assert AuditEvent.objects.filter(action="customer.transfer").count() == 1
    rows = api_client(org.rep_b).get(f"{URL}/{customer.pk}/history").json()
    assert [(r["actor"], r["field"], r["old"], r["new"]) for r in rows] == [
        ("张伟", "owner", "张伟", "李娜")
    ]


def test_rep_cannot_transfer_another_reps_customer(org, as_rep_a):
    theirs = f.enterprise(org.rep_b)

    response = post(as_rep_a, f"{URL}/{theirs.pk}/transfer", {"owner_id": org.rep_a.pk})

    assert response.status_code == 404
    assert Customer.objects.get(pk=theirs.pk).owner == org.rep_b
    assert not AuditEvent.objects.filter(action="customer.transfer").exists()


def test_manager_with_transfer_permission_transfers(org, as_manager):
    customer = f.enterprise(org.rep_a)

    response = post(
        as_manager, f"{URL}/{customer.pk}/transfer", {"owner_id": org.rep_b.pk, "reason": "离职"}
    )

    assert response.status_code == 200
    assert response.json()["owner"] == {"id": org.rep_b.pk, "name": "李娜"}
    event = AuditEvent.objects.get(action="customer.transfer")
    assert (event.actor, event.data) == (
        org.manager,
        {"from": org.rep_a.pk, "to": org.rep_b.pk, "reason": "离职"},
    )
    history = as_manager.get(f"{URL}/{customer.pk}/history").json()
    assert [(r["actor"], r["field"], r["new"]) for r in history] == [("王经理", "owner", "李娜")]


def test_manager_without_transfer_permission_is_403(org):
    customer = f.enterprise(org.rep_s)

    response = post(
        api_client(org.dept_manager), f"{URL}/{customer.pk}/transfer", {"owner_id": org.rep_a.pk}
    )

    assert response.status_code == 403
    assert Customer.objects.get(pk=customer.pk).owner == org.rep_s


def test_transfer_to_an_unknown_user_is_422(org, as_manager):
    customer = f.enterprise(org.rep_a)

    response = post(as_manager, f"{URL}/{customer.pk}/transfer", {"owner_id": 999999})

    assert response.status_code == 422
    assert "owner_id" in error_fields(response)


# --- contacts -------------------------------------------------------------------------------


def contacts_of(client, customer) -> list[dict]:
    return client.get(f"{URL}/{customer.pk}/contacts").json()


def test_one_primary_contact_through_the_api(org, as_rep_a):
    customer = f.enterprise(org.rep_a)
    base = f"{URL}/{customer.pk}/contacts"

    first = post(as_rep_a, base, f.contact_data(name="李雷"))
    second = post(as_rep_a, base, f.contact_data(name="韩梅梅"))

    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["is_primary"], second.json()["is_primary"]) == (True, False)

    moved = patch(as_rep_a, f"{base}/{second.json()['id']}", {"version": 1, "is_primary": True})
    assert moved.status_code == 200
    assert [(c["name"], c["is_primary"]) for c in contacts_of(as_rep_a, customer)] == [
        ("韩梅梅", True),
        ("李雷", False),
    ]

    deleted = as_rep_a.delete(f"{base}/{second.json()['id']}")
    assert deleted.status_code == 204
    assert [(c["name"], c["is_primary"]) for c in contacts_of(as_rep_a, customer)] == [
        ("李雷", True)
    ]


def test_invalid_contact_is_422_and_not_saved(org, as_rep_a):
    customer = f.enterprise(org.rep_a)

    response = post(
        as_rep_a, f"{URL}/{customer.pk}/contacts", {"name": "李雷", "landline": "12-34"}
    )

    assert response.status_code == 422
    assert error_fields(response) == {"landline": "座机格式应为 区号-号码，例如 021-12345678"}
    assert not Contact.objects.exists()


def test_contact_patch_with_old_version_is_409(org, as_rep_a):
    customer = f.enterprise(org.rep_a, contacts=[f.contact_data()])
    url = f"{URL}/{customer.pk}/contacts/{customer.contacts.get().pk}"
    assert patch(as_rep_a, url, {"version": 1, "position": "总监"}).status_code == 200

    response = patch(as_rep_a, url, {"version": 1, "position": "经理"})

    assert response.status_code == 409
    assert response.json()["current_version"] == 2


def test_contact_of_another_customer_is_404(org, as_rep_a):
    mine = f.enterprise(org.rep_a)
    other = f.enterprise(org.rep_a, contacts=[f.contact_data()])

    response = patch(
        as_rep_a, f"{URL}/{mine.pk}/contacts/{other.contacts.get().pk}", {"version": 1}
    )

    assert response.status_code == 404


# --- list: filters, sorts, pages ------------------------------------------------------------


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {c["id"] for c in response.json()["items"]}


def test_list_filters(org, as_manager):
    fair = SourceChannel.objects.get(name="展会")
    a = f.enterprise(
        org.rep_a,
        status="intent",
        urgency="high",
        industry_id="65",
        region_id="110108",
        source_id=fair.pk,
    )
    b = f.enterprise(org.rep_s, status="potential", urgency="low", industry_id="35")
    c = f.individual(org.rep_a, status="customer", region_id="310115")
    pooled = f.enterprise(org.manager, owner=None)
    admin = api_client(make_user("boss", org.hq, RoleCode.ADMIN))

    assert ids(as_manager.get(URL, {"status": "intent"})) == {a.pk}
    assert ids(as_manager.get(URL + "?status=intent&status=customer")) == {a.pk, c.pk}
    assert ids(as_manager.get(URL, {"kind": "individual"})) == {c.pk}
    assert ids(as_manager.get(URL, {"owner": org.rep_a.pk})) == {a.pk, c.pk}
    assert ids(as_manager.get(URL, {"department": org.team.pk})) == {a.pk, c.pk}
    assert ids(as_manager.get(URL, {"department": org.sales.pk})) == {a.pk, b.pk, c.pk}
    assert ids(as_manager.get(URL, {"industry": "I"})) == {a.pk}
    assert ids(as_manager.get(URL, {"industry": "35"})) == {b.pk}
    assert ids(as_manager.get(URL, {"region": "110000"})) == {a.pk}
    assert ids(as_manager.get(URL, {"region": "310000"})) == {c.pk}
    assert ids(as_manager.get(URL, {"source": fair.pk})) == {a.pk}
    assert ids(as_manager.get(URL, {"urgency": "low"})) == {b.pk}
    assert ids(admin.get(URL, {"pool": "true"})) == {pooled.pk}
    assert ids(as_manager.get(URL, {"pool": "true"})) == set()  # the pool is not their scope


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "won"}, "status"),
        ({"kind": "company"}, "kind"),
        ({"urgency": "now"}, "urgency"),
        ({"sort": "owner"}, "sort"),
        ({"region": "beijing"}, "region"),
        ({"owner": "zhang"}, "owner"),
        ({"limit": 201}, "limit"),
        ({"limit": 0}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": base64.urlsafe_b64encode(b'["x"]').decode()}, "cursor"),
        ({"cursor": base64.urlsafe_b64encode(b'["x", "y"]').decode()}, "cursor"),
    ],
)
def test_bad_list_parameter_is_422_naming_it(org, as_rep_a, query, field):
    f.enterprise(org.rep_a)

    response = as_rep_a.get(URL, query)

    assert response.status_code == 422
    assert field in error_fields(response)


def test_limit_of_200_is_allowed(org, as_rep_a):
    f.enterprise(org.rep_a)

    assert as_rep_a.get(URL, {"limit": 200}).status_code == 200


@pytest.mark.parametrize("sort", list(SORTS))
def test_each_sort_pages_every_row_exactly_once(org, as_rep_a, sort):
    created = {f.enterprise(org.rep_a).pk for _ in range(5)}
    Customer.objects.filter(pk__in=sorted(created)[:2]).update(name="同名有限公司")

    seen, cursor = [], None
    for _ in range(10):
        params = {"sort": sort, "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = as_rep_a.get(URL, params).json()
        assert len(body["items"]) <= 2
        seen += [c["id"] for c in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break

    assert len(seen) == 5
    assert set(seen) == created
    assert body["count"] == 5


# --- query counts ---------------------------------------------------------------------------

# token (with the access version: roles, scope and permissions are kept per process), the page
# of the rep's own customers and of those shared with them (page_queries: one or two; a last
# first page is its own count)
LIST_QUERIES = 1 + page_queries()
# token, customer with its related rows, collaborators, contacts
DETAIL_QUERIES = 4


def _customers(org, n):
    for _ in range(n):
        f.enterprise(org.rep_a, region_id="110108", industry_id="65", source_id=1)


@pytest.mark.parametrize("rows", [5, 30, 50])
def test_list_query_count_does_not_grow_with_rows(org, as_rep_a, django_assert_num_queries, rows):
    _customers(org, rows)
    as_rep_a.get(URL)  # the token's last-used time is written on first use only

    with django_assert_num_queries(LIST_QUERIES):
        response = as_rep_a.get(URL)

    assert len(response.json()["items"]) == rows


@pytest.mark.parametrize("contacts", [1, 5])
def test_detail_query_count_does_not_grow_with_contacts(
    org, as_rep_a, django_assert_num_queries, contacts
):
    customer = f.enterprise(
        org.rep_a,
        region_id="110108",
        industry_id="65",
        collaborators=[org.rep_b, org.rep_s],
        contacts=[f.contact_data() for _ in range(contacts)],
    )
    as_rep_a.get(f"{URL}/{customer.pk}")

    with django_assert_num_queries(DETAIL_QUERIES):
        response = as_rep_a.get(f"{URL}/{customer.pk}")

    assert len(response.json()["contacts"]) == contacts


def test_list_names_owners_and_sources_as_they_are_now(org, as_rep_a):
    # Given a list already read once (owners' and channels' names are kept per process)
    fair = SourceChannel.objects.get(name="展会")
    customer = f.enterprise(org.rep_a, source_id=fair.pk)
    item = as_rep_a.get(URL).json()["items"][0]
    assert (item["owner"], item["source"]) == ({"id": org.rep_a.pk, "name": "张伟"}, "展会")

    # When the channel is renamed, the next list shows its new name
    fair.name = "行业展会"
    fair.save()
    assert as_rep_a.get(URL).json()["items"][0]["source"] == "行业展会"

    # When an administrator renames the rep
    admin = api_client(make_user("boss", org.hq, RoleCode.ADMIN))
    response = patch(admin, f"/api/v1/users/{org.rep_a.pk}", {"display_name": "张伟伟"})
    assert response.status_code == 200

    # Then the next list shows the new name, without joining users or channels for names
    with CaptureQueriesContext(connection) as context:
        item = as_rep_a.get(URL).json()["items"][0]
    assert item["id"] == customer.pk
    assert item["owner"] == {"id": org.rep_a.pk, "name": "张伟伟"}
    pages = [q["sql"] for q in context.captured_queries if "customers_customer" in q["sql"]]
    assert pages and not any("JOIN" in sql for sql in pages)
