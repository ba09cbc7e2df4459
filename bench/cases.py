"""What the bench measures: each case is a real URL requested as a user with a given data scope,
a target, and a yardstick (the same lookup as a plain SQL query on the same database).

Requests cycle through a pool of values drawn from the user's own scope (search words typed the
way people type them, ids they can open), so medians are not one lucky cached query.
"""

import random
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import Resolver404, resolve

from kehu.accounts.models import User
from kehu.accounts.scoping import visible_owner_ids
from kehu.customers import selectors
from kehu.customers.models import Contact, Customer, SearchTerm
from kehu.customers.normalize import name_core
from kehu.customers.search import _prefix

POOL = 20
API = "/api/v1/customers"


@dataclass(frozen=True)
class Target:
    median_ms: float
    p95_ms: float | None = None

    def __str__(self):
        text = f"≤{self.median_ms:g}"
        return text + (f" / p95 ≤{self.p95_ms:g}" if self.p95_ms else "")

    def verdict(self, median: float, p95: float) -> str:
        ok = median <= self.median_ms and (self.p95_ms is None or p95 <= self.p95_ms)
        return "PASS" if ok else "FAIL"


# The customer-archive issue's figures: the list API (any offered sort) and search; the record
# (API and page) ≤ 30 ms. A full HTML page is held to that page budget, the list page included
# (it renders the filter form and 50 rows around the same list), and 今日 (the workbench: every
# panel's counts and rows for the user's scope).
LIST = Target(15)
SEARCH = Target(20, 50)
DETAIL = Target(30)
PAGE = Target(30)


@dataclass
class Case:
    name: str
    kind: str  # list | search | detail | page
    role: str  # admin | manager | rep
    paths: list[str]
    target: Target
    # (sql, params) pairs cycled alongside the paths; %s placeholders on both databases.
    yardstick: list[tuple[str, list]] = field(default_factory=list)
    html: bool = False
    load: bool = False  # also measured against gunicorn at several concurrencies
    cookies: dict[str, str] = field(default_factory=dict)  # sent with every request


ROLE_LABELS = {"admin": "管理员·全公司", "manager": "大区经理·本部门及下级", "rep": "销售·本人"}


def _scope_sql(user: User) -> tuple[str, list]:
    """The data scope as SQL: owner ids plus shared rows (the yardstick pays for it too)."""
    owner_ids = visible_owner_ids(user, Customer.scope_module)
    if owner_ids is None:
        return "", []
    marks = ", ".join(["%s"] * len(owner_ids))
    return (
        f" AND (c.owner_id IN ({marks}) OR c.id IN (SELECT customer_id FROM"
        " customers_customer_collaborators WHERE user_id = %s))",
        [*sorted(owner_ids), user.pk],
    )


def _list_sql(user: User, order: str = "c.updated_at DESC, c.id DESC") -> tuple[str, list]:
    where, params = _scope_sql(user)
    return (
        f"SELECT c.* FROM customers_customer c WHERE 1=1{where} ORDER BY {order} LIMIT 50",
        params,
    )


def _search_sql(user: User, term: str, exact: bool = False) -> tuple[str, list]:
    where, params = _scope_sql(user)
    if exact:
        match, match_params = "term = %s", [term]
    else:
        q = _prefix(term)
        bounds = dict(q.children)
        match, match_params = "term >= %s AND term < %s", [bounds["term__gte"], bounds["term__lt"]]
    sql = (
        "SELECT c.* FROM customers_customer c WHERE c.id IN (SELECT customer_id FROM"
        f" customers_searchterm WHERE {match}){where}"
        " ORDER BY c.updated_at DESC, c.id DESC LIMIT 50"
    )
    return sql, match_params + params


def _detail_sql(customer_id: int) -> list[tuple[str, list]]:
    return [
        ("SELECT * FROM customers_customer WHERE id = %s", [customer_id]),
        ("SELECT * FROM customers_contact WHERE customer_id = %s", [customer_id]),
    ]


_PLACE = re.compile(
    r"^(北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东"
    r"|海南|四川|贵州|云南|陕西|甘肃|青海|内蒙古|广西|西藏|宁夏|新疆|[\u4e00-\u9fff]{2}(?=.{4}))"
)


def typed_fragment(customer: Customer, rng: random.Random) -> str:
    """What a person types to find this customer: the start of its distinctive name."""
    if customer.kind == "individual":
        return customer.name if rng.random() < 0.5 else customer.name[:2]
    core = name_core(customer.name)
    if customer.short_name:
        core = name_core(customer.short_name)
    elif len(core) > 4:
        core = _PLACE.sub("", core, count=1)  # 杭州云帆智能科技 → 云帆智能科技
    return core[: rng.choice([2, 2, 3, 4])]


def _sample(user: User, rng: random.Random, n: int = POOL) -> list[Customer]:
    ids = list(selectors.customers_for(user).order_by("pk").values_list("pk", flat=True))
    picked = rng.sample(ids, min(n, len(ids)))
    found = Customer.objects.in_bulk(picked)
    return [found[i] for i in picked]


