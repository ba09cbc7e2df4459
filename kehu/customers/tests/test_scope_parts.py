"""The customer list asks a narrow scope as separate index ranges (filters.scope_parts) and
merges them (pagination.keyset_page_parts): the rows must be exactly scope()'s, in order."""

import pytest

from kehu.accounts.models import Role
from kehu.core.pagination import keyset_page_parts
from kehu.customers import selectors, services
from kehu.customers.filters import SORTS, CustomerFilter, scope_parts
from kehu.customers.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    org = f.build_org()
    org.own = [f.enterprise(org.rep_a) for _ in range(4)]
    org.teammate = [f.enterprise(org.rep_b) for _ in range(3)]
    org.other = [f.enterprise(org.rep_c) for _ in range(3)]
    # rep_a collaborates on one of rep_c's customers and on one of its own.
    for customer in (org.other[0], org.own[1]):
        services.customer_update(
            customer=customer,
            data={},
            actor=org.rep_c if customer in org.other else org.rep_a,
            version=None,
            collaborators=[org.rep_a],
        )
    return org


@pytest.mark.parametrize("who", ["rep_a", "rep_b", "manager", "dept_manager", "rep_c"])
def test_parts_are_the_scope_without_overlap(org, who):
    # Given a user whose scope is narrow
    user = getattr(org, who)

    # When the scope is split into parts
    split = scope_parts(user)

    # Then together they hold exactly the scoped rows, each once, to page and to count
    scoped = set(selectors.customers_for(user).values_list("pk", flat=True))
    for parts in (split.page, split.count):
        ids = [pk for part in parts for pk in part.values_list("pk", flat=True)]
        assert len(ids) == len(set(ids))
        assert set(ids) == scoped


def test_the_whole_company_is_not_split(org):
    assert scope_parts(org.rep_a) is not None
    org.rep_a.groups.add(Role.objects.get(code="admin"))
    org.rep_a.__dict__.pop("_kehu_access", None)
    assert scope_parts(org.rep_a) is None


@pytest.mark.parametrize("sort", ["-updated_at", "name", "-number"])
@pytest.mark.parametrize("limit", [1, 2, 3, 50])
def test_merged_pages_walk_every_row_once_in_order(org, limit, sort):
    # Given rep_a's own customers and one shared with it
    user = org.rep_a
    keys = SORTS[sort]
    expected = list(selectors.customers_for(user).order_by(*keys).values_list("pk", flat=True))

    # When a client follows the cursors of the merged pages
    seen, cursor = [], None
    for _ in range(20):
        split = scope_parts(user)
        page = keyset_page_parts(
            split.page, keys=keys, cursor=cursor, limit=limit, count_parts=split.count
        )
        seen += [c.pk for c in page.items]
        assert page.count == len(expected)
        cursor = page.next
        if cursor is None:
            break

    # Then it saw the scope's rows once each, newest first
    assert seen == expected


def test_list_shows_shared_customers_of_others(org):
    page = selectors.customer_list(user=org.rep_a, filters=CustomerFilter(), limit=50)
    assert {row["id"] for row in page.items} == {c.pk for c in [*org.own, org.other[0]]}
