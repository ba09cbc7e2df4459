"""The main navigation (DOMAIN.md modules): a registry that each app fills from its
AppConfig.ready, so a module appears once it exists and only to the people who may use it.

    register_module(Module("customers", _("客户"), "customers:list", order=10))
    register_module(Module("settings", _("设置"), "settings", order=90, visible=sections_for))

On a phone the navigation is a bar along the bottom: it holds at most PHONE_BAR_ITEMS items,
so with more modules the last of them sit in a 更多 sheet (base.html).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.urls import get_script_prefix, reverse

# The phone's bottom bar: five items fit 375 px with two Chinese characters each.
PHONE_BAR_ITEMS = 5


@dataclass(frozen=True)
class Module:
    key: str
    label: str  # lazy
    url_name: str
    order: int
    # Who may use the module; None: every signed-in user (their data scope decides the rest).
    visible: Callable[[object], bool] | None = None


MODULES: dict[str, Module] = {}


def register_module(module: Module) -> None:
    """Add a module to the navigation (call from AppConfig.ready)."""
    MODULES[module.key] = module
    _urls.cache_clear()


@lru_cache(maxsize=8)
def _urls(script_prefix: str) -> tuple[tuple[Module, str], ...]:
    """The modules in order with their urls: the url conf is fixed for the process, and
    reversing every name on every page cost each page a millisecond or two."""
    modules = sorted(MODULES.values(), key=lambda m: (m.order, m.key))
    return tuple((module, reverse(module.url_name)) for module in modules)


def navigation_items(user, path: str) -> list[dict]:
    """The modules `user` may use, each with its url and whether `path` is inside it."""
    items = []
    for module, url in _urls(get_script_prefix()):
        if module.visible is not None and not module.visible(user):
            continue
        active = path == url if url == "/" else path.startswith(url)
        items.append({"key": module.key, "label": module.label, "url": url, "active": active})
    return items


def navigation(request):
    """Context processor: `nav_items` (every module the user may use; a wide screen shows them
    all) and `nav_more` (those that a phone's bottom bar puts in its 更多 sheet, none when
    they fit), with their keys and whether one of them is the current module."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = navigation_items(user, request.path)
    # Five fit; from six on, the bar keeps four and 更多 holds the rest.
    more = items[PHONE_BAR_ITEMS - 1 :] if len(items) > PHONE_BAR_ITEMS else []
    return {
        "nav_items": items,
        "nav_more": more,
        "nav_more_keys": {item["key"] for item in more},
        "nav_more_active": any(item["active"] for item in more),
    }
