"""Customer and contact services: validation with field-level Chinese messages and nothing saved,
normalisation of what people type, change history, optimistic concurrency, transfer, reveal,
and the one-primary-contact rule."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from kehu.accounts.services import user_deactivate
from kehu.audit.models import AuditEvent, FieldChange, RevealLog
from kehu.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from kehu.customers import services
from kehu.customers.choices import CustomerStatus
from kehu.customers.models import Contact, Customer, SearchTerm
from kehu.customers.tests import factories as f
from kehu.numbering.models import NumberSequence

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def _next_month() -> str:
    today = timezone.localdate()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"{year:04d}-{month:02d}"


@pytest.fixture
def org():
    return f.build_org()


def errors_of(exc_info) -> dict[str, str]:
    return {e["field"]: e["message"] for e in exc_info.value.errors}


def assert_nothing_saved():
    assert Customer.objects.count() == 0
    assert Contact.objects.count() == 0
    assert SearchTerm.objects.count() == 0
    assert not AuditEvent.objects.filter(action="customer.create").exists()
    assert not NumberSequence.objects.exists()  # no number was handed out


# --- validation on create -------------------------------------------------------------------

INVALID = [
    # (id, kind, fields, field named in the error, Chinese message)
    (
        "uscc check character",
        "enterprise",
        {"uscc": f.INVALID_USCC},
        "uscc",
        "统一社会信用代码校验位不正确（GB 32100-2015）",
    ),
    (
        "uscc length",
        "enterprise",
        {"uscc": "9111010855138508"},
        "uscc",
        "统一社会信用代码应为 18 位",
    ),
    (
        "mobile second digit",
        "individual",
        {"mobile": "12812341234"},
        "mobile",
        "手机号应为 11 位数字，以 13-19 开头",
    ),
    (
        "mobile ten digits",
        "individual",
        {"mobile": "1381234123"},
        "mobile",
        "手机号应为 11 位数字，以 13-19 开头",
    ),
    (
        "mobile letters",
        "individual",
        {"mobile": "1381234abcd"},
        "mobile",
        "手机号应为 11 位数字，以 13-19 开头",
    ),
    (
        "landline",
        "enterprise",
        {"switchboard": "12345678"},
        "switchboard",
        "座机格式应为 区号-号码，例如 021-12345678",
    ),
    ("email", "individual", {"email": "li.lei@"}, "email", "邮箱格式不正确"),
    ("email without at", "individual", {"email": "li.lei.example.com"}, "email", "邮箱格式不正确"),
    ("unknown region", "enterprise", {"region_id": "999999"}, "region", "地区代码不存在"),
    ("malformed region", "enterprise", {"region_id": "1101"}, "region", "地区代码无效"),
    ("unknown industry", "enterprise", {"industry_id": "99"}, "industry", "行业代码不存在"),
    ("unknown source", "enterprise", {"source_id": 999999}, "source", "来源渠道不存在"),
    (
        "budget min above max",
        "enterprise",
        {"budget_min": Decimal("80"), "budget_max": Decimal("50")},
        "budget_max",
        "预算上限不能小于下限",
    ),
    (
        "negative budget",
        "enterprise",
        {"budget_min": Decimal("-1")},
        "budget_min",
        "预算不能为负数",
    ),
    ("birthday in future", "individual", {"birthday": TOMORROW}, "birthday", "生日不能晚于今天"),
    (
        "first contact in future",
        "enterprise",
        {"first_contact_date": TOMORROW},
        "first_contact_date",
        "首次接触日期不能晚于今天",
    ),
    (
        "founded in future",
        "enterprise",
        {"founded": _next_month()},
        "founded",
        "成立时间不能晚于本月",
    ),
    (
        "founded month 13",
        "enterprise",
        {"founded": "2020-13"},
        "founded",
        "成立时间格式应为 YYYY-MM",
    ),
    (
        "founded not YYYY-MM",
        "enterprise",
        {"founded": "2020/05"},
        "founded",
        "成立时间格式应为 YYYY-MM",
    ),
    ("individual without mobile", "individual", {"mobile": ""}, "mobile", "个人客户须填写手机号"),
    (
        "unknown pending field",
        "enterprise",
        {"pending_fields": ["budget_min", "shoe_size"]},
        "pending_fields",
        "不能标记为待确认的字段：shoe_size",
    ),
    ("empty name", "enterprise", {"name": "   "}, "name", "请填写客户名称"),
    (
        "website",
        "enterprise",
        {"website": "www example com"},
        "website",
        "网址格式不正确，例如 https://www.example.com",
    ),
]


@pytest.mark.parametrize(
    ("kind", "fields", "field", "message"),
    [case[1:] for case in INVALID],
    ids=[case[0] for case in INVALID],
)
def test_invalid_customer_is_refused_with_field_message_and_nothing_saved(
    org, kind, fields, field, message
):
    data = (f.enterprise_data if kind == "enterprise" else f.individual_data)(**fields)

    with pytest.raises(ValidationFailed) as exc_info:
        services.customer_create(data=data, actor=org.rep_a)

    assert errors_of(exc_info)[field] == message
    assert_nothing_saved()


def test_every_invalid_field_is_reported_at_once(org):
    data = f.individual_data(mobile="12345", email="nope", birthday=TOMORROW)

    with pytest.raises(ValidationFailed) as exc_info:
        services.customer_create(data=data, actor=org.rep_a)

    assert set(errors_of(exc_info)) == {"mobile", "email", "birthday"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mobile", "1381234123", "手机号应为 11 位数字，以 13-19 开头"),
        ("landline", "1234", "座机格式应为 区号-号码，例如 021-12345678"),
        ("email", "a@b", "邮箱格式不正确"),
        ("birthday", TOMORROW, "生日不能晚于今天"),
        ("name", "", "请填写联系人姓名"),
    ],
)
def test_invalid_contact_in_create_saves_neither_customer_nor_contact(org, field, value, message):
    with pytest.raises(ValidationFailed) as exc_info:
        f.enterprise(org.rep_a, contacts=[f.contact_data(**{field: value})])

    assert errors_of(exc_info)[field] == message
    assert_nothing_saved()


def test_valid_credit_code_is_accepted(org):
    customer = f.enterprise(org.rep_a, uscc=f.VALID_USCC)

    assert customer.uscc == "91110108551385082Q"


def test_factory_credit_codes_are_valid_and_distinct(org):
    codes = [f.enterprise(org.rep_a).uscc for _ in range(3)]

    assert len(set(codes)) == 3


def test_individual_may_leave_mobile_pending(org):
    customer = f.individual(org.rep_a, mobile="", pending_fields=["mobile", "budget_min"])

    assert customer.mobile == ""
    assert customer.pending_fields == ["mobile", "budget_min"]


def test_budget_may_be_left_pending_instead_of_filled(org):
    customer = f.enterprise(org.rep_a, pending_fields=["budget_min", "budget_max"])

    assert fresh_pending(customer) == ["budget_min", "budget_max"]


def fresh_pending(customer):
    return Customer.objects.get(pk=customer.pk).pending_fields


def test_founded_this_month_and_today_are_allowed(org):
    today = timezone.localdate()

    customer = f.enterprise(org.rep_a, founded=f"{today:%Y-%m}", first_contact_date=today)

    assert customer.founded == f"{today:%Y-%m}"


def test_fields_of_the_other_kind_are_dropped(org):
    customer = f.enterprise(org.rep_a, mobile="13812341234", gender="male")

    assert (customer.mobile, customer.gender) == ("", "")


# --- normalisation on save ------------------------------------------------------------------


def test_full_width_digits_and_letters_become_half_width(org):
    customer = f.individual(
        org.rep_a,
        name="ＡＢＣ　客户",
        mobile="１３８１２３４１２３４",
        email="ＬＩ＠ＥＸＡＭＰＬＥ.com",
    )

    assert customer.name == "ABC 客户"
    assert customer.mobile == "13812341234"
    assert customer.email == "li@example.com"


def test_spaces_are_trimmed_and_collapsed(org):
    customer = f.enterprise(org.rep_a, name="  北京  字节跳动科技有限公司 ", short_name=" 字节 ")

    assert customer.name == "北京 字节跳动科技有限公司"
    assert customer.short_name == "字节"


@pytest.mark.parametrize(
    "typed", ["+86 138-1234-1234", "0086 13812341234", "86 138 1234 1234", "138 1234 1234"]
)
def test_mobile_prefixes_and_separators_are_removed(org, typed):
    customer = f.individual(org.rep_a, mobile=typed)

    assert customer.mobile == "13812341234"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(021) 1234 5678", "021-12345678"),
        ("021 12345678", "021-12345678"),
        ("0755-8765432", "0755-8765432"),
        ("075587654321", "0755-87654321"),
        ("010-12345678转808", "010-12345678-808"),
        ("（０２１）１２３４５６７８", "021-12345678"),
    ],
)
def test_landline_is_written_area_code_dash_number(org, typed, stored):
    customer = f.enterprise(org.rep_a, switchboard=typed)

    assert customer.switchboard == stored


def test_credit_code_is_upper_cased(org):
    customer = f.enterprise(org.rep_a, uscc=" 91110108551385082q ")

    assert customer.uscc == "91110108551385082Q"


def test_full_width_credit_code_becomes_half_width(org):
    code = f.unique_uscc()
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code.lower())

    customer = f.enterprise(org.rep_a, uscc=full_width)

    assert customer.uscc == code


def test_contact_phones_are_normalised(org):
    customer = f.enterprise(
        org.rep_a,
        contacts=[
            f.contact_data(
                mobile="+86 138-1234-1234", landline="(021) 1234 5678", email=" Li@X.CN "
            )
        ],
    )

    contact = customer.contacts.get()
    assert (contact.mobile, contact.landline, contact.email) == (
        "13812341234",
        "021-12345678",
        "li@x.cn",
    )


def test_list_fields_drop_blank_items(org):
    customer = f.enterprise(
        org.rep_a, need_tags=[" 采购设备 ", "", "  "], decision_chain=["技术部评估", " 财务部审批"]
    )

    assert customer.need_tags == ["采购设备"]
    assert customer.decision_chain == ["技术部评估", "财务部审批"]


# --- create ---------------------------------------------------------------------------------


def test_create_is_owned_by_the_actor_and_audited(org):
    customer = f.enterprise(org.rep_a)

    assert customer.owner == org.rep_a
    assert customer.created_by == org.rep_a
    assert customer.version == 1
    event = AuditEvent.objects.get(action="customer.create")
    assert (event.actor, event.target_id) == (org.rep_a, str(customer.pk))


def test_rep_cannot_create_for_someone_else(org):
    with pytest.raises(PermissionDenied):
        f.enterprise(org.rep_a, owner=org.rep_b)

    assert_nothing_saved()


def test_manager_may_create_for_a_rep(org):
    customer = f.enterprise(org.manager, owner=org.rep_a)

    assert customer.owner == org.rep_a


def test_manager_cannot_create_for_someone_outside_their_scope(org):
    # creating for someone is handing a customer over: the transfer rules apply
    with pytest.raises(ValidationFailed) as exc_info:
        f.enterprise(org.manager, owner=org.rep_c)

    assert errors_of(exc_info) == {"owner": "只能指定你数据范围内的同事为负责人"}
    assert_nothing_saved()


def test_cannot_create_for_a_deactivated_user(org):
    user_deactivate(user=org.rep_a, actor=None)
    org.rep_a.refresh_from_db()

    with pytest.raises(ValidationFailed) as exc_info:
        f.enterprise(org.manager, owner=org.rep_a)

    assert errors_of(exc_info) == {"owner": "负责人已停用"}
    assert_nothing_saved()


# --- update and history ---------------------------------------------------------------------


def test_update_records_who_when_and_old_to_new(org):
    customer = f.enterprise(org.rep_a, status=CustomerStatus.POTENTIAL, short_name="旧简称")
    before = timezone.now()

    updated = services.customer_update(
        customer=customer,
        data={"status": CustomerStatus.INTENT, "short_name": "新简称"},
        actor=org.rep_a,
        version=1,
    )

    assert updated.version == 2
    assert updated.updated_by == org.rep_a
    changes = {c.field: c for c in FieldChange.objects.filter(target_id=customer.pk)}
    assert set(changes) == {"status", "short_name"}
    assert (changes["status"].old, changes["status"].new) == ("潜在客户", "意向客户")
    assert (changes["short_name"].old, changes["short_name"].new) == ("旧简称", "新简称")
    assert all(c.actor == org.rep_a and c.at >= before for c in changes.values())


def test_update_with_nothing_changed_keeps_version_and_history(org):
    customer = f.enterprise(org.rep_a, short_name="字节")

    updated = services.customer_update(
        customer=customer, data={"short_name": " 字节 "}, actor=org.rep_a, version=1
    )

    assert updated.version == 1
    assert not FieldChange.objects.exists()


def test_history_masks_personal_values(org):
    customer = f.individual(org.rep_a, mobile="13812341234", email="li.lei@example.com")

    services.customer_update(
        customer=customer,
        data={"mobile": "13987654321", "email": "han.meimei@example.com"},
        actor=org.rep_a,
        version=1,
    )

    changes = {c.field: (c.old, c.new) for c in FieldChange.objects.all()}
    assert changes["mobile"] == ("138****1234", "139****4321")
    assert changes["email"] == ("l***@example.com", "h***@example.com")


def test_invalid_update_changes_nothing(org):
    customer = f.individual(org.rep_a, mobile="13812341234")

    with pytest.raises(ValidationFailed) as exc_info:
        services.customer_update(
            customer=customer,
            data={"mobile": "12345", "name": "新名字"},
            actor=org.rep_a,
            version=1,
        )

    assert errors_of(exc_info) == {"mobile": "手机号应为 11 位数字，以 13-19 开头"}
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.mobile, stored.name, stored.version) == ("13812341234", customer.name, 1)
    assert not FieldChange.objects.exists()


def test_stale_version_is_refused_with_the_current_version(org):
    customer = f.enterprise(org.rep_a)
    services.customer_update(customer=customer, data={"remarks": "一"}, actor=org.rep_a, version=1)

    with pytest.raises(StaleVersion) as exc_info:
        services.customer_update(
            customer=customer, data={"remarks": "二"}, actor=org.manager, version=1
        )

    assert exc_info.value.extra == {"current_version": 2}
    assert Customer.objects.get(pk=customer.pk).remarks == "一"


def test_owner_in_update_is_ignored_and_logged(org):
    customer = f.enterprise(org.manager, owner=org.rep_a)

    updated = services.customer_update(
        customer=customer,
        data={"owner_id": org.rep_b.pk, "remarks": "改备注"},
        actor=org.manager,
        version=1,
    )

    assert Customer.objects.get(pk=customer.pk).owner == org.rep_a
    assert updated.remarks == "改备注"
    event = AuditEvent.objects.get(action="customer.owner_write_ignored")
    assert (event.actor, event.target_id, event.data) == (
        org.manager,
        str(customer.pk),
        {"attempted": str(org.rep_b.pk)},
    )
    assert not FieldChange.objects.filter(field__in=["owner", "owner_id"]).exists()


def test_collaborator_changes_are_recorded(org):
    customer = f.enterprise(org.rep_a)

    services.customer_update(
        customer=customer, data={}, actor=org.rep_a, version=1, collaborators=[org.rep_b]
    )

    assert list(customer.collaborators.all()) == [org.rep_b]
    change = FieldChange.objects.get(field="collaborators")
    assert (change.old, change.new) == ("", "李娜")


def test_search_terms_follow_an_update(org):
    customer = f.enterprise(org.rep_a, name="北京字节跳动科技有限公司")

    services.customer_update(
        customer=customer, data={"name": "上海拼多多信息技术有限公司"}, actor=org.rep_a, version=1
    )

    terms = set(SearchTerm.objects.filter(customer=customer).values_list("term", flat=True))
    assert "n:拼多多信息技术" in terms
    assert not any("字节" in t for t in terms)


# --- transfer -------------------------------------------------------------------------------


def test_owner_transfers_own_customer(org):
    customer = f.enterprise(org.rep_a)

    moved = services.customer_transfer(
        customer=customer, new_owner=org.rep_b, actor=org.rep_a, reason="调岗"
    )

    assert moved.owner == org.rep_b
    assert moved.version == 2
    event = AuditEvent.objects.get(action="customer.transfer")
    assert event.actor == org.rep_a
    assert event.data == {"from": org.rep_a.pk, "to": org.rep_b.pk, "reason": "调岗"}
    change = FieldChange.objects.get(field="owner")
    assert (change.old, change.new, change.actor) == ("张伟", "李娜", org.rep_a)


def test_manager_with_transfer_permission_moves_a_reps_customer(org):
    customer = f.enterprise(org.rep_a)

    moved = services.customer_transfer(customer=customer, new_owner=org.rep_b, actor=org.manager)

    assert moved.owner == org.rep_b


def test_transfer_to_the_pool(org):
    customer = f.enterprise(org.rep_a)

    moved = services.customer_transfer(customer=customer, new_owner=None, actor=org.rep_a)

    assert moved.owner is None
    assert FieldChange.objects.get(field="owner").new == "公海"


def test_someone_else_without_transfer_permission_is_refused(org):
    customer = f.enterprise(org.rep_s)

    with pytest.raises(PermissionDenied):
        services.customer_transfer(customer=customer, new_owner=org.rep_b, actor=org.dept_manager)

    assert Customer.objects.get(pk=customer.pk).owner == org.rep_s
    assert not AuditEvent.objects.filter(action="customer.transfer").exists()


def test_manager_cannot_transfer_to_someone_outside_their_scope(org):
    customer = f.enterprise(org.rep_a)

    with pytest.raises(ValidationFailed) as exc_info:
        services.customer_transfer(customer=customer, new_owner=org.rep_c, actor=org.manager)

    assert "owner" in errors_of(exc_info)
    assert Customer.objects.get(pk=customer.pk).owner == org.rep_a


def test_transfer_to_a_deactivated_user_is_refused(org):
    customer = f.enterprise(org.rep_a)
    user_deactivate(user=org.rep_b, actor=None)
    org.rep_b.refresh_from_db()

    with pytest.raises(ValidationFailed):
        services.customer_transfer(customer=customer, new_owner=org.rep_b, actor=org.rep_a)


# --- reveal ---------------------------------------------------------------------------------


def test_reveal_returns_the_value_and_logs_who_whose_which(org):
    customer = f.individual(org.rep_a, mobile="13812341234")

    value = services.customer_reveal(customer=customer, field="mobile", actor=org.manager)

    assert value == "13812341234"
    log = RevealLog.objects.get()
    assert (log.actor, log.target_type, log.target_id, log.field) == (
        org.manager,
        "customers.customer",
        customer.pk,
        "mobile",
    )


def test_reveal_without_permission_is_refused_and_not_logged(org):
    customer = f.individual(org.rep_a)

    with pytest.raises(PermissionDenied):
        services.customer_reveal(customer=customer, field="mobile", actor=org.rep_a)

    assert not RevealLog.objects.exists()


def test_only_personal_fields_can_be_revealed(org):
    customer = f.enterprise(org.rep_a)

    with pytest.raises(ValidationFailed):
        services.customer_reveal(customer=customer, field="uscc", actor=org.manager)

    assert not RevealLog.objects.exists()


def test_contact_reveal_is_logged_against_the_contact(org):
    customer = f.enterprise(org.rep_a, contacts=[f.contact_data(email="li.lei@example.com")])
    contact = customer.contacts.get()

    value = services.contact_reveal(contact=contact, field="email", actor=org.manager)

    assert value == "li.lei@example.com"
    log = RevealLog.objects.get()
    assert (log.target_type, log.target_id, log.field) == ("customers.contact", contact.pk, "email")


# --- contacts -------------------------------------------------------------------------------


def primaries(customer) -> list[str]:
    return list(
        Contact.objects.filter(customer=customer, is_primary=True).values_list("name", flat=True)
    )


def test_first_contact_becomes_primary(org):
    customer = f.enterprise(org.rep_a)

    first = f.contact(customer, org.rep_a, name="李雷")
    f.contact(customer, org.rep_a, name="韩梅梅")

    assert first.is_primary
    assert primaries(customer) == ["李雷"]


def test_first_of_the_contacts_given_at_creation_becomes_primary(org):
    customer = f.enterprise(
        org.rep_a, contacts=[f.contact_data(name="李雷"), f.contact_data(name="韩梅梅")]
    )

    assert primaries(customer) == ["李雷"]


def test_contact_marked_primary_at_creation_wins(org):
    customer = f.enterprise(
        org.rep_a,
        contacts=[f.contact_data(name="李雷"), f.contact_data(name="韩梅梅", is_primary=True)],
    )

    assert primaries(customer) == ["韩梅梅"]


def test_setting_another_primary_moves_it(org):
    customer = f.enterprise(org.rep_a)
    f.contact(customer, org.rep_a, name="李雷")
    second = f.contact(customer, org.rep_a, name="韩梅梅")

    services.contact_update(
        contact=second, data={"is_primary": True}, actor=org.rep_a, version=second.version
    )

    assert primaries(customer) == ["韩梅梅"]


def test_new_contact_created_as_primary_takes_over(org):
    customer = f.enterprise(org.rep_a)
    f.contact(customer, org.rep_a, name="李雷")

    f.contact(customer, org.rep_a, name="韩梅梅", is_primary=True)

    assert primaries(customer) == ["韩梅梅"]


def test_deleting_the_primary_promotes_a_contact_still_there(org):
    customer = f.enterprise(org.rep_a)
    first = f.contact(customer, org.rep_a, name="李雷")
    f.contact(customer, org.rep_a, name="已离职", has_left=True)
    f.contact(customer, org.rep_a, name="韩梅梅")

    services.contact_delete(contact=first, actor=org.rep_a)

    assert primaries(customer) == ["韩梅梅"]
    assert AuditEvent.objects.filter(action="contact.delete", target_id=str(customer.pk)).exists()


def test_unsetting_the_only_candidate_keeps_one_primary(org):
    customer = f.enterprise(org.rep_a)
    only = f.contact(customer, org.rep_a, name="李雷")

    services.contact_update(contact=only, data={"is_primary": False}, actor=org.rep_a, version=1)

    assert primaries(customer) == ["李雷"]


def test_database_refuses_two_primaries(org):
    customer = f.enterprise(org.rep_a)
    f.contact(customer, org.rep_a)
    second = f.contact(customer, org.rep_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=second.pk).update(is_primary=True)

    assert len(primaries(customer)) == 1


def test_individual_customer_contacts_need_no_primary(org):
    customer = f.individual(org.rep_a)

    contact = f.contact(customer, org.rep_a)

    assert not contact.is_primary


def test_contact_update_is_in_history_masked(org):
    customer = f.enterprise(org.rep_a, contacts=[f.contact_data(mobile="13812341234")])
    contact = customer.contacts.get()

    updated = services.contact_update(
        contact=contact,
        data={"mobile": "13987654321", "position": "采购经理"},
        actor=org.rep_b,
        version=1,
    )

    assert updated.version == 2
    changes = {
        c.field: (c.old, c.new, c.actor)
        for c in FieldChange.objects.filter(target_type="customers.contact", target_id=contact.pk)
    }
    assert changes == {
        "mobile": ("138****1234", "139****4321", org.rep_b),
        "position": ("", "采购经理", org.rep_b),
    }


def test_contact_stale_version_is_refused(org):
    customer = f.enterprise(org.rep_a)
    contact = f.contact(customer, org.rep_a)
    services.contact_update(contact=contact, data={"position": "总监"}, actor=org.rep_a, version=1)

    with pytest.raises(StaleVersion) as exc_info:
        services.contact_update(
            contact=contact, data={"position": "经理"}, actor=org.rep_a, version=1
        )

    assert exc_info.value.extra == {"current_version": 2}
    assert Contact.objects.get(pk=contact.pk).position == "总监"


def test_invalid_contact_update_changes_nothing(org):
    customer = f.enterprise(org.rep_a)
    contact = f.contact(customer, org.rep_a, mobile="13812341234")

    with pytest.raises(ValidationFailed):
        services.contact_update(
            contact=contact, data={"mobile": "2", "position": "经理"}, actor=org.rep_a, version=1
        )

    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.mobile, stored.position, stored.version) == ("13812341234", "", 1)
