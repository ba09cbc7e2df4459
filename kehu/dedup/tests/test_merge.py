"""Merging duplicates: the survivor takes every contact, history entry and collaborator of the
merged records and the chosen field values, in one audited transaction; undo puts everything
back — the merged record with its number, its contacts and history, the survivor's values, and
the keys and search terms that find them. Only records the user may edit can be merged."""

import pytest
from django.apps import apps
from django.db import models

from kehu.accounts.choices import RoleCode
from kehu.audit.models import AuditEvent, FieldChange
from kehu.core.errors import ValidationFailed
from kehu.core.testing import make_user
from kehu.customers import services as customer_services
from kehu.customers.filters import CustomerFilter
from kehu.customers.models import Contact, Customer, SearchTerm
from kehu.customers.selectors import customer_list
from kehu.customers.tests import factories as f
from kehu.dedup import services
from kehu.dedup.choices import GroupStatus
from kehu.dedup.keys import keys_for
from kehu.dedup.models import DedupKey, DuplicateGroup, MergeRecord

from .conftest import legacy_duplicate, post_json

pytestmark = pytest.mark.django_db

MERGE = "/api/v1/duplicates/merge"


def stored_keys(customer) -> set[tuple[str, str]]:
    return set(DedupKey.objects.filter(customer=customer).values_list("kind", "value"))


def history_ids(customer_id: int) -> set[int]:
    return set(
        FieldChange.objects.filter(
            target_type="customers.customer", target_id=customer_id
        ).values_list("pk", flat=True)
    )


def contact_ids(customer) -> set[int]:
    return set(Contact.objects.filter(customer=customer).values_list("pk", flat=True))


@pytest.fixture
def pair(org, scan):
    """rep_a's 北京字节跳动科技有限公司 (survivor) and rep_b's 字节跳动科技股份有限公司 (the
    duplicate): each with contacts, the duplicate with history and a collaborator; a scan has
    grouped them."""
    survivor = f.enterprise(
        org.rep_a,
        name="北京字节跳动科技有限公司",
        address="北京市海淀区中关村大街1号",
        contacts=[f.contact_data(name="李雷", mobile="13800000001")],
    )
    # entered before the check existed (no "create anyway" remembered)
    duplicate = f.customer_create(
        org.rep_b,
        f.enterprise_data(uscc="", address="北京市海淀区知春路 63 号 9 层"),
        contacts=[
            f.contact_data(name="韩梅梅", mobile="13800000002", is_primary=True),
            f.contact_data(name="王芳", mobile="13800000003"),
        ],
        collaborators=[org.rep_s],
    )
    legacy_duplicate(duplicate, name="北京字节跳动科技股份有限公司")
    duplicate = customer_services.customer_update(
        customer=duplicate, data={"remarks": "展会认识"}, actor=org.rep_b, version=None
    )
    scan(org.manager)
    return survivor, duplicate


def merge_api(user, client_for, survivor, others, field_sources=None):
    return post_json(
        client_for(user),
        MERGE,
        {
            "survivor_id": survivor.pk,
            "merge_ids": [o.pk for o in others],
            "field_sources": field_sources or {},
        },
    )


