"""The status a refused customer write answers (DESIGN.md "Status codes"): 404 to whoever may
not see the customer, 403 to whoever sees it but may not do this to it — on the API and on the
pages alike."""

import json

import pytest
from django.urls import reverse

from kehu.accounts.choices import RoleCode
from kehu.core.testing import api_client, make_user, session_client
from kehu.customers.models import Contact, Customer
from kehu.customers.tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers"


@pytest.fixture
def org():
    return f.build_org()


@pytest.fixture
def agent(org):
    """A 客服专员 in another department: sees what is shared with them, changes no customer."""
    return make_user("kefu", org.other, RoleCode.SERVICE_AGENT, display_name="客服小王")


def send(client, method, url, data=None):
    return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json")


def api_writes(client, customer, contact, new_owner):
    base = f"{URL}/{customer.pk}"
    return {
        "patch": send(client, "patch", base, {"version": 1, "remarks": "改"}),
        "add contact": send(client, "post", f"{base}/contacts", f.contact_data()),
        "patch contact": send(
            client, "patch", f"{base}/contacts/{contact.pk}", {"version": 1, "name": "改"}
        ),
        "delete contact": client.delete(f"{base}/contacts/{contact.pk}"),
        "transfer": send(client, "post", f"{base}/transfer", {"owner_id": new_owner.pk}),
    }


def page_writes(client, customer, contact):
    pk = customer.pk
    return {
        "edit form": client.get(reverse("customers:edit", args=[pk])),
        "edit": client.post(reverse("customers:edit", args=[pk]), {"name": "改"}),
        "new contact form": client.get(reverse("customers:contact_new", args=[pk])),
        "contact edit": client.post(
            reverse("customers:contact_edit", args=[pk, contact.pk]), {"name": "改"}
        ),
        "contact delete": client.post(reverse("customers:contact_delete", args=[pk, contact.pk])),
        "transfer form": client.get(reverse("customers:transfer", args=[pk])),
    }


def assert_unchanged(customer, owner):
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.remarks, stored.owner_id, stored.version) == ("", owner.pk, 1)
    assert list(Contact.objects.filter(customer=customer).values_list("name", flat=True)) == [
        customer.contacts.get().name
    ]


def test_a_collaborator_who_may_not_change_gets_403_on_every_api_write(org, agent):
    shared = f.enterprise(org.rep_a, collaborators=[agent], contacts=[f.contact_data()])
    client = api_client(agent)
    assert client.get(f"{URL}/{shared.pk}").status_code == 200

    responses = api_writes(client, shared, shared.contacts.get(), org.rep_b)

    assert {k: r.status_code for k, r in responses.items()} == dict.fromkeys(responses, 403)
    assert responses["patch"].json()["code"] == "permission_denied"
    assert_unchanged(shared, org.rep_a)


def test_a_collaborator_who_may_not_change_gets_403_on_every_page_write(org, agent):
    shared = f.enterprise(org.rep_a, collaborators=[agent], contacts=[f.contact_data()])
    client = session_client(agent)

    responses = page_writes(client, shared, shared.contacts.get())

    assert {k: r.status_code for k, r in responses.items()} == dict.fromkeys(responses, 403)
    assert_unchanged(shared, org.rep_a)


def test_the_same_writes_by_an_outsider_are_404(org, agent):
    hidden = f.enterprise(org.rep_a, contacts=[f.contact_data()])
    contact = hidden.contacts.get()

    api = api_writes(api_client(agent), hidden, contact, org.rep_b)
    pages = page_writes(session_client(agent), hidden, contact)

    assert {k: r.status_code for k, r in api.items()} == dict.fromkeys(api, 404)
    assert {k: r.status_code for k, r in pages.items()} == dict.fromkeys(pages, 404)
    assert_unchanged(hidden, org.rep_a)


def test_creating_for_someone_else_without_the_transfer_permission_is_403(org):
    response = send(
        api_client(org.rep_a), "post", URL, {**f.enterprise_data(), "owner_id": org.rep_b.pk}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Customer.objects.exists()
