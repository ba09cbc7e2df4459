"""/api/v1/attachments: a record's files, read and changed as its owner's scope allows (an
owner the caller cannot see is 404, one they may see but not change is 403)."""

from ninja import File, Form, Router, UploadedFile
from ninja.responses import Status

from kehu.accounts.scoping import CHANGE
from kehu.api.schemas import ErrorOut
from kehu.core.errors import ValidationFailed
from kehu.core.links import record_url
from kehu.core.pagination import keyset_page
from kehu.files import selectors, services
from kehu.files.models import Attachment
from kehu.files.registry import OWNERS, owner_get
from kehu.files.schemas import AttachmentOut, AttachmentPage
from kehu.files.views import file_response

router = Router(tags=["attachments"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _item(attachment: Attachment) -> dict:
    return {
        "id": attachment.pk,
        "owner_type": attachment.owner_label,
        "owner_id": attachment.owner_id,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "sha256": attachment.sha256,
        "uploaded_by": str(attachment.uploaded_by) if attachment.uploaded_by else None,
        "created_at": attachment.created_at,
        "download_url": record_url("files:download", attachment.pk),
    }


def _owner(user, owner_type: str, owner_id: int, action: str = "view"):
    if owner_type not in OWNERS:
        message = "owner_type 无效"
        raise ValidationFailed(message, errors=[{"field": "owner_type", "message": message}])
    return owner_get(user=user, owner_type=owner_type, owner_id=owner_id, action=action)


@router.get("", response={200: AttachmentPage, **ERRORS})
def attachment_list(
    request, owner_type: str, owner_id: int, cursor: str | None = None, limit: int | None = None
):
    """The attachments of one record (`owner_type` such as "followups.record")."""
    owner = _owner(request.auth, owner_type, owner_id)
    page = keyset_page(selectors.attachments_of(owner), keys=["id"], cursor=cursor, limit=limit)
    return {
        "items": [_item(a) for a in page.items],
        "next": page.next,
        "count": page.count,
        "count_capped": page.count_capped,
    }


@router.post("", response={201: AttachmentOut, **ERRORS})
def attachment_upload(
    request,
    owner_type: Form[str],
    owner_id: Form[int],
    file: File[UploadedFile] = None,
):
    """multipart/form-data: the file's type is decided by its content; at most
    KEHU_UPLOAD_MAX_MB."""
    owner = _owner(request.auth, owner_type, owner_id, CHANGE)
    if "file" in getattr(request, "uploads_too_large", ()):
        message = services.too_large_message()
        raise ValidationFailed(message, errors=[{"field": "file", "message": message}])
    attachment = services.attachment_store(owner=owner, upload=file, actor=request.auth)
    return Status(201, _item(attachment))


@router.get("/{attachment_id}", response={200: AttachmentOut, 404: ErrorOut})
def attachment_detail(request, attachment_id: int):
    return _item(selectors.attachment_get(user=request.auth, attachment_id=attachment_id))


@router.get("/{attachment_id}/content", response={404: ErrorOut})
def attachment_content(request, attachment_id: int):
    """The file itself, as a download."""
    return file_response(selectors.attachment_get(user=request.auth, attachment_id=attachment_id))


@router.delete("/{attachment_id}", response={204: None, **ERRORS})
def attachment_delete(request, attachment_id: int):
    attachment = selectors.attachment_get(
        user=request.auth, attachment_id=attachment_id, action=CHANGE
    )
    services.attachment_delete(attachment=attachment, actor=request.auth)
    return Status(204, None)
