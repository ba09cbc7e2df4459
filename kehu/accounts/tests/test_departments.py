import pytest

from kehu.accounts.services import department_create
from kehu.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_two_top_level_departments_cannot_share_a_name():
    department_create(name="总部", parent=None, actor=None)

    with pytest.raises(ValidationFailed) as caught:
        department_create(name="总部", parent=None, actor=None)

    assert caught.value.errors[0]["message"] == "已有同名的顶级部门"


def test_sibling_departments_cannot_share_a_name_but_cousins_can():
    hq = department_create(name="总部", parent=None, actor=None)
    east = department_create(name="华东", parent=hq, actor=None)
    north = department_create(name="华北", parent=hq, actor=None)
    department_create(name="销售部", parent=east, actor=None)
    department_create(name="销售部", parent=north, actor=None)

    with pytest.raises(ValidationFailed) as caught:
        department_create(name="销售部", parent=east, actor=None)

    assert caught.value.errors[0]["message"] == "同一上级下已有同名部门"
