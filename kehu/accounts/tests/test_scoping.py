"""Data scope (数据权限): which owners' records a user sees, per role, and the union of roles.

The organisation used throughout:

    总部 (boss)
    ├── 华东大区 (li.na, clerk)            li.na reports to boss
    │   └── 上海销售部 (zhang, chen, intern)  zhang, chen report to li.na; intern to zhang
    └── 华北大区 (liu)                      liu reports to boss
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Q

from kehu.accounts.choices import DataScope
from kehu.accounts.models import ApiToken, User
from kehu.accounts.scoping import can_see_owner, scope, visible_owner_ids
from kehu.core.testing import issue_token, make_department, make_role, make_user

pytestmark = pytest.mark.django_db

MODULE = "customers"


@pytest.fixture
def org():
    for data_scope in DataScope:
        make_role(f"scope_{data_scope.value}", data_scope)
    hq = make_department("总部")
    east = make_department("华东大区", hq)
    shanghai = make_department("上海销售部", east)
    north = make_department("华北大区", hq)
    boss = make_user("boss", hq)
    li = make_user("li.na", east, manager=boss)
    clerk = make_user("clerk", east)
    zhang = make_user("zhang", shanghai, manager=li)
    chen = make_user("chen", shanghai, manager=li)
    intern = make_user("intern", shanghai, manager=zhang)
    liu = make_user("liu", north, manager=boss)
    return {
        "hq": hq, "east": east, "shanghai": shanghai, "north": north,
        "boss": boss, "li": li, "clerk": clerk, "zhang": zhang, "chen": chen,
        "intern": intern, "liu": liu,
    }  # fmt: skip


def as_role(user, *scopes, module_scopes=None):
    """Give `user` one role per scope and return a fresh copy (scope results are cached per
    user object)."""
    for data_scope in scopes:
        code = f"scope_{data_scope.value}"
        if module_scopes:
            code = f"{code}_custom"
            make_role(code, data_scope, module_scopes)
        user.groups.add(*[r.group_ptr for r in _roles(code)])
    return User.objects.get(pk=user.pk)


def _roles(code):
    from kehu.accounts.models import Role

    return Role.objects.filter(code=code)


def ids(org, *names):
    return {org[name].pk for name in names}


def test_own_sees_only_self(org):
    zhang = as_role(org["zhang"], DataScope.OWN)

    assert visible_owner_ids(zhang, MODULE) == ids(org, "zhang")


def test_user_without_roles_sees_only_self(org):
    chen = User.objects.get(pk=org["chen"].pk)

    assert visible_owner_ids(chen, MODULE) == ids(org, "chen")


def test_own_and_reports_follows_the_reporting_line_two_levels_down(org):
    li = as_role(org["li"], DataScope.OWN_AND_REPORTS)

    # intern reports to zhang, who reports to li.na; clerk shares her department but not the line
    assert visible_owner_ids(li, MODULE) == ids(org, "li", "zhang", "chen", "intern")


def test_own_and_reports_of_someone_without_reports_is_self(org):
    intern = as_role(org["intern"], DataScope.OWN_AND_REPORTS)

    assert visible_owner_ids(intern, MODULE) == ids(org, "intern")


def test_reporting_cycle_does_not_loop_forever(org):
    # Given a data-entry mistake: li.na's manager is her own report
    User.objects.filter(pk=org["li"].pk).update(manager=org["zhang"])
    li = as_role(org["li"], DataScope.OWN_AND_REPORTS)

    assert visible_owner_ids(li, MODULE) == ids(org, "li", "zhang", "chen", "intern")


def test_department_sees_own_department_only(org):
    zhang = as_role(org["zhang"], DataScope.DEPARTMENT)
    li = as_role(org["li"], DataScope.DEPARTMENT)

    assert visible_owner_ids(zhang, MODULE) == ids(org, "zhang", "chen", "intern")
    assert visible_owner_ids(li, MODULE) == ids(org, "li", "clerk")


def test_department_tree_sees_all_departments_below(org):
    li = as_role(org["li"], DataScope.DEPARTMENT_TREE)
    boss = as_role(org["boss"], DataScope.DEPARTMENT_TREE)
    liu = as_role(org["liu"], DataScope.DEPARTMENT_TREE)

    assert visible_owner_ids(li, MODULE) == ids(org, "li", "clerk", "zhang", "chen", "intern")
    assert visible_owner_ids(boss, MODULE) == ids(
        org, "boss", "li", "clerk", "zhang", "chen", "intern", "liu"
    )
    assert visible_owner_ids(liu, MODULE) == ids(org, "liu")


def test_department_scope_without_a_department_is_self(org):
    loner = as_role(make_user("loner"), DataScope.DEPARTMENT_TREE)

    assert visible_owner_ids(loner, MODULE) == {loner.pk}


def test_whole_company_is_unrestricted(org):
    liu = as_role(org["liu"], DataScope.ALL)

    assert visible_owner_ids(liu, MODULE) is None


def test_nobody_is_a_superuser_roles_alone_decide(org):
    # Django's everything-allowed flag would act beside the roles, unseen in the API
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=org["liu"].pk).update(is_superuser=True)


def test_two_roles_give_the_union_of_their_scopes(org):
    # Given li.na is both a line manager (本人及下属) and a department member (本部门)
    li = as_role(org["li"], DataScope.OWN_AND_REPORTS, DataScope.DEPARTMENT)

    # Then she sees her reports and her department colleague, neither role alone does
    assert visible_owner_ids(li, MODULE) == ids(org, "li", "zhang", "chen", "intern", "clerk")


def test_union_with_whole_company_is_unrestricted(org):
    zhang = as_role(org["zhang"], DataScope.OWN, DataScope.ALL)

    assert visible_owner_ids(zhang, MODULE) is None


def test_module_scope_overrides_the_role_default(org):
    chen = as_role(org["chen"], DataScope.OWN, module_scopes={"tickets": DataScope.ALL})

    assert visible_owner_ids(chen, "tickets") is None
    assert visible_owner_ids(chen, MODULE) == ids(org, "chen")


def test_can_see_owner(org):
    li = as_role(org["li"], DataScope.OWN_AND_REPORTS)

    assert can_see_owner(li, org["intern"].pk, MODULE)
    assert not can_see_owner(li, org["liu"].pk, MODULE)
    assert not can_see_owner(li, None, MODULE)


# --- scope() on a concrete model: ApiToken owned by `user` stands in for a domain model ---------


@pytest.fixture
def scoped_tokens(monkeypatch, org):
    monkeypatch.setattr(ApiToken, "scope_module", "tokens", raising=False)
    monkeypatch.setattr(ApiToken, "scope_owner_field", "user", raising=False)
    return {name: ApiToken.objects.get(prefix=issue_token(org[name])[5:13]) for name in (
        "boss", "li", "clerk", "zhang", "chen", "intern", "liu")}  # fmt: skip


def owners(queryset):
    return set(queryset.values_list("user__username", flat=True))


def test_scope_filters_rows_to_visible_owners(org, scoped_tokens):
    li = as_role(org["li"], DataScope.OWN_AND_REPORTS)

    visible = scope(ApiToken.objects.all(), li, "view")

    assert owners(visible) == {"li.na", "zhang", "chen", "intern"}


@pytest.mark.parametrize(
    ("data_scope", "expected"),
    [
        (DataScope.OWN, {"zhang"}),
        (DataScope.OWN_AND_REPORTS, {"zhang", "intern"}),
        (DataScope.DEPARTMENT, {"zhang", "chen", "intern"}),
        (DataScope.DEPARTMENT_TREE, {"zhang", "chen", "intern"}),
        (DataScope.ALL, {"boss", "li.na", "clerk", "zhang", "chen", "intern", "liu"}),
    ],
)
def test_scope_for_each_data_scope(org, scoped_tokens, data_scope, expected):
    zhang = as_role(org["zhang"], data_scope)

    assert owners(scope(ApiToken.objects.all(), zhang, "change")) == expected


def test_scope_keeps_the_callers_filters(org, scoped_tokens):
    boss = as_role(org["boss"], DataScope.DEPARTMENT_TREE)

    visible = scope(ApiToken.objects.filter(user__department=org["shanghai"]), boss)

    assert owners(visible) == {"zhang", "chen", "intern"}


def test_scope_uses_the_module_of_the_model(org, scoped_tokens):
    liu = as_role(org["liu"], DataScope.OWN, module_scopes={"tokens": DataScope.ALL})

    assert scope(ApiToken.objects.all(), liu).count() == 7


def test_shared_rows_are_visible_but_not_changeable(org, scoped_tokens, monkeypatch):
    # Given the model shares rows named "shared" with everyone
    ApiToken.objects.filter(pk=scoped_tokens["liu"].pk).update(name="shared")
    monkeypatch.setattr(
        ApiToken, "scope_shared_q", classmethod(lambda cls, user: Q(name="shared")), raising=False
    )
    chen = as_role(org["chen"], DataScope.OWN)

    assert owners(scope(ApiToken.objects.all(), chen, "view")) == {"chen", "liu"}
    assert owners(scope(ApiToken.objects.all(), chen, "change")) == {"chen"}


def test_inactive_and_anonymous_users_see_nothing(org, scoped_tokens):
    as_role(org["boss"], DataScope.ALL)
    User.objects.filter(pk=org["boss"].pk).update(is_active=False)
    boss = User.objects.get(pk=org["boss"].pk)

    assert not scope(ApiToken.objects.all(), boss).exists()
    assert not scope(ApiToken.objects.all(), AnonymousUser()).exists()
    assert not scope(ApiToken.objects.all(), None).exists()


def test_unknown_action_is_refused(org, scoped_tokens):
    with pytest.raises(ValueError, match="delete"):
        scope(ApiToken.objects.all(), org["boss"], "delete")


def test_scope_costs_a_bounded_number_of_queries(org, scoped_tokens, django_assert_max_num_queries):
    li = as_role(org["li"], DataScope.DEPARTMENT_TREE)

    with django_assert_max_num_queries(4):
        list(scope(ApiToken.objects.all(), li))
    # The owner ids are cached on the user object for the rest of the request.
    with django_assert_max_num_queries(1):
        list(scope(ApiToken.objects.all(), li))
