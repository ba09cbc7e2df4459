"""Scoped reads of customers: who sees which customer (数据权限), the list filters and sorts, and
the change history of a customer with its contacts."""

import pytest

from kehu.accounts.choices import RoleCode
from kehu.accounts.scoping import CHANGE
from kehu.core.errors import NotFound, PermissionDenied, ValidationFailed
from kehu.core.testing import make_user
from kehu.customers import selectors, services
from kehu.customers.choices import CustomerStatus, Urgency
from kehu.customers.filters import SORTS, CustomerFilter
from kehu.customers.models import Customer, SourceChannel
from kehu.customers.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return f.build_org()


def listed(user, **filters) -> set[int]:
    page = selectors.customer_list(user=user, filters=CustomerFilter(**filters), limit=200)
    return {row["id"] for row in page.items}


def can_get(user, customer, action="view") -> bool:
    try:
        selectors.customer_get(user=user, customer_id=customer.pk, action=action)
    except (NotFound, PermissionDenied):
        return False
    return True


# --- who sees what --------------------------------------------------------------------------


def test_rep_sees_only_own_customers(org):
    mine = f.enterprise(org.rep_a)
    theirs = f.enterprise(org.rep_b)

    assert listed(org.rep_a) == {mine.pk}
    assert can_get(org.rep_a, mine)
    assert not can_get(org.rep_a, theirs)


def test_outsider_gets_not_found_not_forbidden(org):
    theirs = f.enterprise(org.rep_b)

    with pytest.raises(NotFound):
        selectors.customer_get(user=org.rep_a, customer_id=theirs.pk)
    with pytest.raises(NotFound):
        selectors.customer_get(user=org.rep_a, customer_id=999_999)


def test_department_tree_manager_sees_sub_department_reps_customers(org):
    in_team = f.enterprise(org.rep_a)
    in_own_department = f.enterprise(org.rep_s)
    elsewhere = f.enterprise(org.rep_c)

    assert listed(org.manager) == {in_team.pk, in_own_department.pk}
    assert can_get(org.manager, in_team)
    assert not can_get(org.manager, elsewhere)


def test_department_manager_does_not_see_sub_departments(org):
    in_team = f.enterprise(org.rep_a)
    in_own_department = f.enterprise(org.rep_s)

    assert listed(org.dept_manager) == {in_own_department.pk}
    assert not can_get(org.dept_manager, in_team)


def test_collaborator_sees_the_customer_but_does_not_change_it(org):
    shared = f.enterprise(org.rep_b, collaborators=[org.rep_a])

    assert listed(org.rep_a) == {shared.pk}
    assert can_get(org.rep_a, shared)
    assert not can_get(org.rep_a, shared, action=CHANGE)


def test_pool_customers_are_not_in_a_reps_list(org):
    pooled = f.enterprise(org.manager, owner=None)

    assert pooled.owner is None
    assert listed(org.rep_a) == set()


def test_contact_of_an_out_of_scope_customer_is_not_found(org):
    theirs = f.enterprise(org.rep_b, contacts=[f.contact_data()])

    with pytest.raises(NotFound):
        selectors.contact_get(
            user=org.rep_a, customer_id=theirs.pk, contact_id=theirs.contacts.get().pk
        )


def test_contact_of_another_customer_is_not_found(org):
    mine = f.enterprise(org.rep_a)
    other = f.enterprise(org.rep_a, contacts=[f.contact_data()])

    with pytest.raises(NotFound):
        selectors.contact_get(
            user=org.rep_a, customer_id=mine.pk, contact_id=other.contacts.get().pk
        )


# --- filters --------------------------------------------------------------------------------


def test_filter_by_status(org):
    potential = f.enterprise(org.manager, status=CustomerStatus.POTENTIAL)
    intent = f.enterprise(org.manager, status=CustomerStatus.INTENT)
    won = f.enterprise(org.manager, status=CustomerStatus.CUSTOMER)

    assert listed(org.manager, status=["intent"]) == {intent.pk}
    assert listed(org.manager, status=["potential", "customer"]) == {potential.pk, won.pk}


def test_filter_by_kind(org):
    company = f.enterprise(org.manager)
    person = f.individual(org.manager)

    assert listed(org.manager, kind="enterprise") == {company.pk}
    assert listed(org.manager, kind="individual") == {person.pk}


def test_filter_by_owner(org):
    a = f.enterprise(org.rep_a)
    f.enterprise(org.rep_b)

    assert listed(org.manager, owner=org.rep_a.pk) == {a.pk}


def test_filter_by_department_includes_its_sub_departments(org):
    in_team = f.enterprise(org.rep_a)
    in_sales = f.enterprise(org.rep_s)

    assert listed(org.manager, department=org.team.pk) == {in_team.pk}
    assert listed(org.manager, department=org.sales.pk) == {in_team.pk, in_sales.pk}


def test_filter_by_industry_section_letter_or_division(org):
    software = f.enterprise(org.manager, industry_id="65")  # I 信息传输、软件和信息技术服务业
    telecom = f.enterprise(org.manager, industry_id="63")  # I 电信、广播电视和卫星传输服务
    machinery = f.enterprise(org.manager, industry_id="35")  # C 专用设备制造业

    assert listed(org.manager, industry="I") == {software.pk, telecom.pk}
    assert listed(org.manager, industry="65") == {software.pk}
    assert listed(org.manager, industry="C") == {machinery.pk}


