"""Two ways to keep long id lists cheap on the hot paths (search candidates, their pages).

- `field__in_ids=[…]` (the `InIds` lookup, registered on every field and relation by
  CoreConfig) sends the ids as one parameter, an array on PostgreSQL and a JSON array on
  SQLite, where `__in` makes a placeholder per id: for a thousand ids Django prepared each one
  (a few thousand calls), psycopg parsed each placeholder and PostgreSQL parsed a thousand
  literals, several milliseconds before the query ran.
- `one_of(field, ids)` is the condition for a short list of ids that an index should serve in
  order (a scope's owners: scoping.scope and the list's parts): it picks the form each planner
  reads best.
- `column(qs)` reads a one-column queryset with the cursor's own fetch, without the ORM's
  row-by-row iteration: for values that need no conversion (ids).
"""

import json

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Lookup, Q, QuerySet


class InIds(Lookup):
    """`field IN (ids)` with the ids as one parameter (ints only)."""

    lookup_name = "in_ids"
    prepare_rhs = False  # the list as it is: the field would prepare it as one value

    def as_sql(self, compiler, connection):
        ids = [int(i) for i in self.rhs]
        if not ids:
            raise EmptyResultSet  # as `__in=[]`: nothing matches
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, ids]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(ids)]


def one_of(field: str, ids: list[int]) -> Q:
    """`field` among `ids`. One id is an equality: an index led by the field then serves the
    sort after it (PostgreSQL does not see through a one-element array, and a rep's list by
    name took 100 ms). Several are one array on PostgreSQL, which plans `= ANY(array)` as an
    IN list; SQLite keeps the IN list, which it reads value by value from an index in order
    (over json_each it would sort the rows)."""
    if len(ids) == 1:
        return Q(**{field: ids[0]})
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__in_ids": ids})
    return Q(**{f"{field}__in": ids})


def column(qs: QuerySet) -> list:
    """The values of a one-column `values_list(…, flat=True)` queryset whose values need no
    conversion from the database (integers), fetched by the cursor in one go."""
    try:
        sql, params = qs.query.get_compiler(qs.db).as_sql()
    except EmptyResultSet:
        return []
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