def _html_available(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def build(users: dict[str, User], seed: int = 1) -> list[Case]:
    cases: list[Case] = []
    for role, user in users.items():
        rng = random.Random(f"{seed}:{role}")
        sample = _sample(user, rng)
        label = ROLE_LABELS[role]
        cases.append(
            Case(
                f"列表 ?limit=50 ({label})",
                "list",
                role,
                [f"{API}?limit=50"],
                LIST,
                [_list_sql(user)],
                load=role == "admin",
            )
        )
        cases.append(
            Case(
                f"列表 ?sort=name ({label})",
                "list",
                role,
                [f"{API}?limit=50&sort=name"],
                LIST,
                [_list_sql(user, "c.name, c.id")],
            )
        )
        if role == "manager":
            cases.append(
                Case(
                    f"列表 ?status=intent ({label})",
                    "list",
                    role,
                    [f"{API}?limit=50&status=intent"],
                    LIST,
                    [
                        (
                            _list_sql(user)[0].replace("WHERE 1=1", "WHERE c.status = %s"),
                            ["intent", *_list_sql(user)[1]],
                        )
                    ],
                )
            )
        cases.append(_search_names(role, label, user, sample, rng))
        cases.append(_search_initials(role, label, user, sample, rng))
        cases.append(_search_phones(role, label, user, sample, rng, last4=True))
        cases.append(_search_phones(role, label, user, sample, rng, last4=False))
        cases.append(
            Case(
                f"详情 /customers/{{id}} ({label})",
                "detail",
                role,
                [f"{API}/{c.pk}" for c in sample],
                DETAIL,
                [q for c in sample for q in _detail_sql(c.pk)],
                load=role == "admin",
            )
        )
        if _html_available("/customers/"):
            cases.append(
                Case(f"页面 客户列表 ({label})", "list", role, ["/customers/"], PAGE, html=True)
            )
        if _html_available("/"):
            cases.append(_workbench(role, label, user, sample))
        if sample and _html_available(f"/customers/{sample[0].pk}/"):
            cases.append(
                Case(
                    f"页面 客户详情 ({label})",
                    "detail",
                    role,
                    [f"/customers/{c.pk}/" for c in sample],
                    DETAIL,
                    [q for c in sample for q in _detail_sql(c.pk)],
                    html=True,
                )
            )
    return cases


def _workbench(role, label, user, sample) -> Case:
    """今日 as the user opens it in the morning: eight recently viewed customers in the cookie
    the record page sets, every panel counting and listing over the user's scope."""
    from kehu.customers.workbench import RECENT_COOKIE, RECENT_KEEP

    recent = ".".join(str(c.pk) for c in sample[:RECENT_KEEP])
    return Case(
        f"页面 今日 ({label})",
        "page",
        role,
        ["/"],
        PAGE,
        html=True,
        cookies={RECENT_COOKIE: f"{user.pk}-{recent}"},
    )


def _q(value: str) -> str:
    return f"{API}?{urlencode({'q': value, 'limit': 50})}"


def _search_names(role, label, user, sample, rng) -> Case:
    words = [typed_fragment(c, rng) for c in sample]
    return Case(
        f"搜索 名称片段 ({label})",
        "search",
        role,
        [_q(w) for w in words],
        SEARCH,
        [_search_sql(user, f"n:{w.lower()}") for w in words],
        load=role == "admin",
    )


def _search_initials(role, label, user, sample, rng) -> Case:
    words = []
    for c in sample:
        initials = sorted(
            SearchTerm.objects.filter(customer=c, term__startswith="i:").values_list(
                "term", flat=True
            )
        )
        term = rng.choice(initials)[2:] if initials else "zz"
        words.append(term[: rng.choice([3, 4, 5])])
    return Case(
        f"搜索 拼音首字母 ({label})",
        "search",
        role,
        [_q(w) for w in words],
        SEARCH,
        [_search_sql(user, f"i:{w}") for w in words],
    )


def _search_phones(role, label, user, sample, rng, *, last4: bool) -> Case:
    phones = []
    for c in sample:
        mobiles = [c.mobile] if c.mobile else []
        mobiles += [m for m in Contact.objects.filter(customer=c).values_list("mobile", flat=True)]
        mobiles = [m for m in mobiles if m] or ["13800000000"]
        phones.append(rng.choice(mobiles))
    if last4:
        words = [p[-4:] for p in phones]
        return Case(
            f"搜索 手机尾号4位 ({label})",
            "search",
            role,
            [_q(w) for w in words],
            SEARCH,
            [_search_sql(user, f"4:{w}", exact=True) for w in words],
        )
    return Case(
        f"搜索 完整手机号 ({label})",
        "search",
        role,
        [_q(p) for p in phones],
        SEARCH,
        [_search_sql(user, f"t:{p}") for p in phones],
    )
