"""Demo organisation: a small company tree with one person per role.

Demo people get random passwords printed once (no fixed password anywhere, none stored in
clear); `kehu demo --reset-passwords` gives them new ones and prints those."""

from kehu.accounts.choices import RoleCode
from kehu.accounts.models import Role, User
from kehu.accounts.services import (
    department_create,
    random_password,
    user_create,
    user_set_password,
)

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
        password = random_password()
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


def demo_usernames() -> list[str]:
    """The demo people who exist in this database (none once they are removed)."""
    wanted = [username for username, *_rest in PEOPLE]
    found = set(
        User.objects.filter(username__in=wanted, is_active=True).values_list("username", flat=True)
    )
    return [username for username in wanted if username in found]


def reset_passwords(stdout) -> None:
    """New random passwords for the demo people, printed once (the old ones are not stored
    anywhere, so they cannot be shown again)."""
    roles = {username: role for username, _name, _dept, role, _manager in PEOPLE}
    stdout.write("Demo users (new passwords, shown once):")
    for user in User.objects.filter(username__in=demo_usernames()).order_by("pk"):
        password = random_password()
        user_set_password(user=user, password=password, actor=None)
        stdout.write(f"  {user.username:<10} {user}  {roles[user.username].label:<6} {password}")
