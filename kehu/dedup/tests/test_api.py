"""Duplicate prevention through the API: exact keys block a new customer (409 "duplicate"), a
same or similar name needs an explicit, recorded "create anyway" (409 "similar_name"), and the
check-while-typing endpoint reports candidates with a reason — scoped: a candidate the caller may
not see is only "exists, owner: 张三 / 公海"."""

import pytest
from django.db import connection

from kehu.audit.models import AuditEvent
from kehu.customers import services
from kehu.customers.models import Customer
from kehu.customers.tests import factories as f
from kehu.dedup import selectors
from kehu.dedup.matching import CHECK_THRESHOLD
from kehu.dedup.models import PairDecision

from .conftest import legacy_company, post_json

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers"
CHECK = "/api/v1/customers/duplicates/check"


# --- exact keys block -----------------------------------------------------------------------


def _existing_and_new(case: str, rep):
    """(the customer already there, the payload of a second one that is the same customer)."""
    if case == "uscc":
        old = f.enterprise(rep, uscc=f.VALID_USCC)
        new = f.enterprise_data(uscc=" " + f.VALID_USCC.lower())
    elif case == "customer mobile":
        old = f.individual(rep, mobile="13812345678")
        new = f.individual_data(mobile="+86 138-1234-5678")
    elif case == "contact mobile":
        # entered again without the credit code (with two different codes: two companies)
        old = f.enterprise(rep, contacts=[f.contact_data(mobile="13912345678")])
        new = {**f.enterprise_data(uscc=""), "contacts": [f.contact_data(mobile="139 1234 5678")]}
    elif case == "individual mobile = contact mobile":
        old = f.enterprise(rep, contacts=[f.contact_data(mobile="13912345678")])
        new = f.individual_data(mobile="13912345678")
    elif case == "email":
        old = f.individual(rep, email="li.lei@example.com")
        new = f.individual_data(email="Li.Lei@Example.COM")
    elif case == "contact email":
        old = f.enterprise(rep, contacts=[f.contact_data(email="buyer@acme.cn")])
        new = {**f.enterprise_data(uscc=""), "contacts": [f.contact_data(email="BUYER@acme.cn")]}
    elif case == "individual name + mobile":
        old = f.individual(rep, name="张伟", mobile="13712345678")
        new = f.individual_data(name="张 伟", mobile="13712345678")
    else:
        raise AssertionError(case)
    return old, {k: v for k, v in new.items() if v is not None}


EXACT = [
    ("uscc", "same_uscc"),
    ("customer mobile", "same_phone"),
    ("contact mobile", "same_phone"),
    ("individual mobile = contact mobile", "same_phone"),
    ("email", "same_email"),
    ("contact email", "same_email"),
    ("individual name + mobile", "same_person"),
]


@pytest.mark.parametrize(("case", "reason"), EXACT)
def test_an_exact_key_blocks_create_with_the_existing_reference(org, client_for, case, reason):
    # Given a customer of rep_a's
    old, payload = _existing_and_new(case, org.rep_a)
    before = Customer.objects.count()

    # When rep_a creates the same customer again (even with allow_similar)
    response = post_json(client_for(org.rep_a), CUSTOMERS, {**payload, "allow_similar": True})

    # Then it is refused as a duplicate, naming the record that exists
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "duplicate"
    first = body["candidates"][0]
    assert first["reason"] == reason
    assert first["blocking"] is True
    assert first["visible"] is True
    assert first["customer"] == {"id": old.pk, "number": old.number, "name": old.name}
    assert Customer.objects.count() == before


def test_a_blocked_duplicate_outside_scope_names_only_its_owner(org, client_for):
    # Given a customer of rep_c's (another department)
    theirs = f.individual(org.rep_c, name="王秘密", mobile="13812345678")

    # When rep_a creates a customer with the same mobile
    response = post_json(client_for(org.rep_a), CUSTOMERS, f.individual_data(mobile="13812345678"))

    # Then it is refused, but all rep_a learns is that it exists and who owns it
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate"
    [candidate] = body["candidates"]
    assert candidate["reason"] == "same_phone"
    assert candidate["blocking"] is True
    assert (candidate["visible"], candidate["owner"], candidate["customer"]) == (
        False,
        "陈静",
        None,
    )
    text = response.content.decode()
    assert theirs.name not in text
    assert theirs.number not in text
    assert '"id"' not in text


