"""The main navigation (DOMAIN.md modules). A module appears as a link once its url exists."""

from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

MODULES = [
    ("home", _("今日"), "home"),
    ("customers", _("客户"), "customers:list"),
    ("followups", _("跟进"), "followups:list"),
    ("opportunities", _("商机"), "opportunities:list"),
    ("tickets", _("工单"), "tickets:list"),
    ("care", _("关怀"), "care:list"),
    ("analytics", _("分析"), "analytics:index"),
    ("settings", _("设置"), "admin:index"),
]


@lru_cache(maxsize=8)
def _module_urls(script_prefix: str) -> tuple[str | None, ...]:
    """Each module's url, or None while it does not exist: the url conf is fixed for the
    process, and reversing eight names (five of them failing) cost every page 2 ms."""
    urls = []
    for _key, _label, url_name in MODULES:
        try:
            urls.append(reverse(url_name))
        except NoReverseMatch:
            urls.append(None)
    return tuple(urls)


def navigation(request):
    items = []
    current = request.path
    urls = _module_urls(get_script_prefix())
    for (key, label, _url_name), url in zip(MODULES, urls, strict=True):
        active = url is not None and (current == url if url == "/" else current.startswith(url))
        items.append({"key": key, "label": label, "url": url, "active": active})
    return {"nav_items": items}
