"""Duplicate API: check while typing, scan, review groups, merge and undo."""

from ninja import Router
from ninja.responses import Status

from kehu.accounts.scoping import CHANGE
from kehu.api.schemas import ErrorOut
from kehu.core.errors import PermissionDenied
from kehu.customers.selectors import customer_get
from kehu.dedup import selectors, services
from kehu.dedup.schemas import (
    CheckIn,
    CheckOut,
    GroupOut,
    MergeIn,
    MergeOut,
    PolicyIn,
    PolicyOut,
    ScanOut,
)

check_router = Router(tags=["duplicates"])
router = Router(tags=["duplicates"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@check_router.post("/check", response={200: CheckOut, 422: ErrorOut, 429: ErrorOut})
def duplicate_check(request, payload: CheckIn):
    """Candidates for a record being typed, each with its 相似度 and one reason per signal.
    Out-of-scope candidates carry only their owner; `exclude_id` counts only for a customer
    the caller may see. Rate-limited per user (429 with Retry-After)."""
    return {"candidates": selectors.duplicate_check(user=request.auth, **payload.dict())}


def _need_merge_permission(user):
    if not user.has_perm("dedup.add_mergerecord"):
        raise PermissionDenied("没有合并客户的权限")


@router.post("/scans", response={202: ScanOut, 403: ErrorOut})
def scan_start(request):
    _need_merge_permission(request.auth)
    return Status(202, services.scan_start(actor=request.auth))


@router.get("/scans/{scan_id}", response={200: ScanOut, 404: ErrorOut})
def scan_detail(request, scan_id: int):
    return selectors.scan_get(user=request.auth, scan_id=scan_id)


def _group_out(item) -> dict:
    group = item["group"]
    return {
        "id": group.pk,
        "score": group.score,
        "similarity": selectors.similarity(group.score),
        "reasons": group.reasons,
        "members": [
            {
                "id": c.pk,
                "number": c.number,
                "name": c.name,
                "owner": str(c.owner) if c.owner_id else "公海",
            }
            for c in item["members"]
        ],
    }


@router.get("/groups", response=list[GroupOut])
def group_list(request):
    return [_group_out(item) for item in selectors.group_list(user=request.auth)]


@router.post("/groups/{group_id}/dismiss", response={204: None, **ERRORS})
def group_dismiss(request, group_id: int):
    # Saying "not a duplicate" hides the group from everyone: a reviewer's decision.
    _need_merge_permission(request.auth)
    item = selectors.group_get(user=request.auth, group_id=group_id)
    services.group_dismiss(group=item["group"], members=item["members"], actor=request.auth)
    return Status(204, None)


def _policy_out(policy) -> dict:
    return {"uscc": "block", "phone": policy.phone, "email": policy.email}


@router.get("/policy", response={200: PolicyOut})
def policy_detail(request):
    """What a shared credit code, mobile or email does when a customer is created or edited."""
    return _policy_out(selectors.policy(user=request.auth))


@router.put("/policy", response={200: PolicyOut, 403: ErrorOut, 422: ErrorOut})
def policy_update(request, payload: PolicyIn):
    """Administrators: make a shared mobile or email block (default) or a strong warning."""
    policy = services.policy_update(phone=payload.phone, email=payload.email, actor=request.auth)
    return _policy_out(policy)


@router.post("/merge", response={201: MergeOut, **ERRORS})
def merge(request, payload: MergeIn):
    """Merge records the caller may edit; any record outside their edit scope is 404."""
    _need_merge_permission(request.auth)
    survivor = customer_get(user=request.auth, customer_id=payload.survivor_id, action=CHANGE)
    others = [
        customer_get(user=request.auth, customer_id=i, action=CHANGE) for i in payload.merge_ids
    ]
    record = services.merge(
        survivor=survivor, others=others, field_sources=payload.field_sources, actor=request.auth
    )
    return Status(201, record)


@router.post("/merges/{merge_id}/undo", response={200: MergeOut, **ERRORS})
def merge_undo(request, merge_id: int):
    _need_merge_permission(request.auth)
    record = selectors.merge_record_get(user=request.auth, merge_id=merge_id)
    services.merge_undo(record=record, actor=request.auth)
    record.refresh_from_db()
    return record