def test_updating_a_mobile_to_another_customers_is_refused(org, client_for):
    # Given two individual customers
    first = f.individual(org.rep_a, mobile="13812345678")
    second = f.individual(org.rep_a, mobile="13900001111")

    # When the second's mobile is changed to the first's
    response = client_for(org.rep_a).patch(
        f"{CUSTOMERS}/{second.pk}",
        data={"version": second.version, "mobile": "138 1234 5678"},
        content_type="application/json",
    )

    # Then the update is refused and nothing changed
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert response.json()["candidates"][0]["customer"]["id"] == first.pk
    assert f.fresh(second).mobile == "13900001111"


def test_changing_a_contacts_mobile_to_another_customers_is_refused(org, client_for):
    first = f.enterprise(org.rep_a, contacts=[f.contact_data(mobile="13812345678")])
    second = f.enterprise(org.rep_a, uscc="")
    person = f.contact(second, org.rep_a, mobile="13900001111")

    response = client_for(org.rep_a).patch(
        f"{CUSTOMERS}/{second.pk}/contacts/{person.pk}",
        data={"version": person.version, "mobile": "13812345678"},
        content_type="application/json",
    )

    assert response.status_code == 409
    assert response.json()["candidates"][0]["customer"]["id"] == first.pk
    person.refresh_from_db()
    assert person.mobile == "13900001111"


def test_keeping_ones_own_mobile_on_update_is_not_a_duplicate(org, client_for):
    mine = f.individual(org.rep_a, mobile="13812345678")
    response = client_for(org.rep_a).patch(
        f"{CUSTOMERS}/{mine.pk}",
        data={"version": mine.version, "mobile": "+86 13812345678", "email": "new@example.com"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


# --- similar names warn and need "create anyway" --------------------------------------------


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        # same core, other legal form, the region field in the same city
        ({"name": "字节跳动科技股份有限公司", "region_code": "110108"}, "same_name"),
        ({"name": "北京市字节跳动科技有限责任公司"}, "same_name"),
        # a typo in the first characters, and the company's mail domain
        (
            {"name": "北京字节跳東科技有限公司", "contacts": [{"name": "王", "email": "w@bd.cn"}]},
            "similar_name",
        ),
    ],
)
def test_a_probable_duplicate_needs_create_anyway_which_is_remembered(
    org, client_for, fields, reason
):
    # Given 北京字节跳动科技有限公司, without a credit code
    old = f.enterprise(
        org.rep_a,
        name="北京字节跳动科技有限公司",
        uscc="",
        contacts=[f.contact_data(email="li@bd.cn")],
    )
    client = client_for(org.rep_a)
    payload = {**f.enterprise_data(uscc=""), **fields}

    # When a customer that is probably the same is created
    response = post_json(client, CUSTOMERS, payload)

    # Then it is refused with the candidate, its 相似度 and its reasons
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "similar_name"
    [candidate] = body["candidates"]
    assert candidate["reason"] == reason
    assert candidate["level"] == "warn"
    assert candidate["blocking"] is False
    assert candidate["customer"]["id"] == old.pk
    assert candidate["score"] >= CHECK_THRESHOLD
    assert candidate["similarity"] == f"{candidate['score']}%"
    assert candidate["reasons"]
    assert not Customer.objects.filter(name=payload["name"]).exists()

    # When it is sent again with "create anyway"
    response = post_json(client, CUSTOMERS, {**payload, "allow_similar": True})

    # Then it is created, and the decision is remembered and audited
    assert response.status_code == 201, response.content
    new_id = response.json()["id"]
    event = AuditEvent.objects.get(action="customer.create_despite_similar")
    assert event.actor == org.rep_a
    assert event.target_id == str(new_id)
    assert [c["id"] for c in event.data["candidates"]] == [old.pk]
    decision = PairDecision.objects.get()
    assert (decision.first_id, decision.second_id, decision.source) == (old.pk, new_id, "entry")
    assert reason in decision.signals


