"""Every page of the product, walked in a real browser as an administrator and as a sales rep,
on a phone (375 px) and a desktop (1280 px): nothing is wider than the screen, no script or
console error, no server error — and the rep never sees 设置.

PAGES names every route a person opens as a page, with how to fill its arguments; NOT_PAGES
every other route of the HTML site, with the reason. A new route that is in neither fails
test_every_route_is_walked_or_explained: add it to one of them.
"""

from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import expect

from kehu.accounts.models import Department, Role
from kehu.core.testing import PASSWORD, make_admin
from kehu.customers.models import SourceChannel
from kehu.customers.tests import factories as f
from kehu.dedup.services import merge

from .test_login import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = (375, 1280)
# Routes outside the HTML site the walk is about.
OUTSIDE = ("api/", "_maintenance/", "i18n/", "healthz", "static/")

# name → the reverse() arguments from the walk's data (`d`); a page needing a query string
# gives (args, query).
PAGES = {
    "home": lambda d: [],
    "customers:list": lambda d: [],
    "customers:create": lambda d: [],
    "customers:detail": lambda d: [d.customer.pk],
    "customers:edit": lambda d: [d.customer.pk],
    "customers:history": lambda d: [d.customer.pk],
    "customers:transfer": lambda d: [d.customer.pk],
    "customers:contact_edit": lambda d: [d.customer.pk, d.contact.pk],
    "dedup:groups": lambda d: [],
    "dedup:merge": lambda d: ([], f"ids={d.twin_a.pk}&ids={d.twin_b.pk}"),
    "dedup:merge_detail": lambda d: [d.merge.pk],
    "settings": lambda d: [],
    "org:users": lambda d: [],
    "org:user_create": lambda d: [],
    "org:user_edit": lambda d: [d.rep.pk],
    "org:departments": lambda d: [],
    "org:department_create": lambda d: [],
    "org:department_edit": lambda d: [d.department.pk],
    "org:roles": lambda d: [],
    "org:role_create": lambda d: [],
    "org:role_edit": lambda d: [d.role.pk],
    "channels:list": lambda d: [],
    "channels:edit": lambda d: [d.channel.pk],
    "dedup_settings:policy": lambda d: [],
    "numbering:settings": lambda d: [],
    "numbering:edit": lambda d: ["customers"],
    "notify:list": lambda d: [],
    "notify:channels": lambda d: [],
    "password_change": lambda d: [],
    "password_change_done": lambda d: [],
}
# Pages of someone signed out.
SIGNED_OUT_PAGES = ["login", "password_reset", "password_reset_done", "password_reset_complete"]
NOT_PAGES = {
    "logout": "POST only",
    "password_reset_confirm": "reached from the reset mail's link (test_password_reset)",
    "customers:validate": "htmx: a field's errors",
    "customers:validate_existing": "htmx: a field's errors",
    "customers:regions": "htmx: the region selects",
    "customers:view_save": "POST only",
    "customers:view_delete": "POST only",
    "customers:reveal": "POST only",
    "customers:contacts": "POST; its GET answers htmx with the contacts section",
    "customers:contact_new": "htmx: the empty contact form of the record page",
    "customers:contact_delete": "POST only",
    "customers:contact_reveal": "POST only",
    "dedup:scan_start": "POST only",
    "dedup:scan_status": "htmx: the scan's progress",
    "dedup:group_dismiss": "POST only",
    "dedup:merge_undo": "POST only",
    "dedup:hint": "htmx: the duplicate hint of the form",
    "org:user_password_reset": "POST only",
    "org:department_delete": "POST only",
    "org:role_delete": "POST only",
    "channels:move": "POST only",
    "channels:delete": "POST only",
    "numbering:preview": "htmx: the next number while typing",
    "notify:read_all": "POST only",
    "notify:open": "POST only",
    "notify:read": "POST only",
    "notify:robot_save": "POST only",
    "notify:robot_delete": "POST only",
    "notify:team_robot_save": "POST only",
    "notify:team_robot_delete": "POST only",
    "notify:test": "POST only",
    "files:upload": "POST only",
    "files:download": "a file, not a page",
    "files:delete": "POST only",
}

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 1 || box.left < -1) {
      wide.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(box.left)}..${Math.round(box.right)}`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""


def _routes(patterns, prefix="", namespace=""):
    for p in patterns:
        route = prefix + str(p.pattern)
        if route.startswith(OUTSIDE):
            continue
        if isinstance(p, URLResolver):
            space = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _routes(p.url_patterns, route, space)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}"


def test_every_route_is_walked_or_explained():
    routes = set(_routes(get_resolver().url_patterns))

    unexplained = routes - set(PAGES) - set(NOT_PAGES) - set(SIGNED_OUT_PAGES)
    stale = (set(PAGES) | set(NOT_PAGES) | set(SIGNED_OUT_PAGES)) - routes

    assert not unexplained, f"add these routes to PAGES or NOT_PAGES: {sorted(unexplained)}"
    assert not stale, f"these routes are gone: {sorted(stale)}"


def _data():
    org = f.build_org()
    admin = make_admin("boss")
    customer = f.enterprise(
        org.rep_a,
        name="杭州云帆智能科技有限公司",
        core_need="采购一批设备",
        pending_fields=["budget_min"],
    )
    twin_a = f.enterprise(org.rep_a, name="宁波港城汽车零部件有限公司")
    twin_b = f.individual(org.rep_a, name="李晓梅")
    merged_a = f.individual(org.rep_a, name="王小明")
    merged_b = f.individual(org.rep_a, name="王晓明")
    record = merge(survivor=merged_a, others=[merged_b], field_sources={}, actor=admin)
    return SimpleNamespace(
        admin=admin,
        rep=org.rep_a,
        customer=customer,
        contact=f.contact(customer, org.rep_a, name="李雷"),
        twin_a=twin_a,
        twin_b=twin_b,
        merge=record,
        department=Department.objects.get(name="一部一组"),
        role=Role.objects.get(code="sales_rep"),
        channel=SourceChannel.objects.first(),
    )


def _url(name, d) -> str:
    made = PAGES[name](d)
    args, query = made if isinstance(made, tuple) else (made, "")
    url = reverse(name, args=args)
    return f"{url}?{query}" if query else url


def _walk(page, urls, width, problems, who):
    page.set_viewport_size({"width": width, "height": 800})
    for url in urls:
        response = page.goto(url)
        if response.status >= 500:
            problems.append(f"{who} {width}px {url}: HTTP {response.status}")
        found = page.evaluate(OVERFLOW)
        if found["scroll"] > found["width"] or found["wide"]:
            problems.append(f"{who} {width}px {url}: wider than the screen {found}")
        if width == 375:
            nav = page.locator("nav.mainnav")
            bar = nav.locator(":scope > a:visible, :scope > details")
            if bar.count() > 5:
                problems.append(f"{who} {url}: {bar.count()} items in the phone's bar")


def test_every_page_fits_the_screen_for_an_administrator_and_a_rep(browser_page):
    page = browser_page
    errors = []
    page.on("pageerror", lambda error: errors.append(f"script: {error}"))
    page.on(
        "console",
        lambda m: (
            errors.append(f"console: {m.text}")
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    d = _data()
    urls = [_url(name, d) for name in PAGES]
    problems = []

    for width in WIDTHS:
        _walk(page, [reverse(name) for name in SIGNED_OUT_PAGES], width, problems, "visitor")

    sign_in(page, "boss", PASSWORD)
    for width in WIDTHS:
        _walk(page, urls, width, problems, "admin")

    page.context.clear_cookies()
    sign_in(page, "rep.a", PASSWORD)
    for width in WIDTHS:
        _walk(page, urls, width, problems, "rep")
        # The rep's pages never offer 设置 (their settings pages are 无权访问).
        page.goto("/")
        expect(page.get_by_role("navigation", name="主导航").get_by_text("设置")).to_have_count(0)

    assert problems == [], "\n".join(problems)
    assert errors == [], "\n".join(errors)
