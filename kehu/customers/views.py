"""The customer pages (DESIGN.md rules 1, 3, 10): parse, call a selector or a service, render.

Every read goes through customers.selectors (scoped: out of scope is a 404), every write through
customers.services; a service's field errors are shown on the form, a stale version as
"记录已被他人修改" with a reload link. One view serves a page and its htmx partial.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.accounts.scoping import CHANGE
from kehu.core.errors import Conflict, PermissionDenied, StaleVersion, ValidationFailed
from kehu.core.htmx import is_htmx, render_page_or_partial
from kehu.core.pages import page_errors, redirect_page
from kehu.customers import present, selectors, services
from kehu.customers.choices import CustomerKind, CustomerStatus, Urgency
from kehu.customers.filters import SORTS, filter_query
from kehu.customers.forms import (
    LINKED_FIELDS,
    REGION_LEVELS,
    SORT_LABELS,
    ContactForm,
    CustomerFilterForm,
    CustomerForm,
    SavedViewForm,
    TransferForm,
    region_picker,
)
from kehu.customers.workbench import remember_viewed
from kehu.refdata import selectors as refdata

# --- list -----------------------------------------------------------------------------------


@login_required
@require_GET
@page_errors
def customer_list(request):
    """The list page; htmx asks for the results block (search, filters) or, with a cursor, for
    the next rows only (加载更多)."""
    filters, notices = CustomerFilterForm(request.GET).to_filter()
    cursor = request.GET.get("cursor") or None
    try:
        page = selectors.customer_list(user=request.user, filters=filters, cursor=cursor)
    except ValidationFailed as exc:
        notices += [error["message"] for error in exc.errors]
        page = None
    items = selectors.with_primary_contacts(page.items) if page else []
    query = filter_query(request.GET.urlencode())
    context = {
        "filters": filters,
        "notices": notices,
        "page": page,
        "rows": [present.customer_row(c) for c in items],
        "count_display": (
            "" if page is None else f"{page.count}{'+' if page.count_capped else ''}"
        ),
        "query": query,
        "next_url": _next_url(query, page.next) if page and page.next else "",
        # 加载更多 swaps rows only: a problem with the cursor is told in a row.
        "row_notices": notices if cursor else [],
    }
    if not is_htmx(request):
        context.update(_list_options(request.user, query))
    if cursor:
        return render_page_or_partial(
            request, "customers/customer_list.html", "customers/_customer_rows.html", context
        )
    response = render_page_or_partial(
        request, "customers/customer_list.html", "customers/_customer_results.html", context
    )
    if is_htmx(request):
        # The address bar shows the filter as saved views keep it, not every empty field.
        response["HX-Push-Url"] = f"{reverse('customers:list')}?{query}" if query else request.path
    return response


def _next_url(query: str, cursor: str) -> str:
    params = QueryDict(query, mutable=True)
    params["cursor"] = cursor
    return f"{reverse('customers:list')}?{params.urlencode()}"


def _list_options(user, query: str) -> dict:
    """The choices the filter form offers, and the user's saved views (full page only)."""
    return {
        "statuses": CustomerStatus.choices,
        "kinds": CustomerKind.choices,
        "urgencies": Urgency.choices,
        "sorts": [(key, SORT_LABELS[key]) for key in SORTS],
        "owners": selectors.owner_choices(user=user),
        "departments": selectors.department_choices(user=user),
        "sources": selectors.source_channels(user=user),
        "industry_sections": [(s.code, s.label) for s in refdata.industry_list()],
        "provinces": [(r.code, r.label) for r in refdata.region_children()],
        "saved_views": selectors.saved_view_list(user=user),
        "has_filters": bool(QueryDict(query).keys() - {"q", "sort"}),
    }


