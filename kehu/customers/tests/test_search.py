"""The search box: one query finds a customer by what people type — a fragment of the name, the
short name, pinyin or its initials, a phone (whole or last four), an email, the credit code or the
customer number — and never finds a customer outside the searcher's data scope."""

import pytest

from kehu.accounts.choices import RoleCode
from kehu.core.testing import make_user
from kehu.customers import selectors, services
from kehu.customers.filters import CustomerFilter
from kehu.customers.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return f.build_org()


@pytest.fixture
def bytedance(org):
    return f.enterprise(
        org.rep_a,
        name="北京字节跳动科技有限公司",
        short_name="抖音",
        uscc=f.VALID_USCC,
        switchboard="010-58341234",
        contacts=[
            f.contact_data(name="李雷", mobile="13812345678", email="li.lei@bytedance.com"),
        ],
    )


@pytest.fixture
def others(org):
    """Customers of the same rep that no query below should find."""
    return [
        f.enterprise(org.rep_a, name="上海拼多多信息技术有限公司"),
        f.individual(org.rep_a, name="王芳", mobile="13600001111", email="wang.fang@example.com"),
    ]


def found(user, q: str) -> list[str]:
    page = selectors.customer_list(user=user, filters=CustomerFilter(q=q), limit=200)
    return sorted(row["name"] for row in page.items)


@pytest.mark.parametrize(
    "q",
    [
        "字节",  # a fragment of the name
        "跳动",  # a fragment from the middle
        "字节跳动科技",
        "北京字节",  # the start of the full name, region included
        "北京字节跳动科技有限公司",  # the whole name
        "抖音",  # the short name
        "zijie",  # full pinyin
        "ZiJie",
        "zijietiaodong",
        "zjtd",  # pinyin initials
        "douyin",  # pinyin of the short name
        "dy",
    ],
)
def test_finds_by_name(org, bytedance, others, q):
    assert found(org.rep_a, q) == ["北京字节跳动科技有限公司"]


@pytest.mark.parametrize(
    "q",
    [
        "13812345678",  # a contact's mobile
        "+86 138-1234-5678",
        "5678",  # its last four digits
        "010-58341234",  # the switchboard
        "01058341234",
        "li.lei@bytedance.com",  # a contact's email
        "LI.LEI@bytedance.com",
        "li.lei@",
        "91110108551385082Q",  # the credit code
        "91110108551385082q",
        "李雷",  # a contact's name
    ],
)
def test_finds_by_contact_details_and_codes(org, bytedance, others, q):
    assert found(org.rep_a, q) == ["北京字节跳动科技有限公司"]


def test_finds_by_customer_number(org, bytedance, others):
    assert found(org.rep_a, bytedance.number) == ["北京字节跳动科技有限公司"]
    assert found(org.rep_a, bytedance.number.lower()) == ["北京字节跳动科技有限公司"]


@pytest.mark.parametrize("q", ["13600001111", "1111", "wang.fang@example.com", "王芳"])
def test_finds_an_individual_by_own_mobile_and_email(org, bytedance, others, q):
    assert found(org.rep_a, q) == ["王芳"]


def test_full_width_query_is_normalised(org, bytedance, others):
    assert found(org.rep_a, "１３８１２３４５６７８") == ["北京字节跳动科技有限公司"]
    assert found(org.rep_a, " 字节 ") == ["北京字节跳动科技有限公司"]


@pytest.mark.parametrize("q", ["腾讯", "tengxun", "9999", "nobody@example.com", "13"])
def test_unmatched_query_finds_nothing(org, bytedance, others, q):
    assert found(org.rep_a, q) == []


def test_search_follows_edits_of_contacts(org, bytedance, others):
    contact = bytedance.contacts.get()

    services.contact_update(
        contact=contact, data={"mobile": "13900009999"}, actor=org.rep_a, version=1
    )

    assert found(org.rep_a, "13900009999") == ["北京字节跳动科技有限公司"]
    assert found(org.rep_a, "13812345678") == []


def test_search_forgets_a_deleted_contact(org, bytedance, others):
    services.contact_delete(contact=bytedance.contacts.get(), actor=org.rep_a)

    assert found(org.rep_a, "li.lei@bytedance.com") == []


# --- scope ----------------------------------------------------------------------------------


def test_another_reps_customer_never_appears(org, bytedance):
    f.enterprise(org.rep_b, name="北京字节跳动网络技术有限公司", contacts=[f.contact_data()])

    assert found(org.rep_a, "字节") == ["北京字节跳动科技有限公司"]
    assert found(org.rep_b, "字节") == ["北京字节跳动网络技术有限公司"]
    assert found(org.rep_b, "13812345678") == []
    assert found(org.rep_b, f.VALID_USCC) == []
    assert found(org.rep_b, bytedance.number) == []


