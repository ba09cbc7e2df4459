"""Every read of customers and contacts for a user starts from scope() (DESIGN.md rule 3):
out of scope is indistinguishable from missing (NotFound → 404)."""

from itertools import chain

from django.db.models import QuerySet

from kehu.accounts.scoping import VIEW, scope, visible_owner_ids
from kehu.audit.models import FieldChange
from kehu.core.errors import NotFound, ValidationFailed
from kehu.core.pagination import Page, keyset_page
from kehu.customers import search
from kehu.customers.filters import SORTS, CustomerFilter
from kehu.customers.models import Contact, Customer

LIST_RELATED = ["owner", "region", "industry", "source"]


def customers_for(user, action: str = VIEW) -> QuerySet[Customer]:
    return scope(Customer.objects.all(), user, action)


def customer_list(
    *, user, filters: CustomerFilter, cursor: str | None = None, limit: int | None = None
) -> Page:
    errors = filters.errors()
    if errors:
        raise ValidationFailed(errors[0]["message"], errors=errors)
    qs = filters.apply(customers_for(user))
    if filters.q:
        whole_company = visible_owner_ids(user, Customer.scope_module) is None
        qs = search.search(qs, filters.q, whole_company=whole_company)
    qs = qs.select_related(*LIST_RELATED)
    return keyset_page(qs, keys=SORTS[filters.sort], cursor=cursor, limit=limit)


def customer_get(*, user, customer_id: int, action: str = VIEW) -> Customer:
    try:
        return (
            customers_for(user, action)
            .select_related(*LIST_RELATED, "created_by", "updated_by")
            .get(pk=customer_id)
        )
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise NotFound("客户不存在") from None


def contact_list(*, customer: Customer) -> list[Contact]:
    """Contacts of a customer already fetched through customer_get (so already in scope)."""
    return list(customer.contacts.all())


def contact_get(*, user, customer_id: int, contact_id: int, action: str = VIEW) -> Contact:
    customer = customer_get(user=user, customer_id=customer_id, action=action)
    try:
        return customer.contacts.get(pk=contact_id)
    except (Contact.DoesNotExist, ValueError):
        raise NotFound("联系人不存在") from None


def customer_history(*, customer: Customer, limit: int = 200) -> list[FieldChange]:
    """Field changes of the customer and of its contacts, newest first."""
    own = FieldChange.objects.filter(target_type="customers.customer", target_id=customer.pk)
    contact_ids = list(customer.contacts.values_list("pk", flat=True))
    theirs = FieldChange.objects.filter(target_type="customers.contact", target_id__in=contact_ids)
    rows = chain(own.select_related("actor")[:limit], theirs.select_related("actor")[:limit])
    return sorted(rows, key=lambda r: (r.at, r.pk), reverse=True)[:limit]
