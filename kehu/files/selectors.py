"""Reads of attachments for a user: through the owner's scoped selector (files.registry), so
an attachment is exactly as visible as its record; anything else is NotFound (404)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from kehu.accounts.scoping import VIEW
from kehu.core.errors import NotFound
from kehu.files.models import Attachment
from kehu.files.registry import owner_get


def attachment_get(*, user, attachment_id: int, action: str = VIEW) -> Attachment:
    """The attachment if `user` may see its owner (else NotFound) and, for action="change",
    may change it (else PermissionDenied)."""
    try:
        attachment = Attachment.objects.select_related("owner_type").get(pk=attachment_id)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise NotFound("附件不存在") from None
    owner_type = attachment.owner_type
    try:
        owner_get(
            user=user,
            owner_type=f"{owner_type.app_label}.{owner_type.model}",
            owner_id=attachment.owner_id,
            action=action,
        )
    except NotFound:
        raise NotFound("附件不存在") from None
    return attachment


def attachment_list(*, owner: Model) -> list[Attachment]:
    """The attachments of a record the caller already read through its scoped selector."""
    return list(
        Attachment.objects.filter(
            owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk
        ).select_related("uploaded_by")
    )
