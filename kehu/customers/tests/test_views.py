"""The customer pages: who sees which customers, search and filters, the form (create, edit,
live validation, conflicts), the record page (reveal, contacts, transfer, timeline), saved views,
and the query counts of the list and the record (no N+1)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from stdnum.cn import uscc as stdnum_uscc

from kehu.accounts.choices import RoleCode
from kehu.audit.models import AuditEvent, RevealLog
from kehu.core.testing import make_department, make_user, page_queries, session_client
from kehu.customers import services
from kehu.customers.models import Contact, Customer, SavedView

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
VALID_USCC = "91110108551385082Q"
INVALID_USCC = "91110108551385083Q"


def uscc(n: int) -> str:
    first17 = f"91310115{n:09d}"
    return first17 + stdnum_uscc.calc_check_digit(first17)


def enterprise(owner, n: int = 1, *, contacts=None, **fields) -> Customer:
    data = {"kind": "enterprise", "name": f"上海测试{n}号科技有限公司", "uscc": uscc(n), **fields}
    # Numbered test names look alike to the duplicate check: create anyway.
    return services.customer_create(data=data, actor=owner, contacts=contacts, allow_similar=True)


def individual(owner, n: int = 1, **fields) -> Customer:
    data = {"kind": "individual", "name": f"个人客户{n}", "mobile": f"139{n:08d}", **fields}
    return services.customer_create(data=data, actor=owner, allow_similar=True)


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def org():
    """总部 → 华东大区 → 上海销售部; a manager over 华东 and reps in 上海 and in 北京."""
    hq = make_department("总部")
    east = make_department("华东大区", hq)
    shanghai = make_department("上海销售部", east)
    beijing = make_department("北京销售部", hq)
    return {
        "manager": make_user("wang.jl", east, RoleCode.SALES_MANAGER, display_name="王经理"),
        "rep": make_user("zhang.wei", shanghai, RoleCode.SALES_REP, display_name="张伟"),
        "teammate": make_user("chen.jing", shanghai, RoleCode.SALES_REP, display_name="陈静"),
        "outsider": make_user("liu.yang", beijing, RoleCode.SALES_REP, display_name="刘洋"),
    }


@pytest.fixture
def acme(org):
    """An enterprise of the rep with a primary contact and a few facts filled in."""
    return services.customer_create(
        data={
            "kind": "enterprise",
            "name": "北京字节跳动科技有限公司",
            "uscc": VALID_USCC,
            "switchboard": "021-87654321",
            "region_id": "440305",
            "budget_min": Decimal("50"),
            "budget_max": Decimal("80"),
            "decision_chain": ["技术部评估", "财务部审批", "总经理确认"],
            "pending_fields": ["ownership"],
        },
        actor=org["rep"],
        contacts=[{"name": "李雷", "mobile": "13812341234", "email": "lilei@example.com"}],
    )


# --- list -----------------------------------------------------------------------------------


def test_list_shows_own_customers_only(org, acme):
    other = enterprise(org["teammate"], 2)

    response = session_client(org["rep"]).get(reverse("customers:list"))

    assert response.status_code == 200
    assert acme.name in html(response)
    assert other.name not in html(response)
    assert "共 1 个客户" in html(response)


def test_list_rows_are_masked(org, acme):
    response = session_client(org["manager"]).get(reverse("customers:list"))

    assert "138****1234" in html(response)  # the primary contact's mobile
    assert "13812341234" not in html(response)
    assert "lilei@example.com" not in html(response)


def test_search_finds_by_pinyin_initials(org, acme):
    enterprise(org["rep"], 2, name="阿里巴巴网络技术有限公司")

    response = session_client(org["rep"]).get(
        reverse("customers:list"), {"q": "zjtd"}, headers=HTMX
    )

    assert response.status_code == 200
    body = html(response)
    assert body.startswith('<div id="customer-results">')  # the results block, not the page
    assert acme.name in body
    assert "阿里巴巴" not in body


def test_htmx_results_push_the_clean_filter_url(org, acme):
    response = session_client(org["rep"]).get(
        reverse("customers:list"),
        {"q": "", "status": "potential", "kind": "", "owner": "", "sort": "-updated_at"},
        headers=HTMX,
    )

    assert response["HX-Push-Url"] == "/customers/?status=potential&sort=-updated_at"


def test_search_says_when_nothing_matches(org, acme):
    response = session_client(org["rep"]).get(reverse("customers:list"), {"q": "不存在的客户"})

    assert "没有找到“不存在的客户”相关的客户" in html(response)


def test_filters_by_status_kind_and_pool(org, acme):
    person = individual(org["rep"], 3)
    services.customer_update(
        customer=person, data={"status": "intent"}, actor=org["rep"], version=None
    )
    client = session_client(org["rep"])

    by_status = html(client.get(reverse("customers:list"), {"status": "intent"}))
    by_kind = html(client.get(reverse("customers:list"), {"kind": "enterprise"}))

    assert person.name in by_status and acme.name not in by_status
    assert acme.name in by_kind and person.name not in by_kind


def test_filter_by_region_province_includes_its_districts(org, acme):
    elsewhere = enterprise(org["rep"], 2, region_id="110105")
    client = session_client(org["rep"])

    body = html(client.get(reverse("customers:list"), {"region": "440000"}))

    assert acme.name in body and elsewhere.name not in body


def test_invalid_filter_params_are_reported_not_500(org, acme):
    client = session_client(org["rep"])

    response = client.get(
        reverse("customers:list"), {"status": "bogus", "owner": "abc", "sort": "drop table"}
    )

    assert response.status_code == 200
    body = html(response)
    assert "筛选条件“客户状态”无效" in body
    assert "筛选条件“负责人”无效" in body
    assert "筛选条件“排序”无效" in body
    assert acme.name in body  # the rest of the list still shows


def test_bad_cursor_is_reported_not_500(org, acme):
    response = session_client(org["rep"]).get(
        reverse("customers:list"), {"cursor": "not-a-cursor"}, headers=HTMX
    )

    assert response.status_code == 200
    assert "cursor 无效或已过期" in html(response)


def test_load_more_pages_with_the_cursor(org):
    for n in range(1, 56):
        enterprise(org["rep"], n)
    client = session_client(org["rep"])

    first = client.get(reverse("customers:list"), {"sort": "number"})
    next_url = re.search(r'hx-get="([^"]*cursor=[^"]*)"', html(first)).group(1)
    more = client.get(next_url.replace("&amp;", "&"), headers=HTMX)

    assert "共 55 个客户" in html(first)
    assert html(first).count('class="c-number"') == 50
    assert html(more).count('class="c-number"') == 5
    assert "<table" not in html(more)  # rows only, appended under the first page
    assert "加载更多" not in html(more)
    numbers = re.findall(r"C\d{11}", html(first) + html(more))
    assert len(set(numbers)) == 55


# --- who may see a record --------------------------------------------------------------------


def test_manager_of_the_parent_department_sees_a_subordinates_customer(org, acme):
    client = session_client(org["manager"])

    assert acme.name in html(client.get(reverse("customers:list")))
    assert client.get(reverse("customers:detail", args=[acme.pk])).status_code == 200
    assert client.get(reverse("customers:edit", args=[acme.pk])).status_code == 200


def test_outsider_gets_404_everywhere(org, acme):
    contact = acme.contacts.get()
    client = session_client(org["outsider"])
    gets = [
        reverse("customers:detail", args=[acme.pk]),
        reverse("customers:edit", args=[acme.pk]),
        reverse("customers:history", args=[acme.pk]),
        reverse("customers:transfer", args=[acme.pk]),
        reverse("customers:contact_edit", args=[acme.pk, contact.pk]),
        reverse("customers:contact_new", args=[acme.pk]),
    ]
    posts = [
        reverse("customers:edit", args=[acme.pk]),
        reverse("customers:validate_existing", args=[acme.pk]),
        reverse("customers:reveal", args=[acme.pk, "switchboard"]),
        reverse("customers:transfer", args=[acme.pk]),
        reverse("customers:contacts", args=[acme.pk]),
        reverse("customers:contact_edit", args=[acme.pk, contact.pk]),
        reverse("customers:contact_delete", args=[acme.pk, contact.pk]),
        reverse("customers:contact_reveal", args=[acme.pk, contact.pk, "mobile"]),
    ]

    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"name": "x", "kind": "enterprise"}).status_code == 404, url
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert not RevealLog.objects.exists()
    assert acme.name not in html(client.get(reverse("customers:list")))


def test_anonymous_visitor_is_sent_to_login(client, acme):
    response = client.get(reverse("customers:detail", args=[acme.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- create -------------------------------------------------------------------------------


def _form_data(**overrides) -> dict:
    data = {
        "kind": "enterprise",
        "name": "杭州新客户科技有限公司",
        "status": "potential",
        "uscc": VALID_USCC,
        "region_province": "330000",
        "region_city": "330100",
        "region_district": "",
        "budget_min": "50",
        "budget_max": "80",
        "decision_chain": "技术部评估\n财务部审批\n总经理确认",
        "need_tags": ["采购设备"],
        "need_tags_other": "售后服务、培训",
        "pending_fields": ["ownership"],
    }
    data.update(overrides)
    return data


def test_create_by_the_form_creates_with_primary_contact(org):
    client = session_client(org["rep"])

    response = client.post(
        reverse("customers:create"),
        _form_data(
            contact_name="韩梅梅", contact_mobile="139 1234 5678", contact_position="采购经理"
        ),
    )

    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert customer.owner == org["rep"]
    assert customer.region_id == "330100"
    assert customer.budget_max == Decimal("80.00")
    assert customer.decision_chain == ["技术部评估", "财务部审批", "总经理确认"]
    assert customer.need_tags == ["采购设备", "售后服务", "培训"]
    assert customer.pending_fields == ["ownership"]
    contact = customer.contacts.get()
    assert (contact.name, contact.mobile, contact.is_primary) == ("韩梅梅", "13912345678", True)


def test_create_an_individual_clears_enterprise_fields(org):
    client = session_client(org["rep"])

    client.post(
        reverse("customers:create"),
        _form_data(kind="individual", name="王小明", mobile="13712345678", contact_name="x"),
    )

    customer = Customer.objects.get()
    assert (customer.kind, customer.mobile, customer.uscc) == ("individual", "13712345678", "")
    assert not customer.contacts.exists()  # the inline contact is for enterprises


def test_invalid_create_rerenders_with_field_messages_and_saves_nothing(org):
    client = session_client(org["rep"])

    response = client.post(
        reverse("customers:create"),
        _form_data(uscc=INVALID_USCC, budget_min="90", contact_name="韩梅梅", contact_mobile="123"),
    )

    assert response.status_code == 422
    body = html(response)
    assert "统一社会信用代码校验位不正确" in body
    assert "预算上限不能小于下限" in body
    # The inline contact's error shows under its own field, not the customer's mobile.
    assert re.search(r'id="err-contact_mobile">手机号应为 11 位数字', body)
    assert 'value="杭州新客户科技有限公司"' in body  # what was typed is kept
    assert not Customer.objects.exists()
    assert not Contact.objects.exists()


def test_create_form_starts_with_the_kind_asked_for(org):
    body = html(session_client(org["rep"]).get(reverse("customers:create"), {"kind": "individual"}))

    assert 'data-kind="individual"' in body
    assert re.search(r'class="form-section section-enterprise"[^>]* hidden>', body)


def test_exact_duplicate_is_refused_with_the_existing_record(org, acme):
    response = session_client(org["rep"]).post(
        reverse("customers:create"), _form_data(name="另一个名字有限公司")
    )

    assert response.status_code == 422
    assert "已存在相同客户" in html(response)
    assert reverse("customers:detail", args=[acme.pk]) in html(response)
    assert Customer.objects.count() == 1


# --- live validation ------------------------------------------------------------------------


def test_validate_returns_the_error_of_the_changed_field_and_saves_nothing(org):
    client = session_client(org["rep"])

    response = client.post(
        reverse("customers:validate") + "?field=uscc", _form_data(uscc=INVALID_USCC)
    )

    assert response.status_code == 200
    assert html(response) == (
        '<p class="field-error" id="err-uscc">统一社会信用代码校验位不正确（GB 32100-2015）</p>\n'
    )
    assert not Customer.objects.exists()


def test_validate_clears_the_message_once_fixed_and_updates_linked_fields(org):
    client = session_client(org["rep"])

    response = client.post(
        reverse("customers:validate") + "?field=budget_min",
        _form_data(budget_min="100", budget_max="80"),
    )

    assert '<p class="field-error" id="err-budget_min"></p>' in html(response)
    assert 'id="err-budget_max" hx-swap-oob="true">预算上限不能小于下限</p>' in html(response)


def test_validate_for_an_existing_record_checks_its_stored_values(org):
    person = individual(org["rep"], 5)
    client = session_client(org["rep"])

    # The mobile is not sent (the form keeps it blank = unchanged): still valid.
    response = client.post(
        reverse("customers:validate_existing", args=[person.pk]) + "?field=name",
        {"kind": "individual", "name": "", "status": "potential"},
    )

    assert html(response) == '<p class="field-error" id="err-name">请填写客户名称</p>\n'


def test_form_fields_post_to_the_validate_endpoint(org):
    body = html(session_client(org["rep"]).get(reverse("customers:create")))

    assert 'hx-post="/customers/validate/?field=uscc"' in body
    assert 'hx-target="#err-uscc"' in body


def test_region_picker_cascades(org):
    client = session_client(org["rep"])

    cities = html(client.get(reverse("customers:regions"), {"region_province": "440000"}))
    changed = html(
        client.get(
            reverse("customers:regions"),
            {"region_province": "110000", "region_city": "440300", "region_district": "440305"},
        )
    )

    assert '<option value="440300">深圳市</option>' in cities
    assert "440305" not in cities  # no district before a city
    assert 'value="110000" selected' in changed
    assert "440300" not in changed  # a city of another province is dropped


# --- edit -----------------------------------------------------------------------------------


def test_edit_saves_and_keeps_personal_values_left_blank(org, acme):
    client = session_client(org["rep"])
    form = html(client.get(reverse("customers:edit", args=[acme.pk])))

    response = client.post(
        reverse("customers:edit", args=[acme.pk]),
        _form_data(name=acme.name, version=acme.version, switchboard=""),
    )

    assert "021-87654321" not in form  # only masked, as a placeholder
    assert "021-******21" in form
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.switchboard == "021-87654321"
    assert acme.region_id == "330100"
    assert acme.version == 2


def test_edit_with_a_stale_version_shows_the_conflict(org, acme):
    services.customer_update(
        customer=acme, data={"short_name": "字节"}, actor=org["manager"], version=acme.version
    )
    client = session_client(org["rep"])

    response = client.post(
        reverse("customers:edit", args=[acme.pk]),
        _form_data(name="改过的名字有限公司", version=1),
    )

    assert response.status_code == 409
    assert "记录已被他人修改" in html(response)
    assert f'href="{reverse("customers:edit", args=[acme.pk])}"' in html(response)
    acme.refresh_from_db()
    assert acme.name == "北京字节跳动科技有限公司"


def test_invalid_edit_shows_the_field_message_and_changes_nothing(org, acme):
    response = session_client(org["rep"]).post(
        reverse("customers:edit", args=[acme.pk]),
        _form_data(name=acme.name, version=acme.version, website="not a url"),
    )

    assert response.status_code == 422
    assert "网址格式不正确" in html(response)
    acme.refresh_from_db()
    assert acme.version == 1


# --- record page ----------------------------------------------------------------------------


def test_detail_shows_sections_budget_decision_chain_and_pending(org, acme):
    body = html(session_client(org["rep"]).get(reverse("customers:detail", args=[acme.pk])))

    assert acme.number in body
    assert "企业信息" in body and "个人信息" not in body
    assert "50.00–80.00 万元" in body
    assert "技术部评估 → 财务部审批 → 总经理确认" in body
    assert "广东省-深圳市-南山区" in body
    assert re.search(r'class="pending-box".*<li>企业性质</li>', body, re.S)
    assert '<span class="tag primary">主联系人</span>' in body


def test_contact_who_left_is_greyed(org, acme):
    contact = acme.contacts.get()
    services.contact_create(
        customer=acme, data={"name": "前员工", "has_left": True}, actor=org["rep"]
    )

    body = html(session_client(org["rep"]).get(reverse("customers:detail", args=[acme.pk])))

    assert 'class="contact left"' in body
    assert f'class="contact primary" id="contact-{contact.pk}"' in body


def test_reveal_shows_the_full_value_and_logs_it(org, acme):
    client = session_client(org["manager"])  # sales managers may reveal
    page = html(client.get(reverse("customers:detail", args=[acme.pk])))

    response = client.post(reverse("customers:reveal", args=[acme.pk, "switchboard"]), headers=HTMX)

    assert "021-******21" in page and "021-87654321" not in page
    assert "查看" in page
    assert response.status_code == 200
    assert "021-87654321" in html(response)
    log = RevealLog.objects.get()
    assert (log.actor, log.target_id, log.field) == (org["manager"], acme.pk, "switchboard")


def test_reveal_of_a_contact_value_is_logged_against_the_contact(org, acme):
    contact = acme.contacts.get()
    client = session_client(org["manager"])

    response = client.post(
        reverse("customers:contact_reveal", args=[acme.pk, contact.pk, "mobile"]), headers=HTMX
    )

    assert "13812341234" in html(response)
    log = RevealLog.objects.get()
    assert (log.target_type, log.target_id, log.field) == (
        "customers.contact",
        contact.pk,
        "mobile",
    )


def test_rep_without_the_permission_sees_masked_values_and_cannot_reveal(org, acme):
    client = session_client(org["rep"])
    page = html(client.get(reverse("customers:detail", args=[acme.pk])))

    response = client.post(reverse("customers:reveal", args=[acme.pk, "switchboard"]))

    assert "021-******21" in page and "138****1234" in page
    assert "021-87654321" not in page and "13812341234" not in page
    assert "lilei@example.com" not in page
    assert 'class="link reveal"' not in page
    assert response.status_code == 403
    assert not RevealLog.objects.exists()


def test_reveal_of_a_field_that_is_not_personal_is_a_bad_request(org, acme):
    response = session_client(org["manager"]).post(
        reverse("customers:reveal", args=[acme.pk, "name"])
    )

    assert response.status_code == 400
    assert not RevealLog.objects.exists()


def test_history_lists_changes_with_labels(org, acme):
    services.customer_update(
        customer=acme, data={"budget_max": Decimal("90")}, actor=org["rep"], version=None
    )

    body = html(
        session_client(org["rep"]).get(reverse("customers:history", args=[acme.pk]), headers=HTMX)
    )

    assert "预算上限（万元）" in body
    assert "80.00" in body and "90.00" in body
    assert "张伟" in body


def test_timeline_merges_history_and_events_newest_first(org, acme):
    services.customer_update(
        customer=acme, data={"status": "intent"}, actor=org["rep"], version=None
    )
    services.customer_transfer(
        customer=acme, new_owner=org["teammate"], actor=org["rep"], reason="交接"
    )

    body = html(session_client(org["manager"]).get(reverse("customers:detail", args=[acme.pk])))

    timeline = body[body.index('class="timeline"') :]
    titles = re.findall(r"<strong>([^<]+)</strong>", timeline)
    assert titles[:3] == ["转移负责人", "修改客户资料", "创建客户"]
    assert "原因：交接" in timeline
    assert "负责人：张伟 → 陈静" in timeline  # the transfer and its field change, one entry
    assert "客户状态：潜在客户 → 意向客户" in timeline


# --- contacts -------------------------------------------------------------------------------


def test_add_contact_returns_the_contacts_section(org, acme):
    response = session_client(org["rep"]).post(
        reverse("customers:contacts", args=[acme.pk]),
        {"name": "韩梅梅", "mobile": "13912345678", "position": "采购"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#contacts"
    assert "韩梅梅" in html(response)
    assert acme.contacts.count() == 2


def test_invalid_contact_rerenders_the_form_and_saves_nothing(org, acme):
    response = session_client(org["rep"]).post(
        reverse("customers:contacts", args=[acme.pk]),
        {"name": "", "mobile": "123"},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "请填写联系人姓名" in html(response)
    assert "手机号应为 11 位数字" in html(response)
    assert acme.contacts.count() == 1


def test_edit_contact_keeps_a_blank_mobile_and_detects_stale_versions(org, acme):
    contact = acme.contacts.get()
    client = session_client(org["rep"])
    url = reverse("customers:contact_edit", args=[acme.pk, contact.pk])

    form = html(client.get(url, headers=HTMX))
    saved = client.post(
        url, {"name": "李雷", "position": "CTO", "is_primary": "on", "version": 1}, headers=HTMX
    )
    stale = client.post(url, {"name": "李雷雷", "version": 1}, headers=HTMX)

    assert "13812341234" not in form and "138****1234" in form
    assert saved.status_code == 200
    contact.refresh_from_db()
    assert (contact.position, contact.mobile, contact.version) == ("CTO", "13812341234", 2)
    assert stale.status_code == 409
    assert "记录已被他人修改" in html(stale)
    assert contact.name == "李雷"


def test_delete_contact(org, acme):
    contact = acme.contacts.get()

    response = session_client(org["rep"]).post(
        reverse("customers:contact_delete", args=[acme.pk, contact.pk]), headers=HTMX
    )

    assert response.status_code == 200
    assert "暂无联系人" in html(response)
    assert not Contact.objects.exists()


def test_collaborator_sees_the_record_but_cannot_change_contacts(org, acme):
    services.customer_update(
        customer=acme, data={}, actor=org["rep"], version=None, collaborators=[org["outsider"]]
    )
    contact = acme.contacts.get()
    client = session_client(org["outsider"])

    page = html(client.get(reverse("customers:detail", args=[acme.pk])))
    delete = client.post(reverse("customers:contact_delete", args=[acme.pk, contact.pk]))

    assert acme.name in page
    assert "添加联系人" not in page and "转移负责人" not in page
    # Allowed to see, not to act: 403 (DESIGN.md), not the outsider's 404
    assert client.get(reverse("customers:contact_new", args=[acme.pk])).status_code == 403
    assert delete.status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_add_contact_form_is_fetched_when_the_section_opens(org, acme):
    client = session_client(org["rep"])
    url = reverse("customers:contact_new", args=[acme.pk])

    record = html(client.get(reverse("customers:detail", args=[acme.pk])))
    partial = html(client.get(url, headers=HTMX))
    page = html(client.get(url))

    # The record page carries no form, only where to fetch it (and a link without JavaScript)
    assert 'name="position"' not in record
    assert f'hx-get="{url}"' in record and f'<noscript><a href="{url}">' in record
    # htmx gets the form alone; a plain request gets it on a page of its own
    assert 'name="position"' in partial and "<html" not in partial
    assert f'action="{reverse("customers:contacts", args=[acme.pk])}"' in partial
    assert 'name="position"' in page and "<html" in page


# --- transfer -------------------------------------------------------------------------------


def test_owner_transfers_their_customer(org, acme):
    client = session_client(org["rep"])
    page = html(client.get(reverse("customers:detail", args=[acme.pk])))

    response = client.post(
        reverse("customers:transfer", args=[acme.pk]),
        {"owner": org["teammate"].pk, "reason": "休假交接"},
        headers=HTMX,
    )

    assert "转移负责人" in page
    # The rep no longer sees the customer: sent back to the list.
    assert response["HX-Redirect"] == reverse("customers:list")
    acme.refresh_from_db()
    assert acme.owner == org["teammate"]
    event = AuditEvent.objects.get(action="customer.transfer")
    assert event.data["reason"] == "休假交接"


def test_manager_transfers_and_stays_on_the_record(org, acme):
    response = session_client(org["manager"]).post(
        reverse("customers:transfer", args=[acme.pk]), {"owner": org["teammate"].pk}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[acme.pk])


def test_transfer_needs_a_new_owner(org, acme):
    response = session_client(org["rep"]).post(
        reverse("customers:transfer", args=[acme.pk]), {"owner": ""}, headers=HTMX
    )

    assert response.status_code == 422
    assert "这个字段是必填项" in html(response)
    acme.refresh_from_db()
    assert acme.owner == org["rep"]


def test_teammate_with_change_scope_but_not_owner_cannot_transfer(org, acme):
    lead = make_user("lead", org["rep"].department, RoleCode.SERVICE_AGENT)  # 本部门, no perm

    page = html(session_client(lead).get(reverse("customers:detail", args=[acme.pk])))
    response = session_client(lead).post(
        reverse("customers:transfer", args=[acme.pk]), {"owner": lead.pk}
    )

    assert "转移负责人" not in page
    assert response.status_code == 403


# --- saved views ----------------------------------------------------------------------------


def test_saved_views_are_per_user(org, acme):
    rep, teammate = session_client(org["rep"]), session_client(org["teammate"])

    response = rep.post(
        reverse("customers:view_save"),
        {"name": "意向企业", "query": "status=intent&kind=enterprise&cursor=abc&junk=1"},
    )
    view = SavedView.objects.get()

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('customers:list')}?status=intent&kind=enterprise"
    assert (view.user, view.query) == (org["rep"], "status=intent&kind=enterprise")
    assert "意向企业" in html(rep.get(reverse("customers:list")))
    assert "意向企业" not in html(teammate.get(reverse("customers:list")))
    assert teammate.post(reverse("customers:view_delete", args=[view.pk])).status_code == 404
    assert SavedView.objects.exists()

    rep.post(reverse("customers:view_delete", args=[view.pk]))

    assert not SavedView.objects.exists()


def test_saving_a_view_without_a_name_says_so(org):
    client = session_client(org["rep"])

    response = client.post(
        reverse("customers:view_save"), {"name": " ", "query": "kind=enterprise"}, follow=True
    )

    assert "请填写视图名称" in html(response)
    assert not SavedView.objects.exists()


# --- query counts (no N+1) ------------------------------------------------------------------


def _many_customers(owner, count: int, start: int = 1) -> None:
    for n in range(start, start + count):
        enterprise(
            owner,
            n,
            region_id="310115",
            contacts=[
                {"name": f"主联系人{n}", "mobile": f"137{n:08d}"},
                {"name": f"联系人{n}", "mobile": f"136{n:08d}"},
            ],
        )


# Pinned query counts. The user's roles, scope and permissions are read once per change to the
# organisation (accounts.access), and so are the filter's choices (负责人, 部门, 来源): no request
# pays for them. List page: session, user (with the access version), the page of the owners'
# customers and of those shared with the user (page_queries: one or two; a first page that is
# also the last is its own count), primary contacts, saved views, the header's unread
# notifications. The htmx results block drops the last two; a search adds its candidates (the
# owners' matches and the shared customers') and reads the page of them as one query. Record
# page: session, user, customer, contacts, collaborators, audit events, history of the customer
# and of its contacts, the header's unread notifications.
LIST_PAGE_QUERIES = 5 + page_queries()
LIST_RESULTS_QUERIES = 6
DETAIL_QUERIES = 9


def test_list_query_count_does_not_grow_with_rows(org, django_assert_num_queries):
    client = session_client(org["manager"])
    _many_customers(org["rep"], 3)
    client.get(reverse("customers:list"))  # warm the per-process reference data caches

    with django_assert_num_queries(LIST_PAGE_QUERIES):
        client.get(reverse("customers:list"))

    _many_customers(org["teammate"], 30, start=100)
    with django_assert_num_queries(LIST_PAGE_QUERIES):
        response = client.get(reverse("customers:list"))
    assert html(response).count('class="c-number"') == 33
    with django_assert_num_queries(LIST_RESULTS_QUERIES):
        response = client.get(reverse("customers:list"), {"q": "shcs"}, headers=HTMX)
    assert html(response).count('class="c-number"') == 33


def test_detail_query_count_does_not_grow_with_contacts_or_history(org, django_assert_num_queries):
    customer = enterprise(org["rep"], 1, contacts=[{"name": "李雷", "mobile": "13812341234"}])
    client = session_client(org["manager"])
    client.get(reverse("customers:detail", args=[customer.pk]))

    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(reverse("customers:detail", args=[customer.pk]))

    for n in range(10):
        services.contact_create(
            customer=customer,
            data={"name": f"联系人{n}", "mobile": f"136{n:08d}"},
            actor=org["rep"],
        )
        services.customer_update(
            customer=customer, data={"remarks": f"第 {n} 次"}, actor=org["rep"], version=None
        )
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(reverse("customers:detail", args=[customer.pk]))
    assert html(response).count('<li class="contact') == 11


def test_form_asks_the_duplicate_hint_while_typing(org, acme):
    client = session_client(org["rep"])

    new = html(client.get(reverse("customers:create")))
    edit = html(client.get(reverse("customers:edit", args=[acme.pk])))

    assert f'hx-get="{reverse("dedup:hint")}"' in new
    assert f'hx-vals=\'{{"exclude_id": "{acme.pk}"}}\'' in edit
