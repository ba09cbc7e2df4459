"""The sections of 设置 (settings inside the product): a registry each app fills from its
AppConfig.ready, so an app adds its settings page without touching anyone else's.

    register_section(Section(
        "users", _("用户"), "accounts:settings_users", order=10,
        permission="accounts.view_user", description=_("账号、所属部门与角色"),
    ))

A section is listed (and the 设置 module shown) to whoever has its permission; the page itself
checks the same permission (`require_section`), and a person without it gets the in-product
无权访问 page. The pages extend "core/settings_base.html" (section menu and crumbs).
"""

from dataclasses import dataclass
from functools import lru_cache, wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from kehu.core.errors import Conflict, ValidationFailed
from kehu.core.htmx import render_page_or_partial
from kehu.core.pages import redirect_page


@dataclass(frozen=True)
class Section:
    key: str
    label: str  # lazy
    url_name: str
    order: int
    permission: str  # "app_label.codename" needed to open it
    description: str = ""  # lazy


SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> None:
    SECTIONS[section.key] = section
    _ordered.cache_clear()


@lru_cache(maxsize=8)
def _ordered(script_prefix: str) -> tuple[tuple[Section, str], ...]:
    sections = sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))
    return tuple((section, reverse(section.url_name)) for section in sections)


def sections_for(user) -> list[dict]:
    """The sections `user` may open, in order, with their urls (no query: permissions are
    kept with the user's access)."""
    if user is None or not user.is_authenticated:
        return []
    return [
        {"key": s.key, "label": s.label, "url": url, "description": s.description}
        for s, url in _ordered(get_script_prefix())
        if user.has_perm(s.permission)
    ]


def require_section(key: str):
    """A settings page view: signed in (else the login page) and allowed to open section
    `key` (else 无权访问, 403); the section is passed to the template as `settings_section`."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            section = SECTIONS[key]
            if not request.user.has_perm(section.permission):
                raise PermissionDenied(
                    _("你的角色不能打开“%(name)s”设置。") % {"name": section.label}
                )
            request.settings_section = key
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def render_section(request, page: str, partial: str, context: dict, status: int = 200):
    """A settings page, or its htmx partial, with what settings_base.html needs beside
    `context`: the sections for its menu and the current one."""
    context = {
        "settings_sections": sections_for(request.user),
        "settings_current": getattr(request, "settings_section", None),
        **context,
    }
    return render_page_or_partial(request, page, partial, context, status)


def saved_or_errors(request, form, write, *, message, url):
    """A settings form's write: run `write()` (a service call); its field errors go on `form`
    and None is returned (the page is shown again), else `message` and a redirect to `url`."""
    try:
        write()
    except ValidationFailed as exc:
        form.add_service_errors(exc.errors)
        return None
    messages.success(request, message)
    return redirect_page(request, url)


def deleted_or_refused(request, delete, *, message, url, back_url):
    """A settings page's delete: run `delete()`; a Conflict (still in use) is told on the page
    at `back_url`, else `message` on the list at `url`."""
    try:
        delete()
    except Conflict as exc:
        messages.error(request, exc.detail)
        return redirect_page(request, back_url)
    messages.success(request, message)
    return redirect_page(request, url)
