"""Customers and contacts for tests, made through the real services (so numbering, search keys,
history and audit are those of the product).

Every factory customer gets its own name, credit code and phone unless the test gives them, so
duplicate checks never make two factory customers collide by accident:

    rep = make_user("zhang", dept, RoleCode.SALES_REP)
    acme = enterprise(rep, name="北京字节跳动科技有限公司")
    person = individual(rep, mobile="13812341234")
    contact(acme, rep, name="李雷")
"""

import itertools
from types import SimpleNamespace

from stdnum.cn import uscc as stdnum_uscc

from kehu.accounts.choices import DataScope, RoleCode
from kehu.core.testing import make_department, make_role, make_user
from kehu.customers import services
from kehu.customers.choices import CustomerKind
from kehu.customers.models import Contact, Customer

# A real, valid credit code (its check character is right) and the same code with one
# character changed, whose check character is then wrong.
VALID_USCC = "91110108551385082Q"
INVALID_USCC = "91110108551385083Q"

_serial = itertools.count(1)
# Generated names are words of these characters. Duplicate detection compares names whose cores
# share their first two characters, so every generated name starts with its own pair.
_CHARS = (
    "甲乙丙丁戊己庚辛壬癸金木水火土春夏秋冬梅兰竹菊松柏桃李杏枫荷星辰云雷霞虹雪霜露琴棋书画诗茶"
)


def _next() -> int:
    return next(_serial)


def _word(n: int) -> str:
    """Three characters, different in their first two for every n below len(_CHARS) ** 2."""
    size = len(_CHARS)
    return _CHARS[n % size] + _CHARS[(n // size) % size] + _CHARS[(n // size // size) % size]


def unique_uscc(n: int | None = None) -> str:
    """A valid 18-character credit code, different for every call (or every `n`)."""
    n = _next() if n is None else n
    first17 = f"91310115{n:09d}"
    return first17 + stdnum_uscc.calc_check_digit(first17)


def unique_mobile(n: int | None = None) -> str:
    n = _next() if n is None else n
    return f"139{n:08d}"


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}{_next()}@example.com"


def enterprise_data(**overrides) -> dict:
    n = _next()
    data = {
        "kind": CustomerKind.ENTERPRISE,
        "name": f"{_word(n)}贸易有限公司",
        "uscc": unique_uscc(n),
        "switchboard": f"021-{60000000 + n}",
    }
    data.update(overrides)
    return data


def individual_data(**overrides) -> dict:
    n = _next()
    data = {
        "kind": CustomerKind.INDIVIDUAL,
        "name": f"客户{_word(n)}",
        "mobile": unique_mobile(n),
        "email": f"person{n}@example.com",
    }
    data.update(overrides)
    return data


def contact_data(**overrides) -> dict:
    n = _next()
    data = {
        "name": f"联系人{_word(n)}",
        "mobile": unique_mobile(n),
        "email": f"contact{n}@example.com",
    }
    data.update(overrides)
    return data


def customer_create(actor, data: dict | None = None, **kwargs) -> Customer:
    """services.customer_create with enterprise defaults; kwargs go to the service
    (owner, collaborators, contacts)."""
    return services.customer_create(data=data or enterprise_data(), actor=actor, **kwargs)


def enterprise(actor, *, contacts: list[dict] | None = None, **fields) -> Customer:
    """An enterprise customer owned by `actor` (or `owner=`), with a unique name, uscc, phone."""
    kwargs = {k: fields.pop(k) for k in ("owner", "collaborators") if k in fields}
    return services.customer_create(
        data=enterprise_data(**fields), actor=actor, contacts=contacts, **kwargs
    )


def individual(actor, **fields) -> Customer:
    """An individual customer owned by `actor` (or `owner=`), with a unique name and mobile."""
    kwargs = {k: fields.pop(k) for k in ("owner", "collaborators") if k in fields}
    return services.customer_create(data=individual_data(**fields), actor=actor, **kwargs)


def contact(customer: Customer, actor, **fields) -> Contact:
    """A contact of `customer` through services.contact_create, unique mobile and email."""
    return services.contact_create(customer=customer, data=contact_data(**fields), actor=actor)


def fresh(customer: Customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


def build_org() -> SimpleNamespace:
    """The sales organisation the customer tests use:

    总部
    ├── 销售一部   manager (销售经理: 本部门及下级部门, may reveal and transfer)
    │   │         dept_manager (a role with 本部门 only, no reveal, no transfer)
    │   │         rep_s (销售代表)
    │   └── 一部一组   rep_a, rep_b (销售代表, report to manager)
    └── 销售二部   rep_c (销售代表)
    """
    hq = make_department("总部")
    sales = make_department("销售一部", hq)
    team = make_department("一部一组", sales)
    other = make_department("销售二部", hq)
    make_role("dept_manager", DataScope.DEPARTMENT)
    manager = make_user("manager", sales, RoleCode.SALES_MANAGER, display_name="王经理")
    return SimpleNamespace(
        hq=hq,
        sales=sales,
        team=team,
        other=other,
        manager=manager,
        dept_manager=make_user("dept.manager", sales, "dept_manager", display_name="赵主管"),
        rep_s=make_user("rep.s", sales, RoleCode.SALES_REP, display_name="孙销售"),
        rep_a=make_user("rep.a", team, RoleCode.SALES_REP, manager, display_name="张伟"),
        rep_b=make_user("rep.b", team, RoleCode.SALES_REP, manager, display_name="李娜"),
        rep_c=make_user("rep.c", other, RoleCode.SALES_REP, display_name="陈静"),
    )