def test_merge_moves_everything_to_the_survivor(org, client_for, pair):
    survivor, duplicate = pair
    contacts = contact_ids(survivor) | contact_ids(duplicate)
    history = history_ids(survivor.pk) | history_ids(duplicate.pk)
    assert history_ids(duplicate.pk)  # the duplicate has history to move
    group = DuplicateGroup.objects.get()
    assert {c.pk for c in group.customers.all()} == {survivor.pk, duplicate.pk}

    # When the manager merges the duplicate into the survivor, taking its address
    response = merge_api(
        org.manager,
        client_for,
        survivor,
        [duplicate],
        {"address": duplicate.pk, "name": survivor.pk, "uscc": duplicate.pk},
    )

    # Then the merge is recorded
    assert response.status_code == 201, response.content
    assert response.json()["merged_numbers"] == [duplicate.number]
    assert response.json()["undone_at"] is None

    # And the duplicate is gone
    assert not Customer.objects.filter(pk=duplicate.pk).exists()
    assert client_for(org.manager).get(f"/api/v1/customers/{duplicate.pk}").status_code == 404

    # And its contacts, history and collaborators are the survivor's; one primary contact
    kept = f.fresh(survivor)
    assert contact_ids(kept) == contacts
    assert Contact.objects.filter(customer=kept, is_primary=True).count() == 1
    assert Contact.objects.get(customer=kept, is_primary=True).name == "李雷"
    assert history <= history_ids(kept.pk)
    # …and the merged record's owner becomes a collaborator: rep_b keeps the customer they had
    assert set(kept.collaborators.all()) == {org.rep_s, org.rep_b}

    # And the chosen values won; the others stayed
    assert kept.address == duplicate.address
    assert kept.uscc == duplicate.uscc
    assert kept.name == survivor.name

    # And the keys of the duplicate now find the survivor
    assert stored_keys(kept) == keys_for(kept, list(kept.contacts.all()))
    assert not DedupKey.objects.filter(customer_id=duplicate.pk).exists()
    check = post_json(
        client_for(org.manager),
        "/api/v1/customers/duplicates/check",
        {"mobiles": ["13800000003"]},
    ).json()["candidates"]
    assert [c["customer"]["id"] for c in check] == [kept.pk]

    # And the group is marked merged, and the merge is audited
    group.refresh_from_db()
    assert group.status == GroupStatus.MERGED
    event = AuditEvent.objects.get(action="customer.merge")
    assert event.actor == org.manager
    assert event.target_id == str(kept.pk)
    assert event.data["merged"] == [duplicate.number]


def test_undo_restores_the_merged_record_and_the_survivor(org, client_for, pair):
    survivor, duplicate = pair
    before_survivor = f.fresh(survivor)
    own_contacts = {survivor.pk: contact_ids(survivor), duplicate.pk: contact_ids(duplicate)}
    own_history = {survivor.pk: history_ids(survivor.pk), duplicate.pk: history_ids(duplicate.pk)}
    own_keys = {survivor.pk: stored_keys(survivor), duplicate.pk: stored_keys(duplicate)}
    own_terms = set(SearchTerm.objects.filter(customer=duplicate).values_list("term", flat=True))
    response = merge_api(org.manager, client_for, survivor, [duplicate], {"address": duplicate.pk})
    merge_id = response.json()["id"]

    # When the manager undoes the merge
    response = client_for(org.manager).post(f"/api/v1/duplicates/merges/{merge_id}/undo")

    # Then the merge is marked undone and audited
    assert response.status_code == 200, response.content
    assert response.json()["undone_at"] is not None
    assert AuditEvent.objects.filter(action="customer.merge_undo").count() == 1

    # And the merged record is back, with its id, number, owner, values and collaborators
    back = Customer.objects.get(pk=duplicate.pk)
    assert back.number == duplicate.number
    assert back.owner == org.rep_b
    assert back.name == duplicate.name
    assert back.address == duplicate.address
    assert list(back.collaborators.all()) == [org.rep_s]

    # And each record has its own contacts (with its primary) and history again
    assert contact_ids(back) == own_contacts[duplicate.pk]
    assert Contact.objects.get(customer=back, is_primary=True).name == "韩梅梅"
    kept = f.fresh(survivor)
    assert contact_ids(kept) == own_contacts[survivor.pk]
    assert own_history[duplicate.pk] <= history_ids(back.pk)
    assert not own_history[duplicate.pk] & history_ids(kept.pk)

    # And the survivor has its previous values and collaborators
    assert kept.address == before_survivor.address
    assert kept.name == before_survivor.name
    assert list(kept.collaborators.all()) == []

    # And keys and search terms are as before, so check and search find both again
    assert stored_keys(back) == own_keys[duplicate.pk]
    assert stored_keys(kept) == own_keys[survivor.pk]
    assert set(SearchTerm.objects.filter(customer=back).values_list("term", flat=True)) == (
        own_terms
    )
    found = client_for(org.rep_b).get("/api/v1/customers", {"q": "13800000003"}).json()
    assert [c["id"] for c in found["items"]] == [back.pk]
    found = client_for(org.rep_b).get("/api/v1/customers", {"q": "字节跳动"}).json()
    assert [c["id"] for c in found["items"]] == [back.pk]

    # And the group is open again with both records
    group = DuplicateGroup.objects.get()
    assert group.status == GroupStatus.OPEN
    assert {c.pk for c in group.customers.all()} == {survivor.pk, duplicate.pk}

    # And undoing twice is refused
    again = client_for(org.manager).post(f"/api/v1/duplicates/merges/{merge_id}/undo")
    assert again.status_code == 409


