"""Demo organisation: a small company tree with one person per role.

Demo people get random passwords printed once (no fixed password anywhere)."""

import secrets

from kehu.accounts.choices import RoleCode
from kehu.accounts.models import Role
from kehu.accounts.services import department_create, user_create

PEOPLE = [
    # username, name, department key, role, manager username
    ("wang.jl", "王建立", "hq", RoleCode.SALES_MANAGER, None),
    ("li.na", "李娜", "east", RoleCode.SALES_MANAGER, "wang.jl"),
    ("zhang.wei", "张伟", "shanghai", RoleCode.SALES_REP, "li.na"),
    ("chen.jing", "陈静", "shanghai", RoleCode.SALES_REP, "li.na"),
    ("liu.yang", "刘洋", "north", RoleCode.SALES_REP, "wang.jl"),
    ("zhao.min", "赵敏", "service", RoleCode.SERVICE_AGENT, None),
    ("sun.li", "孙丽", "marketing", RoleCode.MARKETING, None),
]


def load(stdout) -> None:
    hq = department_create(name="总部", parent=None, actor=None)
    departments = {
        "hq": hq,
        "east": department_create(name="华东大区", parent=hq, actor=None),
        "north": department_create(name="华北大区", parent=hq, actor=None),
        "service": department_create(name="客户服务部", parent=hq, actor=None),
        "marketing": department_create(name="市场部", parent=hq, actor=None),
    }
    departments["shanghai"] = department_create(
        name="上海销售部", parent=departments["east"], actor=None
    )
    users = {}
    stdout.write("Demo users (passwords shown once):")
    for username, name, dept, role, manager in PEOPLE:
        password = secrets.token_urlsafe(9)
        users[username] = user_create(
            username=username,
            password=password,
            actor=None,
            display_name=name,
            department=departments[dept],
            roles=[Role.objects.get(code=role)],
            manager=users.get(manager) if manager else None,
        )
        stdout.write(f"  {username:<10} {name}  {role.label:<6} {password}")
