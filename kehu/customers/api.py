"""REST API for customers and contacts (/api/v1/customers). Thin: parse, call, present."""

import dataclasses
from contextlib import contextmanager

from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import create_model

from kehu.accounts.models import User
from kehu.accounts.scoping import CHANGE
from kehu.api.schemas import ErrorOut
from kehu.core.errors import NotFound, ValidationFailed
from kehu.customers import selectors, services
from kehu.customers.filters import CustomerFilter
from kehu.customers.present import can_reveal, contact_item, customer_detail, customer_item
from kehu.customers.schemas import (
    ContactCreateIn,
    ContactOut,
    ContactPatch,
    CustomerIn,
    CustomerOut,
    CustomerPage,
    CustomerPatch,
    HistoryItem,
    RevealIn,
    RevealOut,
    TransferIn,
)

router = Router(tags=["customers"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _list_query_schema() -> type[Schema]:
    """The list's query parameters: CustomerFilter's fields (the one filter definition shared
    with the page) plus the page position."""
    fields = {
        f.name: (f.type, f.default_factory() if f.default is dataclasses.MISSING else f.default)
        for f in dataclasses.fields(CustomerFilter)
    }
    return create_model(
        "ListQuery", __base__=Schema, cursor=(str | None, None), limit=(int | None, None), **fields
    )


ListQuery = _list_query_schema()


# Input names that differ from model fields: ids and codes of related rows.
RENAMED = {"source_id": "source_id", "region_code": "region_id", "industry_code": "industry_id"}
# …and back: service errors name model fields, a client must see the names it sent.
ERROR_FIELDS = {
    "source": "source_id",
    "region": "region_code",
    "industry": "industry_code",
    "owner": "owner_id",
}


@contextmanager
def _input_field_names():
    try:
        yield
    except ValidationFailed as exc:
        for error in exc.errors:
            error["field"] = ERROR_FIELDS.get(error["field"], error["field"])
        raise


def _model_data(payload: Schema) -> dict:
    data = payload.dict(
        exclude_unset=True,
        exclude={
            "version",
            "owner_id",
            "contacts",
            "collaborator_ids",
            "allow_similar",
            "override_reason",
        },
    )
    return {RENAMED.get(key, key): value for key, value in data.items()}


def _users(ids: list[int] | None) -> list[User] | None:
    if ids is None:
        return None
    users = list(User.objects.filter(pk__in=ids, is_active=True))
    if len(users) != len(set(ids)):
        raise ValidationFailed(
            "协作人不存在或已停用",
            errors=[{"field": "collaborator_ids", "message": "协作人不存在或已停用"}],
        )
    return users


def _owner(owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    user = User.objects.filter(pk=owner_id, is_active=True).first()
    if user is None:
        raise ValidationFailed(
            "负责人不存在或已停用",
            errors=[{"field": "owner_id", "message": "负责人不存在或已停用"}],
        )
    return user


def _detail(request, customer_id: int):
    customer = selectors.customer_get(user=request.auth, customer_id=customer_id)
    return customer_detail(customer, can_reveal(request.auth))


@router.get("", response={200: CustomerPage, 422: ErrorOut})
def customer_list(request, params: Query[ListQuery]):
    filters = CustomerFilter(**params.dict(exclude={"cursor", "limit"}))
    page = selectors.customer_list(
        user=request.auth, filters=filters, cursor=params.cursor, limit=params.limit
    )
    reveal = can_reveal(request.auth)
    return {
        "items": [customer_item(c, reveal) for c in page.items],
        "next": page.next,
        "count": page.count,
        "count_capped": page.count_capped,
    }


@router.post("", response={201: CustomerOut, **ERRORS})
def customer_create(request, payload: CustomerIn):
    fields_set = payload.model_fields_set
    with _input_field_names():
        customer = services.customer_create(
            data=_model_data(payload),
            actor=request.auth,
            owner=_owner(payload.owner_id) if "owner_id" in fields_set else ...,
            collaborators=_users(payload.collaborator_ids),
            contacts=[c.dict() for c in payload.contacts],
            allow_similar=payload.allow_similar,
            override_reason=payload.override_reason,
        )
    try:
        return Status(201, _detail(request, customer.pk))
    except NotFound:
        # Created into the pool (公海), outside the creator's own scope from now on: what they
        # just sent is shown back this once rather than a 404 for a customer that now exists.
        return Status(201, customer_detail(customer, can_reveal(request.auth)))


@router.get("/{customer_id}", response={200: CustomerOut, 404: ErrorOut})
def customer_detail_view(request, customer_id: int):
    return _detail(request, customer_id)


@router.patch("/{customer_id}", response={200: CustomerOut, **ERRORS})
def customer_update(request, customer_id: int, payload: CustomerPatch):
    customer = selectors.customer_get(user=request.auth, customer_id=customer_id, action=CHANGE)
    data = _model_data(payload)
    if "owner_id" in payload.model_fields_set:
        data["owner_id"] = payload.owner_id  # logged and ignored by the service
    with _input_field_names():
        services.customer_update(
            customer=customer,
            data=data,
            actor=request.auth,
            version=payload.version,
            collaborators=_users(payload.collaborator_ids),
            override_reason=payload.override_reason,
        )
    return _detail(request, customer_id)


@router.post("/{customer_id}/transfer", response={200: CustomerOut, 204: None, **ERRORS})
def customer_transfer(request, customer_id: int, payload: TransferIn):
    """Hand the customer over; 204 when the new owner is outside the caller's own scope."""
    customer = selectors.customer_get(user=request.auth, customer_id=customer_id, action=CHANGE)
    with _input_field_names():
        services.customer_transfer(
            customer=customer,
            new_owner=_owner(payload.owner_id),
            actor=request.auth,
            reason=payload.reason,
        )
    if not selectors.customers_for(request.auth).filter(pk=customer_id).exists():
        return Status(204, None)
    return Status(200, _detail(request, customer_id))


@router.post("/{customer_id}/reveal", response={200: RevealOut, **ERRORS})
def customer_reveal(request, customer_id: int, payload: RevealIn):
    customer = selectors.customer_get(user=request.auth, customer_id=customer_id)
    value = services.customer_reveal(customer=customer, field=payload.field, actor=request.auth)
    return {"field": payload.field, "value": value}


@router.get("/{customer_id}/history", response={200: list[HistoryItem], 404: ErrorOut})
def customer_history(request, customer_id: int):
    customer = selectors.customer_get(user=request.auth, customer_id=customer_id)
    return [
        {
            "at": h.at,
            "actor": str(h.actor) if h.actor else "系统",
            "target": "customer"
            if h.target_type == "customers.customer"
            else f"contact:{h.target_id}",
            "field": h.field,
            "old": h.old,
            "new": h.new,
        }
        for h in selectors.customer_history(customer=customer)
    ]


@router.get("/{customer_id}/contacts", response={200: list[ContactOut], 404: ErrorOut})
def contact_list(request, customer_id: int):
    customer = selectors.customer_get(user=request.auth, customer_id=customer_id)
    reveal = can_reveal(request.auth)
    return [contact_item(c, reveal) for c in selectors.contact_list(customer=customer)]


@router.post("/{customer_id}/contacts", response={201: ContactOut, **ERRORS})
def contact_create(request, customer_id: int, payload: ContactCreateIn):
    customer = selectors.customer_get(user=request.auth, customer_id=customer_id, action=CHANGE)
    contact = services.contact_create(
        customer=customer,
        data=payload.dict(exclude={"override_reason"}),
        actor=request.auth,
        override_reason=payload.override_reason,
    )
    return Status(201, contact_item(contact, can_reveal(request.auth)))


@router.patch("/{customer_id}/contacts/{contact_id}", response={200: ContactOut, **ERRORS})
def contact_update(request, customer_id: int, contact_id: int, payload: ContactPatch):
    contact = selectors.contact_get(
        user=request.auth, customer_id=customer_id, contact_id=contact_id, action=CHANGE
    )
    data = payload.dict(exclude_unset=True, exclude={"version", "override_reason"})
    contact = services.contact_update(
        contact=contact,
        data=data,
        actor=request.auth,
        version=payload.version,
        override_reason=payload.override_reason,
    )
    return contact_item(contact, can_reveal(request.auth))


@router.delete("/{customer_id}/contacts/{contact_id}", response={204: None, **ERRORS})
def contact_delete(request, customer_id: int, contact_id: int):
    contact = selectors.contact_get(
        user=request.auth, customer_id=customer_id, contact_id=contact_id, action=CHANGE
    )
    services.contact_delete(contact=contact, actor=request.auth)
    return Status(204, None)


@router.post("/{customer_id}/contacts/{contact_id}/reveal", response={200: RevealOut, **ERRORS})
def contact_reveal(request, customer_id: int, contact_id: int, payload: RevealIn):
    contact = selectors.contact_get(
        user=request.auth, customer_id=customer_id, contact_id=contact_id
    )
    value = services.contact_reveal(contact=contact, field=payload.field, actor=request.auth)
    return {"field": payload.field, "value": value}