def test_merging_several_into_a_record_without_contacts_keeps_one_primary(org):
    # Given a survivor without contacts and two duplicates, each with a primary contact
    survivor = f.enterprise(org.rep_a)
    one = f.enterprise(org.rep_a, contacts=[f.contact_data(name="甲")])
    two = f.enterprise(org.rep_a, contacts=[f.contact_data(name="乙")])

    # When both are merged into it
    record = services.merge(
        survivor=survivor, others=[one, two], field_sources={}, actor=org.manager
    )

    # Then it has both contacts and exactly one primary, the first merged record's
    assert Contact.objects.filter(customer=survivor).count() == 2
    assert Contact.objects.get(customer=survivor, is_primary=True).name == "甲"

    # And undo gives each its primary back
    services.merge_undo(record=record, actor=org.manager)
    assert Contact.objects.get(customer=one).is_primary
    assert Contact.objects.get(customer=two).is_primary
    assert not Contact.objects.filter(customer=survivor).exists()


def test_an_earlier_merge_into_a_merged_record_can_still_be_undone(org):
    # Given c merged into b, then b merged into a
    a, b, c = f.enterprise(org.rep_a), f.enterprise(org.rep_a), f.enterprise(org.rep_a)
    first = services.merge(survivor=b, others=[c], field_sources={}, actor=org.manager)
    second = services.merge(survivor=a, others=[b], field_sources={}, actor=org.manager)

    # When both are undone, latest first
    services.merge_undo(record=second, actor=org.manager)
    services.merge_undo(record=MergeRecord.objects.get(pk=first.pk), actor=org.manager)

    # Then all three exist again
    assert Customer.objects.filter(pk__in=[a.pk, b.pk, c.pk]).count() == 3


# --- who may merge, and bad input -----------------------------------------------------------


def test_merging_a_record_outside_edit_scope_is_404(org, client_for):
    # Given a customer of rep_c's, outside the manager's department
    mine = f.enterprise(org.rep_a)
    theirs = f.enterprise(org.rep_c)

    # When the manager tries to merge it (either way round)
    as_other = merge_api(org.manager, client_for, mine, [theirs])
    as_survivor = merge_api(org.manager, client_for, theirs, [mine])

    # Then it does not exist for them, and nothing changed
    assert as_other.status_code == 404
    assert as_survivor.status_code == 404
    assert Customer.objects.filter(pk__in=[mine.pk, theirs.pk]).count() == 2
    assert not MergeRecord.objects.exists()


def test_a_record_one_may_see_but_not_edit_cannot_be_merged(org, client_for):
    # Given rep_c's customer with the manager as a collaborator (may view, not edit)
    mine = f.enterprise(org.rep_a)
    shared = f.enterprise(org.rep_c, collaborators=[org.manager])
    assert client_for(org.manager).get(f"/api/v1/customers/{shared.pk}").status_code == 200

    response = merge_api(org.manager, client_for, mine, [shared])

    assert response.status_code == 403  # may see it: told it may not act (DESIGN.md)
    assert Customer.objects.filter(pk=shared.pk).exists()


def test_merging_a_record_into_itself_is_422(org, client_for):
    mine = f.enterprise(org.rep_a)
    response = merge_api(org.manager, client_for, mine, [mine])
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert response.json()["errors"][0]["field"] == "merge_ids"


@pytest.mark.parametrize(
    "field_sources",
    [{"owner": "other"}, {"number": "other"}, {"name": "stranger"}, {"kind": "other"}],
)
def test_a_bad_field_choice_is_422(org, client_for, field_sources):
    mine, other = f.enterprise(org.rep_a), f.enterprise(org.rep_a)
    stranger = f.enterprise(org.rep_a)
    ids = {"other": other.pk, "stranger": stranger.pk}
    sources = {field: ids[who] for field, who in field_sources.items()}

    response = merge_api(org.manager, client_for, mine, [other], sources)

    assert response.status_code == 422
    assert Customer.objects.filter(pk=other.pk).exists()


def test_an_enterprise_and_an_individual_cannot_be_merged(org, client_for):
    response = merge_api(
        org.manager, client_for, f.enterprise(org.rep_a), [f.individual(org.rep_a)]
    )
    assert response.status_code == 422