def test_individuals_with_the_same_name_are_not_duplicates(org, client_for):
    # Given 张伟, one of many
    f.individual(org.rep_a, name="张伟", mobile="13812345678")
    # When another 张伟 with another mobile is created
    response = post_json(
        client_for(org.rep_a), CUSTOMERS, f.individual_data(name="张伟", mobile="13900001111")
    )
    # Then nothing stands in the way
    assert response.status_code == 201, response.content


def test_different_companies_are_created_without_warning(org, client_for):
    f.enterprise(org.rep_a, name="杭州云帆智能科技有限公司")
    response = post_json(
        client_for(org.rep_a), CUSTOMERS, f.enterprise_data(name="杭州云帆物流有限公司")
    )
    assert response.status_code == 201, response.content


# --- check while typing ---------------------------------------------------------------------


def test_check_reports_every_candidate_with_its_level_and_score(org, client_for):
    # Given: the same credit code, the same company in the same city, a namesake elsewhere,
    # and a related company (another credit code)
    by_code = f.enterprise(org.rep_a, name="云帆物流有限公司", uscc=f.VALID_USCC)
    related = f.enterprise(org.rep_a, name="北京字节跳动科技股份有限公司")  # its own code
    by_name = legacy_company(org.rep_a, "北京字节跳动科技有限公司")
    legacy_company(org.rep_a, "成都字节跳动科技有限公司")  # another city

    # When someone types a company with that code and a spelling of that name
    response = post_json(
        client_for(org.rep_a),
        CHECK,
        {
            "kind": "enterprise",
            "name": "字节跳动科技（北京）有限公司",
            "uscc": f.VALID_USCC,
            "region_code": "110105",
        },
    )

    # Then the credit code blocks, the same company warns; the related one is shown apart
    assert response.status_code == 200
    found = [(c["customer"]["id"], c["level"], c["reason"]) for c in response.json()["candidates"]]
    assert found == [
        (by_code.pk, "block", "same_uscc"),
        (by_name.pk, "warn", "same_name"),
        (related.pk, "related", "same_name"),
    ]
    scores = [c["score"] for c in response.json()["candidates"]]
    assert scores[0] == 100
    assert CHECK_THRESHOLD <= scores[1] < 100


def test_check_of_mobiles_and_emails(org, client_for):
    person = f.individual(org.rep_a, mobile="13812345678", email="zw@example.com")
    client = client_for(org.rep_a)

    by_mobile = post_json(
        client, CHECK, {"kind": "individual", "name": "", "mobiles": ["138 1234 5678"]}
    ).json()["candidates"]
    by_email = post_json(
        client, CHECK, {"kind": "individual", "name": "", "emails": ["ZW@example.com"]}
    ).json()["candidates"]

    assert [(c["customer"]["id"], c["reason"]) for c in by_mobile] == [(person.pk, "same_phone")]
    assert [(c["customer"]["id"], c["reason"]) for c in by_email] == [(person.pk, "same_email")]


def test_check_leaves_out_the_record_being_edited(org, client_for):
    mine = f.enterprise(org.rep_a, name="北京字节跳动科技有限公司", uscc=f.VALID_USCC)
    response = post_json(
        client_for(org.rep_a),
        CHECK,
        {"name": "北京字节跳动科技有限公司", "uscc": f.VALID_USCC, "exclude_id": mine.pk},
    )
    assert response.json()["candidates"] == []


def test_check_of_nothing_finds_nothing(org, client_for):
    f.enterprise(org.rep_a)
    response = post_json(client_for(org.rep_a), CHECK, {})
    assert response.status_code == 200
    assert response.json()["candidates"] == []


# --- scope-safe hints -----------------------------------------------------------------------