def test_manager_finds_customers_of_the_team(org, bytedance):
    elsewhere = f.enterprise(org.rep_c, name="北京字节跳动网络技术有限公司")

    assert found(org.manager, "字节") == ["北京字节跳动科技有限公司"]
    assert found(org.rep_c, "字节") == [elsewhere.name]


def test_whole_company_scope_finds_everyone(org, bytedance):
    f.enterprise(org.rep_c, name="北京字节跳动网络技术有限公司")
    admin = make_user("boss", org.hq, RoleCode.ADMIN)

    assert found(admin, "zjtd") == ["北京字节跳动科技有限公司", "北京字节跳动网络技术有限公司"]


def test_search_combines_with_filters(org, bytedance):
    f.individual(org.rep_a, name="字节先生")

    page = selectors.customer_list(
        user=org.rep_a, filters=CustomerFilter(q="字节", kind="individual"), limit=50
    )

    assert [row["name"] for row in page.items] == ["字节先生"]


def test_a_transferred_customer_is_found_by_its_new_owner_only(org, bytedance):
    services.customer_transfer(customer=bytedance, new_owner=org.rep_b, actor=org.rep_a)

    assert found(org.rep_b, "字节") == ["北京字节跳动科技有限公司"]
    assert found(org.rep_a, "字节") == []
    # its terms follow the owner, so a manager's team search still finds it
    assert found(org.manager, "字节") == ["北京字节跳动科技有限公司"]


def test_a_customer_put_in_the_pool_is_found_company_wide_only(org, bytedance):
    admin = make_user("boss", org.hq, RoleCode.ADMIN)
    services.customer_transfer(customer=bytedance, new_owner=None, actor=org.rep_a)

    assert found(org.rep_a, "字节") == []
    assert found(org.manager, "字节") == []
    assert found(admin, "字节") == ["北京字节跳动科技有限公司"]


def test_a_shared_customer_is_found_by_its_collaborator(org, bytedance):
    theirs = f.enterprise(org.rep_c, name="深圳字节数据有限公司", collaborators=[org.rep_a])
    f.enterprise(org.rep_c, name="深圳字节云有限公司")

    assert found(org.rep_a, "字节") == sorted([bytedance.name, theirs.name])
    assert found(org.rep_b, "字节") == []


def test_a_word_with_more_matches_than_candidates_loses_none_in_scope(org, monkeypatch):
    # Given more matches in the rep's scope than the candidate list holds
    monkeypatch.setattr("kehu.customers.search.CANDIDATE_CAP", 2)
    tea = [f"{f._word(900 + n)}绿茶有限公司" for n in range(6)]
    mine = [f.enterprise(org.rep_a, name=name) for name in tea[:4]]
    shared = f.enterprise(org.rep_c, name=tea[4], collaborators=[org.rep_a])
    f.enterprise(org.rep_c, name=tea[5])  # someone else's

    # Then every match in scope is found, counted, and nothing outside it
    page = selectors.customer_list(user=org.rep_a, filters=CustomerFilter(q="绿茶"), limit=2)
    assert page.count == 5
    names = [row["name"] for row in page.items]
    while page.next:
        page = selectors.customer_list(
            user=org.rep_a, filters=CustomerFilter(q="绿茶"), cursor=page.next, limit=2
        )
        names += [row["name"] for row in page.items]
    assert sorted(names) == sorted(c.name for c in [*mine, shared])


def test_a_search_counts_its_matches_without_a_count_query(org, django_assert_num_queries):
    # Given more matches than a page holds, among others
    for n in range(7):
        f.enterprise(org.rep_a, name=f"{f._word(700 + n)}红茶有限公司")
    f.individual(org.rep_a, name="红茶先生")
    f.enterprise(org.rep_a, name="上海咖啡有限公司")

    # When the rep searches without other filters (their access already known)
    selectors.customer_list(user=org.rep_a, filters=CustomerFilter())
    # the owners' candidates, the shared ones', and the page of them by primary key
    with django_assert_num_queries(3) as context:
        page = selectors.customer_list(user=org.rep_a, filters=CustomerFilter(q="红茶"), limit=5)

    # Then the count comes from the search's own lookup
    assert (page.count, page.count_capped) == (8, False)
    assert not any("COUNT(" in q["sql"] for q in context.captured_queries)

    # And with another filter the list is counted as usual
    filtered = selectors.customer_list(
        user=org.rep_a, filters=CustomerFilter(q="红茶", kind="enterprise"), limit=5
    )
    assert (filtered.count, filtered.count_capped) == (7, False)
