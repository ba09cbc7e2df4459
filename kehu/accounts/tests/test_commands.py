"""`kehu createadmin` and `kehu demo --if-empty`: safe to run on every start."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kehu.accounts.models import Department, User

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_createadmin_uses_the_environment(monkeypatch, client):
    monkeypatch.setenv("KEHU_ADMIN_USER", "boss")
    monkeypatch.setenv("KEHU_ADMIN_PASSWORD", "Zhongguo-crm-2026")

    output = run("createadmin")

    admin = User.objects.get(username="boss")
    assert admin.is_staff and admin.is_active and not admin.is_superuser
    assert [r.code for r in admin.roles] == ["admin"]
    assert "Zhongguo-crm-2026" not in output
    assert sign_in(client, "boss", "Zhongguo-crm-2026").status_code == 302


def test_createadmin_without_a_password_prints_a_random_one_once(monkeypatch, client):
    monkeypatch.delenv("KEHU_ADMIN_USER", raising=False)
    monkeypatch.delenv("KEHU_ADMIN_PASSWORD", raising=False)

    output = run("createadmin")

    password = re.search(r"username: admin\s+password: (\S+)", output).group(1)
    assert len(password) >= 12
    assert sign_in(client, "admin", password).status_code == 302
    assert client.get("/settings/").status_code == 200


def test_createadmin_twice_changes_nothing(monkeypatch):
    monkeypatch.delenv("KEHU_ADMIN_USER", raising=False)
    monkeypatch.delenv("KEHU_ADMIN_PASSWORD", raising=False)
    first = run("createadmin")
    password_hash = User.objects.get(username="admin").password

    second = run("createadmin")

    assert "password" in first
    assert "password" not in second
    assert "nothing to do" in second
    assert User.objects.count() == 1
    assert User.objects.get(username="admin").password == password_hash


def test_createadmin_refuses_a_weak_password_naming_the_variable(monkeypatch):
    monkeypatch.setenv("KEHU_ADMIN_PASSWORD", "123")

    with pytest.raises(CommandError, match="KEHU_ADMIN_PASSWORD"):
        run("createadmin")

    assert not User.objects.exists()


def test_demo_if_empty_loads_an_organisation_once():
    # When the demo is loaded into an empty database
    output = run("demo", "--if-empty")

    # Then there is a company tree with people in it, each with a password shown once
    assert Department.objects.filter(parent=None).count() == 1
    assert Department.objects.count() >= 6
    managers = User.objects.filter(reports__isnull=False).distinct()
    assert managers.exists()
    assert "wang.jl" in output and "Demo data loaded." in output
    users, departments = User.objects.count(), Department.objects.count()

    # When it is asked again
    again = run("demo", "--if-empty")

    # Then nothing is added
    assert "already present" in again
    assert (User.objects.count(), Department.objects.count()) == (users, departments)


def test_demo_if_empty_leaves_an_existing_organisation_alone():
    from kehu.core.testing import make_department

    make_department("我们公司")

    run("demo", "--if-empty")

    assert list(Department.objects.values_list("name", flat=True)) == ["我们公司"]


def test_demo_people_can_sign_in_with_the_printed_password(client):
    output = run("demo", "--if-empty")

    password = re.search(r"zhang\.wei\s+\S+\s+\S+\s+(\S+)", output).group(1)
    assert sign_in(client, "zhang.wei", password).status_code == 302


def test_demo_gives_the_reps_customers_to_work_with():
    from kehu.customers.models import Customer

    run("demo", "--if-empty")

    owners = set(Customer.objects.values_list("owner__username", flat=True))
    assert Customer.objects.filter(kind="enterprise").count() >= 10
    assert Customer.objects.filter(kind="individual").exists()
    assert owners == {"zhang.wei", "chen.jing", "liu.yang"}
