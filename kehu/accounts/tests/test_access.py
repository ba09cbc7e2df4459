"""Access (roles' scopes, visible owners, permissions) is kept per process between requests, and
any change to the organisation applies from the very next request, in the API and the pages."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from kehu.accounts.choices import DataScope
from kehu.accounts.models import AccessVersion, Role
from kehu.core.testing import api_client, make_admin, page_queries, session_client
from kehu.customers.tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers"


@pytest.fixture
def org():
    return f.build_org()


@pytest.fixture
def as_admin():
    return api_client(make_admin())


def listed(client) -> set[int]:
    response = client.get(URL)
    assert response.status_code == 200
    return {item["id"] for item in response.json()["items"]}


def patch(client, url, data):
    return client.patch(url, data=json.dumps(data), content_type="application/json")


def test_a_role_scope_change_applies_to_the_next_request(org, as_admin):
    own = f.enterprise(org.rep_a)
    theirs = f.enterprise(org.rep_c)
    as_rep_a = api_client(org.rep_a)
    assert listed(as_rep_a) == {own.pk}

    # When the administrator widens the sales reps' role to the whole company
    role = Role.objects.get(code="sales_rep")
    response = patch(as_admin, f"/api/v1/roles/{role.pk}", {"data_scope": DataScope.ALL})
    assert response.status_code == 200

    # Then the rep's next request, with the same token, sees the other rep's customer
    assert listed(as_rep_a) == {own.pk, theirs.pk}


def test_a_department_move_applies_to_the_next_request(org, as_admin):
    customer = f.enterprise(org.rep_a)
    as_manager = api_client(org.manager)
    page = session_client(org.manager)
    assert listed(as_manager) == {customer.pk}
    assert page.get(reverse("customers:detail", args=[customer.pk])).status_code == 200

    # When rep_a moves to 销售二部, outside the manager's departments
    response = patch(as_admin, f"/api/v1/users/{org.rep_a.pk}", {"department_id": org.other.pk})
    assert response.status_code == 200

    # Then the manager no longer sees rep_a's customer, in the API or on the pages
    assert listed(as_manager) == set()
    assert as_manager.get(f"{URL}/{customer.pk}").status_code == 404
    assert page.get(reverse("customers:detail", args=[customer.pk])).status_code == 404


def test_a_permission_given_to_a_role_applies_to_the_next_request(org):
    customer = f.individual(org.rep_s, mobile="13812345678")
    as_dept_manager = api_client(org.dept_manager)
    assert as_dept_manager.get(f"{URL}/{customer.pk}").json()["mobile"] == "138****5678"

    # When the role gets 查看完整联系方式 (as the 设置 role form saves it)
    role = Role.objects.get(code="dept_manager")
    role.permissions.add(Permission.objects.get(codename="reveal_pii"))

    # Then the next request shows the number in full
    assert as_dept_manager.get(f"{URL}/{customer.pk}").json()["mobile"] == "13812345678"


def test_repeated_requests_do_not_read_roles_or_permissions(org, django_assert_num_queries):
    as_rep_a = api_client(org.rep_a)
    as_rep_a.get(URL)

    # token with the access version, the page of the rep's customers and of those shared
    with django_assert_num_queries(1 + page_queries()) as context:
        as_rep_a.get(URL)
    tables = " ".join(q["sql"] for q in context.captured_queries)
    assert "accounts_role" not in tables
    assert "auth_permission" not in tables


def test_signing_in_does_not_change_the_access_version(org, client):
    before = AccessVersion.objects.get().value

    response = client.post(reverse("login"), {"username": "rep.a", "password": "Kehu-test-pw-7391"})

    assert response.status_code == 302
    assert AccessVersion.objects.get().value == before


def test_without_a_version_access_is_computed_for_each_request(org, as_admin):
    # Given the version row is gone (a flushed database)
    AccessVersion.objects.all().delete()
    own = f.enterprise(org.rep_a)
    theirs = f.enterprise(org.rep_c)
    AccessVersion.objects.all().delete()
    as_rep_a = api_client(org.rep_a)
    assert listed(as_rep_a) == {own.pk}

    # When a role changes, the version is written again and the change still applies at once
    role = Role.objects.get(code="sales_rep")
    patch(as_admin, f"/api/v1/roles/{role.pk}", {"data_scope": DataScope.ALL})

    assert AccessVersion.objects.count() == 1
    assert listed(as_rep_a) == {own.pk, theirs.pk}
