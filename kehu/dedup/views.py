"""Duplicate review pages (查重): groups found by scans, starting a scan and following its
progress, merging with a field-by-field choice and undoing a merge, and the duplicate hint a
customer form asks for while someone types. Thin: parse, call one selector or service, render.

Reads go through kehu.dedup.selectors (scoped: out of scope is 404), writes through
kehu.dedup.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.errors import Conflict, PermissionDenied, RateLimited, ValidationFailed
from kehu.core.htmx import is_htmx, render_page_or_partial
from kehu.core.language import join_list
from kehu.core.pages import page_errors, redirect_page
from kehu.core.sections import render_section, require_section
from kehu.customers.choices import CustomerKind
from kehu.customers.present import can_reveal
from kehu.dedup import selectors, services
from kehu.dedup.choices import KeyPolicy, MatchLevel, ScanStatus

MERGE_PERMISSION = "dedup.add_mergerecord"
HINT_MAX = {"name": 200, "uscc": 30, "mobile": 30, "email": 254}


def _need_merge_permission(user) -> None:
    if not user.has_perm(MERGE_PERMISSION):
        raise PermissionDenied(_("没有合并客户的权限"))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- groups and scans -------------------------------------------------------------------------


@login_required
@require_GET
@page_errors
def group_list(request):
    """Open duplicate groups, most confident first, with the members the user may see; the
    scan button and its progress. htmx requests (after a scan) get the groups only."""
    context = {
        "groups": selectors.group_list(user=request.user),
        "scan": selectors.scan_latest(user=request.user),
        "can_merge": request.user.has_perm(MERGE_PERMISSION),
    }
    return render_page_or_partial(request, "dedup/group_list.html", "dedup/_groups.html", context)


@login_required
@require_POST
@page_errors
def scan_start(request):
    _need_merge_permission(request.user)
    run = services.scan_start(actor=request.user)
    if not is_htmx(request):
        return redirect_page(request, reverse("dedup:groups"))
    return render(request, "dedup/_scan_status.html", {"scan": run, "can_merge": True})


@login_required
@require_GET
@page_errors
def scan_status(request, scan_id: int):
    """The progress partial; polled every 2 s while the scan runs. When it has finished, the
    groups on the page are told to reload (HX-Trigger)."""
    run = selectors.scan_get(user=request.user, scan_id=scan_id)
    response = render(request, "dedup/_scan_status.html", {"scan": run, "can_merge": True})
    if run.status in (ScanStatus.DONE, ScanStatus.FAILED):
        response["HX-Trigger"] = "dedup-scan-finished"
    return response


@login_required
@require_POST
@page_errors
def group_dismiss(request, group_id: int):
    _need_merge_permission(request.user)
    item = selectors.group_get(user=request.user, group_id=group_id)
    services.group_dismiss(group=item["group"], members=item["members"], actor=request.user)
    messages.success(request, _("已标记为不是重复"))
    return redirect_page(request, reverse("dedup:groups"))


# --- merge and undo ---------------------------------------------------------------------------


def _merge_context(request, ids: list[int], survivor_id: int | None) -> dict:
    members = selectors.merge_members(user=request.user, customer_ids=ids)
    # Unless chosen, the oldest record survives: others were most likely entered after it.
    oldest = min(members, key=lambda c: (c.created_at, c.pk))
    survivor = next((c for c in members if c.pk == survivor_id), oldest)
    return {
        "members": members,
        "survivor": survivor,
        "ids": [c.pk for c in members],
        "fields": selectors.merge_fields(
            members=members, survivor=survivor, reveal=can_reveal(request.user)
        ),
        "mixed_kinds": len({c.kind for c in members}) > 1,
        "group_id": _int(request.GET.get("group") or request.POST.get("group")),
        "kinds": dict(CustomerKind.choices),
    }


def _requested_ids(request) -> list[int]:
    params = request.POST if request.method == "POST" else request.GET
    group_id = _int(params.get("group"))
    if group_id is not None and not params.getlist("ids"):
        item = selectors.group_get(user=request.user, group_id=group_id)
        return sorted(c.pk for c in item["members"])
    return [i for i in map(_int, params.getlist("ids")) if i is not None]


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def merge(request):
    """GET ?group=<id> (or ?ids=…&ids=…) [&survivor=<id>]: choose the surviving record and,
    where the records differ, which value wins. POST: merge, then show the result with undo."""
    _need_merge_permission(request.user)
    ids = _requested_ids(request)
    if request.method == "GET":
        context = _merge_context(request, ids, _int(request.GET.get("survivor")))
        return render_page_or_partial(
            request, "dedup/merge.html", "dedup/_merge_form.html", context
        )

    context = _merge_context(request, ids, _int(request.POST.get("survivor")))
    survivor = context["survivor"]
    field_sources = {}
    for row in context["fields"]:
        source = _int(request.POST.get(f"f_{row['name']}"))
        if source is not None and source != survivor.pk:
            field_sources[row["name"]] = source
    try:
        record = services.merge(
            survivor=survivor,
            others=[c for c in context["members"] if c.pk != survivor.pk],
            field_sources=field_sources,
            actor=request.user,
        )
    except ValidationFailed as exc:
        context["error"] = exc.detail
        return render_page_or_partial(
            request, "dedup/merge.html", "dedup/_merge_form.html", context, status=422
        )
    messages.success(
        request,
        _("已将 %(numbers)s 合并到 %(number)s")
        % {"numbers": join_list(record.merged_numbers), "number": survivor.number},
    )
    return redirect_page(request, reverse("dedup:merge_detail", args=[record.pk]))


@login_required
@require_GET
@page_errors
def merge_detail(request, merge_id: int):
    """What a merge did, with the 撤销合并 button while it can be undone."""
    record = selectors.merge_record_get(user=request.user, merge_id=merge_id)
    return render(
        request,
        "dedup/merge_done.html",
        {"record": record, "can_merge": request.user.has_perm(MERGE_PERMISSION)},
    )


@login_required
@require_POST
@page_errors
def merge_undo(request, merge_id: int):
    _need_merge_permission(request.user)
    record = selectors.merge_record_get(user=request.user, merge_id=merge_id)
    try:
        services.merge_undo(record=record, actor=request.user)
    except Conflict as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _("已撤销合并，恢复了 %(numbers)s") % {"numbers": join_list(record.merged_numbers)},
        )
    return redirect_page(request, reverse("dedup:merge_detail", args=[record.pk]))


# --- the hint while typing ----------------------------------------------------------------------


@login_required
@require_GET
@page_errors
def hint(request):
    """Candidates for what is typed in a customer form (GET kind, name, uscc, region, mobile,
    email, contact_mobile, contact_email, exclude_id) as an HTML fragment: probable duplicates
    with their 相似度, related companies apart. A candidate the user may not see shows only its
    owner (负责人 or 公海); too many checks in a row are refused for a while."""
    get = {k: (request.GET.get(k) or "")[: HINT_MAX.get(k, 254)].strip() for k in request.GET}
    kind = get.get("kind") if get.get("kind") in CustomerKind.values else CustomerKind.ENTERPRISE
    # As customer_create checks: a company by its contacts' phones, a person by their own
    # (the form keeps the other kind's hidden inputs).
    own = "contact_" if kind == CustomerKind.ENTERPRISE else ""
    mobiles = [get.get(f"{own}mobile", "")]
    emails = [get.get(f"{own}email", "")]
    if not any([get.get("name"), get.get("uscc"), *mobiles, *emails]):
        return HttpResponse("")
    # The form's cascading selects: the most specific one chosen.
    region = next(
        (
            get.get(k, "")
            for k in ("region", "region_district", "region_city", "region_province")
            if get.get(k)
        ),
        "",
    )
    try:
        candidates = selectors.duplicate_check(
            user=request.user,
            kind=kind,
            name=get.get("name", ""),
            uscc=get.get("uscc", "") if kind == CustomerKind.ENTERPRISE else "",
            mobiles=[m for m in mobiles if m],
            emails=[e for e in emails if e],
            region_code=region if region.isdigit() and len(region) == 6 else None,
            exclude_id=_int(get.get("exclude_id")),
        )
    except RateLimited as exc:
        return render(request, "dedup/_hint.html", {"limited": exc.detail})
    return render(
        request,
        "dedup/_hint.html",
        {
            "candidates": [c for c in candidates if c["level"] != MatchLevel.RELATED],
            "related": [c for c in candidates if c["level"] == MatchLevel.RELATED],
        },
    )


# --- settings: the key policy (设置 › 查重规则) ---------------------------------------------------


@require_section("duplicates")  # 设置 › 查重规则: dedup.change_deduppolicy (apps.py), else 无权访问
@require_http_methods(["GET", "POST"])
@page_errors
def policy_settings(request):
    """What a shared mobile or email does when a customer is created or edited: block (the
    default) or a strong warning overridden with a reason. Administrators only."""
    status, errors = 200, {}
    if request.method == "POST":
        try:
            services.policy_update(
                phone=request.POST.get("phone", ""),
                email=request.POST.get("email", ""),
                actor=request.user,
            )
        except ValidationFailed as exc:
            status, errors = 422, {e["field"]: e["message"] for e in exc.errors}
        else:
            messages.success(request, _("查重规则已保存"))
            return redirect_page(request, reverse("dedup_settings:policy"))
    context = {
        "policy": selectors.policy(user=request.user),
        "saved": selectors.policy_row(),
        "choices": KeyPolicy.choices,
        "keys": [("phone", _("手机号相同")), ("email", _("邮箱相同"))],
        "errors": errors,
    }
    return render_section(
        request, "dedup/policy_settings.html", "dedup/policy_settings.html", context, status
    )
