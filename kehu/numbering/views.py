"""设置 › 编号规则: each kind of number with its pattern, edited with a live preview."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kehu.core.pages import page_errors
from kehu.core.sections import render_section, require_section, saved_or_errors
from kehu.numbering import selectors, services
from kehu.numbering.forms import PatternForm
from kehu.numbering.kinds import KINDS
from kehu.numbering.patterns import pattern_errors


def _kind(key: str):
    if key not in KINDS:
        raise Http404
    return KINDS[key]


@require_section("numbering")
@require_GET
def pattern_list(request):
    return render_section(
        request,
        "numbering/settings.html",
        "numbering/settings.html",
        {"rows": selectors.kind_rows()},
    )


@require_section("numbering")
@require_http_methods(["GET", "POST"])
@page_errors
def pattern_edit(request, kind: str):
    number_kind = _kind(kind)
    if request.method == "POST":
        form = PatternForm(request.POST)
        done = form.is_valid() and saved_or_errors(
            request,
            form,
            lambda: services.pattern_update(
                kind_key=kind, pattern=form.cleaned_data["pattern"], actor=request.user
            ),
            message=_("已保存%(label)s的格式") % {"label": number_kind.label},
            url=reverse("numbering:settings"),
        )
        if done:
            return done
        status = 422
    else:
        form = PatternForm(initial={"pattern": selectors.pattern_for(kind)})
        status = 200
    context = {"form": form, "kind": number_kind, **_preview(kind, form["pattern"].value())}
    return render_section(
        request, "numbering/pattern_form.html", "numbering/pattern_form.html", context, status
    )


def _preview(kind: str, pattern: str | None) -> dict:
    errors = pattern_errors(pattern or "", KINDS[kind].max_length)
    return {"preview": None if errors else services.preview(kind, pattern), "problems": errors}


@require_section("numbering")
@require_GET
def pattern_preview(request, kind: str):
    """While typing: the next number the pattern would give, or what is wrong with it."""
    _kind(kind)
    context = _preview(kind, request.GET.get("pattern", "")[:60])
    return render(request, "numbering/_preview.html", context)
