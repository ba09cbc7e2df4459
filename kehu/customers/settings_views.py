"""设置 › 来源渠道: the channels the customer forms and the list filter offer, in order."""

from django import forms
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kehu.core.forms import ServiceErrorsMixin
from kehu.core.pages import page_errors, redirect_page
from kehu.core.sections import (
    deleted_or_refused,
    render_section,
    require_section,
    saved_or_errors,
)
from kehu.customers import channels
from kehu.customers.models import SourceChannel


class ChannelForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=50)
    name_en = forms.CharField(
        label=gettext_lazy("英文名称"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("英文界面显示；留空则显示中文名称"),
    )
    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False)


def _list(request, form, status=200):
    context = {"channels": channels.channel_list(), "form": form}
    return render_section(
        request,
        "customers/settings/channels.html",
        "customers/settings/channels.html",
        context,
        status,
    )


@require_section("channels")
@require_http_methods(["GET", "POST"])
@page_errors
def channel_list(request):
    """The channels; POST adds one at the end."""
    if request.method == "GET":
        return _list(request, ChannelForm(initial={"is_active": True}))
    form = ChannelForm(request.POST)
    done = form.is_valid() and saved_or_errors(
        request,
        form,
        lambda: channels.source_channel_create(
            name=form.cleaned_data["name"], name_en=form.cleaned_data["name_en"], actor=request.user
        ),
        message=_("已添加来源渠道 %(name)s") % {"name": form.cleaned_data["name"]},
        url=reverse("channels:list"),
    )
    return done or _list(request, form, status=422)


@require_section("channels")
@require_http_methods(["GET", "POST"])
@page_errors
def channel_edit(request, pk: int):
    channel = get_object_or_404(SourceChannel, pk=pk)
    if request.method == "POST":
        form = ChannelForm(request.POST)
        done = form.is_valid() and saved_or_errors(
            request,
            form,
            lambda: channels.source_channel_update(
                channel=channel, data=form.cleaned_data, actor=request.user
            ),
            message=_("已保存来源渠道 %(name)s") % {"name": form.cleaned_data["name"]},
            url=reverse("channels:list"),
        )
        if done:
            return done
        status = 422
    else:
        form = ChannelForm(
            initial={
                "name": channel.name,
                "name_en": channel.name_en,
                "is_active": channel.is_active,
            }
        )
        status = 200
    return render_section(
        request,
        "customers/settings/channel_form.html",
        "customers/settings/channel_form.html",
        {"form": form, "channel": channel},
        status,
    )


@require_section("channels")
@require_POST
@page_errors
def channel_move(request, pk: int):
    channel = get_object_or_404(SourceChannel, pk=pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    channels.source_channel_move(channel=channel, offset=offset, actor=request.user)
    return redirect_page(request, reverse("channels:list"))


@require_section("channels")
@require_POST
@page_errors
def channel_delete(request, pk: int):
    channel = get_object_or_404(SourceChannel, pk=pk)
    return deleted_or_refused(
        request,
        lambda: channels.source_channel_delete(channel=channel, actor=request.user),
        message=_("已删除来源渠道 %(name)s") % {"name": channel.name},
        url=reverse("channels:list"),
        back_url=reverse("channels:edit", args=[pk]),
    )
