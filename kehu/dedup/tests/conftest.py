"""Shared set-up of the duplicate tests: the sales organisation of the customer tests and a
way to put duplicates into the base the way old data (imports before this check existed) did."""

import json

import pytest

from kehu.core.testing import api_client
from kehu.customers.models import Contact, Customer
from kehu.customers.tests import factories as f
from kehu.dedup import keys
from kehu.dedup.models import ScanRun
from kehu.dedup.services import scan_start


@pytest.fixture
def org():
    """总部 › 销售一部 (manager 王经理 may merge; rep_s) › 一部一组 (rep_a 张伟, rep_b 李娜);
    销售二部 (rep_c 陈静)."""
    return f.build_org()


def post_json(client, url: str, data: dict):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def legacy_duplicate(customer: Customer, **fields) -> Customer:
    """Give an existing customer values the create guard would refuse today (as records that
    predate the check have), keeping its keys in step as the services would."""
    Customer.objects.filter(pk=customer.pk).update(**fields)
    customer.refresh_from_db()
    keys.reindex(customer)
    return customer


def legacy_contact_mobile(contact: Contact, mobile: str) -> Contact:
    Contact.objects.filter(pk=contact.pk).update(mobile=mobile)
    contact.refresh_from_db()
    keys.reindex(contact.customer)
    return contact


def run_scan(actor, django_capture_on_commit_callbacks) -> ScanRun:
    """Start a scan as the product does; the task runs when the transaction commits (Huey is
    immediate in tests)."""
    with django_capture_on_commit_callbacks(execute=True):
        run = scan_start(actor=actor)
    run.refresh_from_db()
    return run


@pytest.fixture
def scan(django_capture_on_commit_callbacks):
    def _scan(actor) -> ScanRun:
        return run_scan(actor, django_capture_on_commit_callbacks)

    return _scan


@pytest.fixture
def client_for():
    return api_client


def legacy_company(actor, name: str, **fields) -> Customer:
    """A company named `name` that entered the base without going through the check (an old
    import): no credit code unless given, and no "create anyway" decision remembered."""
    from kehu.customers.tests import factories as f

    customer = f.enterprise(actor, **{"uscc": "", **fields})
    return legacy_duplicate(customer, name=name)