def test_a_candidate_outside_scope_shows_only_its_owner(org, client_for):
    # Given rep_c's customer, which rep_a may not see
    theirs = f.enterprise(
        org.rep_c,
        name="深圳市腾讯科技有限公司",
        uscc=f.VALID_USCC,
        contacts=[f.contact_data(name="马化腾", mobile="13812345678")],
    )

    # When rep_a types the same company
    response = post_json(
        client_for(org.rep_a),
        CHECK,
        {"name": "腾讯科技有限公司", "uscc": f.VALID_USCC, "mobiles": ["13812345678"]},
    )

    # Then rep_a learns that it exists and who owns it — nothing else
    [candidate] = response.json()["candidates"]
    assert (candidate["reason"], candidate["label"]) == ("same_uscc", "统一社会信用代码相同")
    assert (candidate["score"], candidate["level"]) == (100, "block")
    assert (candidate["visible"], candidate["owner"], candidate["customer"]) == (
        False,
        "陈静",
        None,
    )
    text = response.content.decode()
    for secret in (theirs.name, theirs.number, "马化腾", '"id"'):
        assert secret not in text


def test_a_pool_customer_outside_scope_is_reported_as_in_the_pool(org, client_for):
    # Given a customer in the public pool (no owner)
    services.customer_create(
        data=f.enterprise_data(name="杭州云帆智能科技有限公司"), actor=org.manager, owner=None
    )

    # When rep_a types its name, in Hangzhou
    response = post_json(
        client_for(org.rep_a), CHECK, {"name": "云帆智能科技有限公司", "region_code": "330106"}
    )

    # Then it shows as existing in 公海, without its data
    [candidate] = response.json()["candidates"]
    assert candidate["owner"] == "公海"
    assert candidate["visible"] is False
    assert candidate["customer"] is None
    assert "杭州" not in response.content.decode()


@pytest.mark.parametrize(
    ("viewer", "visible"),
    [("rep_a", True), ("manager", True), ("rep_b", False), ("rep_c", False)],
)
def test_who_sees_a_candidate(org, client_for, viewer, visible):
    # Given rep_a's customer; manager sees rep_a's department tree, rep_b and rep_c do not
    mine = f.enterprise(org.rep_a, uscc=f.VALID_USCC)

    response = post_json(client_for(getattr(org, viewer)), CHECK, {"uscc": f.VALID_USCC})

    [candidate] = response.json()["candidates"]
    assert candidate["visible"] is visible
    assert candidate["owner"] == "张伟"
    assert (candidate["customer"] or {}).get("id") == (mine.pk if visible else None)


def test_a_collaborator_sees_the_candidate(org, client_for):
    mine = f.enterprise(org.rep_a, uscc=f.VALID_USCC, collaborators=[org.rep_c])
    response = post_json(client_for(org.rep_c), CHECK, {"uscc": f.VALID_USCC})
    assert response.json()["candidates"][0]["customer"]["id"] == mine.pk


def test_check_needs_a_signed_in_user(org, client):
    f.enterprise(org.rep_a, uscc=f.VALID_USCC)
    response = post_json(client, CHECK, {"uscc": f.VALID_USCC})
    assert response.status_code == 401


def test_check_costs_a_fixed_number_of_queries(org, client_for, django_assert_max_num_queries):
    # Given fifteen records of one company in one city
    for _ in range(15):
        legacy_company(org.rep_a, "北京云帆智能科技有限公司", region_id="110108")
    client = client_for(org.rep_a)
    post_json(client, CHECK, {"name": "x"})  # authentication and scope caches warm

    with django_assert_max_num_queries(10):
        response = post_json(client, CHECK, {"name": "北京云帆智能科技有限公司"})
    assert len(response.json()["candidates"]) == 15


def test_a_check_costs_the_same_queries_whatever_it_finds(org, django_assert_num_queries):
    # Given a blocking, a warning and a related candidate, one outside the rep's scope
    f.enterprise(org.rep_a, name="北京字节跳动科技有限公司", uscc=f.VALID_USCC)
    legacy_company(org.rep_c, "北京字节跳动科技股份有限公司")
    lookup = {"kind": "enterprise", "name": "字节跳动科技有限公司", "uscc": f.VALID_USCC,
              "region_code": "110108"}  # fmt: skip
    selectors.duplicate_check(user=org.rep_a, **lookup)  # the user's scope is cached

    # Then: the candidates' ids (one UNION ALL on PostgreSQL; the exact keys, the same core and
    # four neighbourhoods on SQLite), their keys, their owners and visibility
    with django_assert_num_queries(3 if connection.vendor == "postgresql" else 8):
        found = selectors.duplicate_check(user=org.rep_a, **lookup)
    assert [c["visible"] for c in found] == [True, False]
