"""Attachment pages: download, and the upload and delete actions of the attachment block that a
record's page includes (files/_attachments.html). Every attachment is reached through its
owner's scoped selector (files.registry): an outsider gets 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kehu.accounts.scoping import CHANGE
from kehu.core.errors import ValidationFailed
from kehu.core.htmx import is_htmx
from kehu.core.pages import page_errors, redirect_page
from kehu.files import selectors, services
from kehu.files.registry import may_change, owner_get, owner_label


def file_response(attachment) -> FileResponse:
    """The file as a download: never shown inline, never sniffed, never cached."""
    response = FileResponse(
        services.attachments_storage().open(attachment.stored_name, "rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def attachments_context(*, user, owner, errors: list[str] | None = None) -> dict:
    """What files/_attachments.html needs to list and manage a record's attachments; the
    record was read through its app's scoped selector."""
    return {
        "attachments": selectors.attachment_list(owner=owner),
        "owner_type": owner_label(owner),
        "owner_id": owner.pk,
        "can_change": may_change(user=user, owner=owner),
        "max_mb": settings.KEHU_UPLOAD_MAX_MB,
        "errors": errors or [],
    }


@login_required
@require_GET
@page_errors
def attachment_download(request, pk: int):
    return file_response(selectors.attachment_get(user=request.user, attachment_id=pk))


def _done(request, owner, *, errors: list[str], status: int = 200):
    """htmx: the attachment block again (with the errors); otherwise back to the page."""
    if is_htmx(request):
        context = attachments_context(user=request.user, owner=owner, errors=errors)
        return render(request, "files/_attachments.html", context, status=status)
    for error in errors:
        messages.error(request, error)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("home")
    return redirect_page(request, target)


@login_required
@require_POST
@page_errors
def attachment_upload(request):
    try:
        owner_id = int(request.POST.get("owner_id", ""))
    except ValueError:
        owner_id = 0
    owner = owner_get(
        user=request.user,
        owner_type=request.POST.get("owner_type", ""),
        owner_id=owner_id,
        action=CHANGE,
    )
    if "file" in getattr(request, "uploads_too_large", ()):
        return _done(request, owner, errors=[services.too_large_message()], status=422)
    try:
        services.attachment_store(owner=owner, upload=request.FILES.get("file"), actor=request.user)
    except ValidationFailed as exc:
        return _done(request, owner, errors=[e["message"] for e in exc.errors], status=422)
    return _done(request, owner, errors=[])


@login_required
@require_POST
@page_errors
def attachment_delete(request, pk: int):
    attachment = selectors.attachment_get(user=request.user, attachment_id=pk, action=CHANGE)
    services.attachment_delete(attachment=attachment, actor=request.user)
    if not is_htmx(request):
        messages.success(request, _("已删除附件“%(name)s”") % {"name": attachment.name})
    return _done(request, attachment.owner, errors=[])
