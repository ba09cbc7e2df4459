"""Every write of attachments: the pages, the API and other apps' services call these.

    attachment = attachment_store(owner=record, upload=request.FILES["file"], actor=user)

The caller has read `owner` through its scoped selector for a change (so the user may change
it); the content decides the type (content.detect), the size is checked, the file goes to the
"attachments" storage under a random name, and the row and its audit event are written in the
caller's transaction.
"""

import hashlib
import os
import unicodedata
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import audit_record
from kehu.core.errors import ValidationFailed
from kehu.files.content import Refused, detect
from kehu.files.models import Attachment
from kehu.files.registry import OWNERS, owner_label

NAME_MAX = 200


def attachments_storage():
    return storages["attachments"]


def _refuse(message: str, field: str = "file") -> ValidationFailed:
    return ValidationFailed(message, errors=[{"field": field, "message": message}])


def too_large_message() -> str:
    return _("文件超过 %(mb)s MB 上限") % {"mb": settings.KEHU_UPLOAD_MAX_MB}


def clean_name(raw: str, extensions: tuple[str, ...]) -> str:
    """The uploader's file name without any path, control or format characters, at most
    NAME_MAX characters, ending in an extension of the type found in the content (a PDF named
    report.exe is kept as report.exe.pdf)."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if not name.lower().endswith(extensions):
        name = f"{name or _('附件')}{extensions[0]}"
    stem, extension = os.path.splitext(name)
    return stem[: NAME_MAX - len(extension)] + extension


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def attachment_store(*, owner: Model, upload, actor) -> Attachment:
    """Attach `upload` (a Django UploadedFile, or None when the form sent none) to `owner`.
    ValidationFailed naming "file" when there is none, it is empty or over the limit, or its
    content is not an accepted type; nothing is saved then."""
    if owner_label(owner) not in OWNERS:
        raise ValueError(f"{owner_label(owner)} is not registered to own attachments")
    if upload is None:
        raise _refuse(_("请选择文件"))
    if upload.size > settings.KEHU_UPLOAD_MAX_BYTES:
        raise _refuse(too_large_message())
    if upload.size == 0:
        raise _refuse(_("文件是空的"))
    try:
        kind = detect(upload, upload.name or "")
    except Refused as exc:
        raise _refuse(exc.reason) from None
    now = timezone.now()
    storage = attachments_storage()
    stored_name = storage.save(f"{now:%Y/%m}/{uuid.uuid4().hex}", upload)
    try:
        attachment = Attachment.objects.create(
            owner_type=ContentType.objects.get_for_model(owner),
            owner_id=owner.pk,
            name=clean_name(upload.name or "", kind.extensions),
            stored_name=stored_name,
            size=upload.size,
            content_type=kind.content_type,
            sha256=_sha256(upload),
            uploaded_by=actor,
        )
        audit_record(
            actor=actor,
            action="attachment.store",
            target=owner,
            data={
                "attachment": attachment.pk,
                "name": attachment.name,
                "sha256": attachment.sha256,
            },
        )
    except BaseException:
        storage.delete(stored_name)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor) -> None:
    """Remove an attachment (read through selectors.attachment_get with action="change");
    the file goes once the transaction has committed, so a rollback keeps it."""
    stored_name = attachment.stored_name
    audit_record(
        actor=actor,
        action="attachment.delete",
        target=attachment,
        data={
            "owner": attachment.owner_label,
            "owner_id": attachment.owner_id,
            "name": attachment.name,
            "sha256": attachment.sha256,
        },
    )
    attachment.delete()
    transaction.on_commit(lambda: attachments_storage().delete(stored_name), robust=True)
