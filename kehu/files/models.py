from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Attachment(models.Model):
    """A file attached to a record of another app (a follow-up record's minutes, a screenshot).

    The owner is any model registered with files.registry.register_owner; who may see the
    attachment is whoever may see its owner, decided by the owner's scoped selector. The file
    is kept under `stored_name` in the "attachments" storage (a random name: nothing the
    uploader typed reaches the file system); `name` is what the uploader called it, with the
    extension of the type found in the content. Written only through files.services.
    """

    owner_type = models.ForeignKey(
        ContentType, verbose_name=_("所属记录类型"), on_delete=models.PROTECT, related_name="+"
    )
    owner_id = models.PositiveBigIntegerField(_("所属记录"))
    # Set by selectors.attachment_get to the record read through its scoped selector.
    owner = GenericForeignKey("owner_type", "owner_id")
    name = models.CharField(_("文件名"), max_length=200)
    stored_name = models.CharField(_("存储名"), max_length=200, unique=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("文件类型"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["owner_type", "owner_id", "id"], name="attachment_owner_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def owner_label(self) -> str:
        """ "app_label.model" of the owner, as files.registry names owner types."""
        return f"{self.owner_type.app_label}.{self.owner_type.model}"