@login_required
@require_POST
@page_errors
def saved_view_save(request):
    form = SavedViewForm(request.POST)
    form.is_valid()
    name, query = form.cleaned_data.get("name", ""), form.cleaned_data.get("query", "")
    try:
        view = services.saved_view_save(user=request.user, name=name, query=query)
    except ValidationFailed as exc:
        messages.error(request, exc.detail)
        return redirect_page(request, f"{reverse('customers:list')}?{filter_query(query)}")
    messages.success(request, _("已保存视图“%(name)s”") % {"name": view.name})
    return redirect_page(request, f"{reverse('customers:list')}?{view.query}")


@login_required
@require_POST
@page_errors
def saved_view_delete(request, view_id: int):
    view = selectors.saved_view_get(user=request.user, view_id=view_id)
    services.saved_view_delete(view=view, actor=request.user)
    messages.success(request, _("已删除视图“%(name)s”") % {"name": view.name})
    return redirect_page(request, reverse("customers:list"))


# --- create and edit ------------------------------------------------------------------------


def _customer_form(request, *, customer=None, data=None, initial=None) -> CustomerForm:
    validate_url = (
        reverse("customers:validate_existing", args=[customer.pk])
        if customer
        else reverse("customers:validate")
    )
    return CustomerForm(
        data,
        initial=initial,
        sources=selectors.source_channels(user=request.user),
        customer=customer,
        validate_url=validate_url,
    )