def test_filter_by_region_includes_sub_regions(org):
    haidian = f.enterprise(org.manager, region_id="110108")  # 北京市海淀区
    dongcheng = f.enterprise(org.manager, region_id="110101")  # 北京市东城区
    pudong = f.enterprise(org.manager, region_id="310115")  # 上海市浦东新区

    assert listed(org.manager, region="110000") == {haidian.pk, dongcheng.pk}
    assert listed(org.manager, region="310000") == {pudong.pk}
    assert listed(org.manager, region="110108") == {haidian.pk}


def test_filter_by_source(org):
    fair = SourceChannel.objects.get(name="展会")
    from_fair = f.enterprise(org.manager, source_id=fair.pk)
    f.enterprise(org.manager, source_id=SourceChannel.objects.get(name="官网表单").pk)

    assert listed(org.manager, source=fair.pk) == {from_fair.pk}


def test_filter_by_urgency(org):
    urgent = f.enterprise(org.manager, urgency=Urgency.HIGH)
    f.enterprise(org.manager, urgency=Urgency.LOW)

    assert listed(org.manager, urgency="high") == {urgent.pk}


def test_filter_pool_shows_customers_without_owner(org):
    pooled = f.enterprise(org.manager, owner=None)
    f.enterprise(org.manager)
    admin = make_user("boss", org.hq, RoleCode.ADMIN)

    assert listed(admin, pool=True) == {pooled.pk}


def test_filters_combine(org):
    match = f.enterprise(org.rep_a, status=CustomerStatus.INTENT, urgency=Urgency.HIGH)
    f.enterprise(org.rep_a, status=CustomerStatus.INTENT, urgency=Urgency.LOW)
    f.enterprise(org.rep_b, status=CustomerStatus.INTENT, urgency=Urgency.HIGH)

    assert listed(org.manager, owner=org.rep_a.pk, status=["intent"], urgency="high") == {match.pk}


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"status": ["won"]}, "status"),
        ({"kind": "company"}, "kind"),
        ({"urgency": "urgent"}, "urgency"),
        ({"sort": "owner"}, "sort"),
        ({"region": "11"}, "region"),
    ],
)
def test_invalid_filter_is_a_validation_error(org, filters, field):
    with pytest.raises(ValidationFailed) as exc_info:
        selectors.customer_list(user=org.manager, filters=CustomerFilter(**filters))

    assert exc_info.value.errors[0]["field"] == field


# --- sorts and pages ------------------------------------------------------------------------


@pytest.mark.parametrize("sort", list(SORTS))
def test_every_sort_pages_through_every_row_exactly_once(org, sort):
    created = {f.enterprise(org.rep_a).pk for _ in range(7)}
    # Same name for some rows: ties must be broken by the unique last key.
    Customer.objects.filter(pk__in=sorted(created)[:3]).update(name="同名有限公司")

    seen, cursor, pages = [], None, 0
    while True:
        page = selectors.customer_list(
            user=org.rep_a, filters=CustomerFilter(sort=sort), cursor=cursor, limit=3
        )
        seen += [row["id"] for row in page.items]
        pages += 1
        cursor = page.next
        if cursor is None:
            break

    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == created
    assert pages == 3
    assert page.count == 7


def test_sort_order_is_the_one_asked_for(org):
    numbers = [f.enterprise(org.rep_a).number for _ in range(3)]

    ascending = selectors.customer_list(user=org.rep_a, filters=CustomerFilter(sort="number"))
    descending = selectors.customer_list(user=org.rep_a, filters=CustomerFilter(sort="-number"))

    assert [row["number"] for row in ascending.items] == sorted(numbers)
    assert [row["number"] for row in descending.items] == sorted(numbers, reverse=True)


def test_recently_updated_first_by_default(org):
    first = f.enterprise(org.rep_a)
    second = f.enterprise(org.rep_a)
    services.customer_update(customer=first, data={"remarks": "新"}, actor=org.rep_a, version=1)

    page = selectors.customer_list(user=org.rep_a, filters=CustomerFilter())

    assert [row["id"] for row in page.items] == [first.pk, second.pk]


# --- history --------------------------------------------------------------------------------


def test_history_has_customer_and_contact_changes_newest_first(org):
    customer = f.enterprise(org.rep_a, contacts=[f.contact_data(position="工程师")])
    contact = customer.contacts.get()
    services.customer_update(customer=customer, data={"remarks": "一"}, actor=org.rep_a, version=1)
    services.contact_update(contact=contact, data={"position": "总监"}, actor=org.rep_a, version=1)

    history = selectors.customer_history(customer=customer)

    assert [(h.target_type, h.field, h.old, h.new) for h in history] == [
        ("customers.contact", "position", "工程师", "总监"),
        ("customers.customer", "remarks", "", "一"),
    ]


def test_history_of_one_customer_has_nothing_of_another(org):
    one = f.enterprise(org.rep_a)
    other = f.enterprise(org.rep_a)
    services.customer_update(customer=other, data={"remarks": "x"}, actor=org.rep_a, version=1)

    assert selectors.customer_history(customer=one) == []
