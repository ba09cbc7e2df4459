"""Reads of attachments for a user: through the owner's scoped selector (files.registry), so
an attachment is exactly as visible as its record; anything else is NotFound (404)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from kehu.accounts.scoping import VIEW
from kehu.core.errors import NotFound
from kehu.files.models import Attachment
from kehu.files.registry import owner_get


def attachment_get(*, user, attachment_id: int, action: str = VIEW) -> Attachment:
    """The attachment if `user` may see its owner (else NotFound) and, for action="change",
    may change it (else PermissionDenied); `attachment.owner` is the owner so read."""
    try:
        attachment = Attachment.objects.select_related("owner_type").get(pk=attachment_id)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise NotFound("附件不存在") from None
    try:
        attachment.owner = owner_get(
            user=user,
            owner_type=attachment.owner_label,
            owner_id=attachment.owner_id,
            action=action,
        )
    except NotFound:
        raise NotFound("附件不存在") from None
    return attachment


def attachments_of(owner: Model) -> QuerySet[Attachment]:
    """The attachments of a record the caller already read through its scoped selector."""
    return Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk
    ).select_related("owner_type", "uploaded_by")


def attachment_list(*, owner: Model) -> list[Attachment]:
    return list(attachments_of(owner))