def _render_form(request, form, *, customer=None, status=200, **extra):
    context = {"form": form, "customer": customer, **extra}
    conflict = extra.get("conflict")
    if conflict is not None:
        context["candidates"] = conflict.extra.get("candidates", [])
        context["similar"] = str(conflict.code) == "similar_name"
        context["needs_reason"] = str(conflict.code) == "duplicate_warning"
    return render_page_or_partial(
        request, "customers/customer_form.html", "customers/_customer_form.html", context, status
    )


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def customer_create(request):
    if request.method == "GET":
        kind = request.GET.get("kind")
        initial = {
            "kind": kind if kind in CustomerKind.values else CustomerKind.ENTERPRISE,
            "status": CustomerStatus.POTENTIAL,
        }
        return _render_form(request, _customer_form(request, initial=initial))
    form = _customer_form(request, data=request.POST)
    conflict = None
    if form.is_valid():
        data, contacts = form.model_data(), form.contacts()
        # Checked before saving so that the customer's and the first contact's errors are
        # shown together (customer_create stops at the first record that fails).
        errors = services.customer_validate(data=data, actor=request.user, contacts=contacts)
        if not errors:
            try:
                customer = services.customer_create(
                    data=data,
                    actor=request.user,
                    contacts=contacts,
                    allow_similar=form.cleaned_data["allow_similar"],
                    override_reason=form.cleaned_data["override_reason"],
                )
            except ValidationFailed as exc:
                errors = exc.errors
            except Conflict as exc:
                conflict = exc
            else:
                messages.success(request, _("已创建客户 %(number)s") % {"number": customer.number})
                return redirect_page(request, reverse("customers:detail", args=[customer.pk]))
        form.add_service_errors(errors)
    return _render_form(request, form, status=422, conflict=conflict)


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def customer_edit(request, pk: int):
    customer = selectors.customer_get(user=request.user, customer_id=pk, action=CHANGE)
    if request.method == "GET":
        form = _customer_form(
            request, customer=customer, initial=CustomerForm.initial_for(customer)
        )
        return _render_form(request, form, customer=customer)
    form = _customer_form(request, customer=customer, data=request.POST)
    extra = {}
    if form.is_valid():
        try:
            services.customer_update(
                customer=customer,
                data=form.model_data(),
                actor=request.user,
                version=form.cleaned_data["version"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except StaleVersion:
            extra["stale"] = True
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors)
        except Conflict as exc:
            extra["conflict"] = exc
        else:
            messages.success(request, _("已保存"))
            return redirect_page(request, reverse("customers:detail", args=[customer.pk]))
    status = 409 if extra.get("stale") else 422
    return _render_form(request, form, customer=customer, status=status, **extra)


@login_required
@require_POST
@page_errors
def customer_validate(request, pk: int | None = None):
    """Live validation while the form is filled in: the error slot of the field that changed
    (and of the fields linked to it), from the same checks the save runs; nothing is saved."""
    customer = (
        selectors.customer_get(user=request.user, customer_id=pk, action=CHANGE) if pk else None
    )
    form = _customer_form(request, customer=customer, data=request.POST)
    form.is_valid()
    form.add_service_errors(
        services.customer_validate(
            data=form.model_data(),
            actor=request.user,
            customer=customer,
            contacts=form.contacts(),
        )
    )
    field = request.GET.get("field", "")
    names = [name for name in [field, *LINKED_FIELDS.get(field, [])] if name in form.fields]
    slots = [{"name": name, "errors": form.errors.get(name, [])} for name in names]
    return render(request, "customers/_field_errors.html", {"slots": slots})


@login_required
@require_GET
def region_options(request):
    """The province → city → district selects again, for what has been chosen so far."""
    chosen = {level: request.GET.get(f"region_{level}", "") for level in REGION_LEVELS}
    return render(request, "customers/_region_picker.html", {"levels": region_picker(**chosen)})


# --- the record -----------------------------------------------------------------------------


def _contacts_context(request, customer, **extra) -> dict:
    contacts = selectors.contact_list(customer=customer)
    return {
        "customer": customer,
        "contacts": [{"contact": c, "pii": present.contact_pii(c)} for c in contacts],
        "can_reveal": present.can_reveal(request.user),
        "can_change": selectors.can_change(user=request.user, customer=customer),
        **extra,
    }


@login_required
@require_GET
@page_errors
def customer_detail(request, pk: int):
    customer = selectors.customer_get(user=request.user, customer_id=pk)
    context = _contacts_context(request, customer)
    context.update(
        sections=present.detail_sections(customer),
        pending=present.pending_labels(customer),
        timeline=selectors.timeline(customer),
        can_transfer=selectors.can_transfer(user=request.user, customer=customer),
    )
    response = render(request, "customers/customer_detail.html", context)
    remember_viewed(request, response, customer.pk)  # 今日 › 最近查看
    return response


@login_required
@require_GET
@page_errors
def customer_history(request, pk: int):
    customer = selectors.customer_get(user=request.user, customer_id=pk)
    rows = present.history_rows(
        selectors.customer_history(customer=customer), selectors.contact_list(customer=customer)
    )
    context = {"customer": customer, "history": rows}
    return render_page_or_partial(
        request, "customers/history.html", "customers/_history.html", context
    )


@login_required
@require_POST
@page_errors
def customer_reveal(request, pk: int, field: str):
    customer = selectors.customer_get(user=request.user, customer_id=pk)
    try:
        value = services.customer_reveal(customer=customer, field=field, actor=request.user)
    except ValidationFailed as exc:
        return HttpResponseBadRequest(exc.detail)
    return render(request, "customers/_pii_revealed.html", {"field": field, "value": value})


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def customer_transfer(request, pk: int):
    customer = selectors.customer_get(user=request.user, customer_id=pk, action=CHANGE)
    if not selectors.can_transfer(user=request.user, customer=customer):
        raise PermissionDenied(_("没有转移该客户的权限"))
    form = TransferForm(
        request.POST if request.method == "POST" else None,
        candidates=selectors.transfer_candidates(user=request.user, customer=customer),
        allow_pool=request.user.has_perm("customers.transfer_customer"),
    )
    if form.is_bound and form.is_valid():
        try:
            services.customer_transfer(
                customer=customer,
                new_owner=form.new_owner(),
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as exc:
            form.add_error("owner", exc.errors[0]["message"] if exc.errors else exc.detail)
        else:
            messages.success(request, _("已转移负责人"))
            still_visible = selectors.customers_for(request.user).filter(pk=pk).exists()
            url = (
                reverse("customers:detail", args=[pk])
                if still_visible
                else reverse("customers:list")
            )
            return redirect_page(request, url)
    status = 422 if form.is_bound else 200
    return render_page_or_partial(
        request,
        "customers/transfer_form.html",
        "customers/_transfer_form.html",
        {"customer": customer, "form": form},
        status,
    )


# --- contacts -------------------------------------------------------------------------------


def _contacts_saved(request, customer):
    """After a contact write: the contacts section again (htmx), or the record page."""
    if not is_htmx(request):
        return redirect_page(request, reverse("customers:detail", args=[customer.pk]) + "#contacts")
    response = render(request, "customers/_contacts.html", _contacts_context(request, customer))
    response["HX-Retarget"] = "#contacts"
    response["HX-Reswap"] = "outerHTML"
    return response


def _contact_form_response(request, customer, form, *, contact=None, status=200, stale=False):
    context = {"customer": customer, "form": form, "contact": contact, "stale": stale}
    return render_page_or_partial(
        request, "customers/contact_form.html", "customers/_contact_form.html", context, status
    )


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def contact_create(request, pk: int):
    """GET: the contacts section (htmx, e.g. after cancelling an edit); POST: add a contact."""
    if request.method == "GET":
        customer = selectors.customer_get(user=request.user, customer_id=pk)
        if not is_htmx(request):
            return redirect_page(request, reverse("customers:detail", args=[pk]) + "#contacts")
        return render(request, "customers/_contacts.html", _contacts_context(request, customer))
    customer = selectors.customer_get(user=request.user, customer_id=pk, action=CHANGE)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.contact_create(
                customer=customer,
                data=form.model_data(),
                actor=request.user,
                override_reason=form.cleaned_data["override_reason"],
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors)
        except Conflict as exc:
            form.add_error(None, exc.detail)
            form.add_service_errors(exc.errors)  # a reason asked for (override_reason)
        else:
            return _contacts_saved(request, customer)
    return _contact_form_response(request, customer, form, status=422)


@login_required
@require_GET
@page_errors
def contact_new(request, pk: int):
    """The empty 添加联系人 form: fetched when the record page's section is opened (rendering a
    form's widgets on every view of the record cost more than the rest of its contacts)."""
    customer = selectors.customer_get(user=request.user, customer_id=pk, action=CHANGE)
    return _contact_form_response(request, customer, ContactForm())


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def contact_edit(request, pk: int, contact_id: int):
    contact = selectors.contact_get(
        user=request.user, customer_id=pk, contact_id=contact_id, action=CHANGE
    )
    customer = contact.customer
    if request.method == "GET":
        return _contact_form_response(
            request, customer, ContactForm(contact=contact), contact=contact
        )
    form = ContactForm(request.POST, contact=contact)
    stale = False
    if form.is_valid():
        try:
            services.contact_update(
                contact=contact,
                data=form.model_data(),
                actor=request.user,
                version=form.cleaned_data["version"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except StaleVersion:
            stale = True
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors)
        except Conflict as exc:
            form.add_error(None, exc.detail)
            form.add_service_errors(exc.errors)  # a reason asked for (override_reason)
        else:
            return _contacts_saved(request, customer)
    return _contact_form_response(
        request, customer, form, contact=contact, status=409 if stale else 422, stale=stale
    )


@login_required
@require_POST
@page_errors
def contact_delete(request, pk: int, contact_id: int):
    contact = selectors.contact_get(
        user=request.user, customer_id=pk, contact_id=contact_id, action=CHANGE
    )
    customer = contact.customer
    services.contact_delete(contact=contact, actor=request.user)
    return _contacts_saved(request, customer)


@login_required
@require_POST
@page_errors
def contact_reveal(request, pk: int, contact_id: int, field: str):
    contact = selectors.contact_get(user=request.user, customer_id=pk, contact_id=contact_id)
    try:
        value = services.contact_reveal(contact=contact, field=field, actor=request.user)
    except ValidationFailed as exc:
        return HttpResponseBadRequest(exc.detail)
    return render(request, "customers/_pii_revealed.html", {"field": field, "value": value})
