"""The panels of 今日 (the workbench): a registry each app fills from its AppConfig.ready, so
the follow-ups app adds 我的任务 (and later apps theirs) without touching anyone else's.

    register_panel(Panel("customers_by_status", "customers/workbench/_by_status.html",
                         order=20, context=by_status_context))

`context(request)` returns the panel's template context, or None to leave the panel out for
this user. Each panel must stay cheap at a million records (capped counts on indexes): the
page's budget is 30 ms of server time for all of them together (bench/cases.py).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    order: int
    context: Callable[[object], dict | None]
    wide: bool = False  # spans the page's width (the quick actions) instead of one card


PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    PANELS[panel.key] = panel


def panels_for(request) -> list[dict]:
    """The panels to show `request.user`, in order, each with its own context."""
    shown = []
    for panel in sorted(PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(request)
        if context is not None:
            shown.append(
                {"key": panel.key, "template": panel.template, "wide": panel.wide, "data": context}
            )
    return shown
