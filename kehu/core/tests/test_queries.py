"""`__in_ids` and `column`: the same rows as `__in` and a values list, on both databases."""

import pytest
from django.db import connection
from django.db.models import Q

from kehu.accounts.models import User
from kehu.core.queries import column, one_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return User.objects.bulk_create([User(username=f"u{n}") for n in range(30)])


def test_in_ids_selects_the_same_rows_as_in(users):
    wanted = [u.pk for u in users[::3]] + [10**9]  # one id that does not exist

    found = set(User.objects.filter(pk__in_ids=wanted).values_list("pk", flat=True))

    assert found == set(User.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert found == {u.pk for u in users[::3]}


def test_in_ids_sends_the_ids_as_one_parameter(users):
    sent = []

    def capture(execute, sql, params, many, context):
        sent.append(params)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        found = list(User.objects.filter(pk__in_ids=[u.pk for u in users]))

    assert len(found) == len(users)
    assert len(sent) == 1 and len(sent[0]) == 1


def test_in_ids_of_nothing_matches_nothing_and_leaves_an_or_alone(users):
    assert not User.objects.filter(pk__in_ids=[]).exists()

    either = User.objects.filter(Q(pk__in_ids=[]) | Q(username="u1"))

    assert list(either.values_list("username", flat=True)) == ["u1"]


def test_in_ids_takes_only_integers(users):
    with pytest.raises(ValueError):
        list(User.objects.filter(pk__in_ids=["1; DROP TABLE accounts_user"]))


def test_column_reads_a_values_list(users):
    qs = User.objects.filter(username__in=["u3", "u4"]).order_by("pk")

    assert column(qs.values_list("pk", flat=True)) == [users[3].pk, users[4].pk]
    assert column(qs.none().values_list("pk", flat=True)) == []


def test_one_of_a_single_id_is_an_equality(users):
    # An index led by the field serves the sort after it only under equality (a rep's list)
    qs = User.objects.filter(one_of("pk", [users[0].pk])).order_by("username")

    assert list(qs) == [users[0]]
    assert "IN" not in str(qs.query) and "ANY" not in str(qs.query)


def test_one_of_several_ids_selects_them(users):
    wanted = [users[1].pk, users[2].pk, users[5].pk]

    found = User.objects.filter(one_of("pk", wanted)).values_list("pk", flat=True)

    assert sorted(found) == wanted
