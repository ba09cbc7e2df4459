"""The main navigation (DOMAIN.md modules). A module appears as a link once its url exists."""

from django.urls import NoReverseMatch, reverse
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


def navigation(request):
    items = []
    current = request.path
    for key, label, url_name in MODULES:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = None
        active = url is not None and (current == url if url == "/" else current.startswith(url))
        items.append({"key": key, "label": label, "url": url, "active": active})
    return {"nav_items": items}