def test_a_rep_may_not_merge(org, client_for):
    one, two = f.enterprise(org.rep_a), f.enterprise(org.rep_a)
    response = merge_api(org.rep_a, client_for, one, [two])
    assert response.status_code == 403
    assert Customer.objects.filter(pk=two.pk).exists()


def test_undo_by_someone_who_cannot_edit_the_survivor_is_404(org, client_for, pair):
    survivor, duplicate = pair
    merge_id = merge_api(org.manager, client_for, survivor, [duplicate]).json()["id"]
    elsewhere = make_user("manager.2", org.other, RoleCode.SALES_MANAGER)

    response = client_for(elsewhere).post(f"/api/v1/duplicates/merges/{merge_id}/undo")

    assert response.status_code == 404
    assert not Customer.objects.filter(pk=duplicate.pk).exists()


def test_a_merge_failing_part_way_changes_nothing(org, pair, monkeypatch):
    survivor, duplicate = pair
    before = {
        "contacts": (contact_ids(survivor), contact_ids(duplicate)),
        "history": (history_ids(survivor.pk), history_ids(duplicate.pk)),
        "keys": (stored_keys(survivor), stored_keys(duplicate)),
        "survivor": f.fresh(survivor).address,
    }
    reached = []

    def fail(**kwargs):
        # by now contacts and history have moved and the duplicate is deleted
        reached.append(Contact.objects.filter(customer=survivor).count())
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit_record", fail)

    with pytest.raises(RuntimeError):
        services.merge(
            survivor=survivor,
            others=[duplicate],
            field_sources={"address": duplicate.pk},
            actor=org.manager,
        )

    assert reached == [3]
    assert Customer.objects.filter(pk=duplicate.pk).exists()
    after = {
        "contacts": (contact_ids(survivor), contact_ids(duplicate)),
        "history": (history_ids(survivor.pk), history_ids(duplicate.pk)),
        "keys": (stored_keys(survivor), stored_keys(duplicate)),
        "survivor": f.fresh(survivor).address,
    }
    assert after == before
    assert not MergeRecord.objects.exists()
    assert DuplicateGroup.objects.get().status == GroupStatus.OPEN
    assert f.fresh(duplicate).collaborators.count() == 1


def test_merge_service_refuses_an_empty_merge(org):
    with pytest.raises(ValidationFailed):
        services.merge(
            survivor=f.enterprise(org.rep_a), others=[], field_sources={}, actor=org.manager
        )


def test_every_table_pointing_at_customers_is_moved_or_rebuilt():
    # A module that adds a foreign key to Customer (even with related_name="+") has its rows
    # moved by a merge; only the tables rebuilt from data are left to the rebuild.
    pointing = {
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey)
        and field.related_model is Customer
        and not model._meta.auto_created
    }
    moved = set(services._relations())
    left = {(m, n) for m, n in pointing - moved}
    assert {m for m, _ in left} <= {Contact, *services._REBUILT}


def test_search_terms_keep_their_owners_through_merge_and_undo(org):
    # Given two reps' duplicates (search terms carry each customer's owner)
    survivor = f.enterprise(org.rep_a, name="宁波海曙甲乙贸易有限公司")
    other = f.enterprise(org.rep_b, name="宁波丙丁商贸有限公司")

    def owners(customer):
        return set(SearchTerm.objects.filter(customer=customer).values_list("owner_id", flat=True))

    # When rep_b's record is merged into rep_a's, its name kept
    record = services.merge(
        survivor=survivor, others=[other], field_sources={"name": other.pk}, actor=org.manager
    )

    # Then the survivor is searched as rep_a's, under either name
    assert owners(survivor) == {org.rep_a.pk}
    assert search_names(org.rep_a, "丙丁") == ["宁波丙丁商贸有限公司"]
    # (rep_b, its former owner, collaborates on it now and finds it as shared with them)
    assert search_names(org.rep_b, "丙丁") == ["宁波丙丁商贸有限公司"]

    # And after undo each is rep_a's or rep_b's again
    services.merge_undo(record=record, actor=org.manager)
    assert owners(survivor) == {org.rep_a.pk}
    assert owners(Customer.objects.get(number=other.number)) == {org.rep_b.pk}
    assert search_names(org.rep_b, "丙丁") == ["宁波丙丁商贸有限公司"]


def search_names(user, q):
    page = customer_list(user=user, filters=CustomerFilter(q=q))
    return [row["name"] for row in page.items]
