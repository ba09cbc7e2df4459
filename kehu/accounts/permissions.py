"""What a role may do, as the 角色 settings page shows it: a matrix of the permissions the product
actually checks, in words people use (查看, 新增, 修改, 删除, 查看完整联系方式 …).

Django creates four permissions per model, most of which nothing checks (search keys, number
counters); listing them all, named "Can view 搜索键", would be neither readable nor true. So each
app declares the rows it checks, from its AppConfig.ready:

    register_permission_row("customers.customer", _("客户"), order=10, permissions=[
        ("customers.reveal_pii", _("查看完整联系方式")),
        ("customers.transfer_customer", _("转移负责人")),
    ])

A permission whose codename starts with view_/add_/change_/delete_ goes in that column of the
matrix; any other is listed by its label under 其他.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _

# The matrix's columns, by codename prefix.
VERBS = [("view", _("查看")), ("add", _("新增")), ("change", _("修改")), ("delete", _("删除"))]
VERB_PREFIXES = tuple(f"{verb}_" for verb, _label in VERBS)


@dataclass(frozen=True)
class PermissionRow:
    key: str
    label: str  # lazy
    order: int
    permissions: tuple[tuple[str, str], ...]  # ("app_label.codename", label)


ROWS: dict[str, PermissionRow] = {}


def register_permission_row(key: str, label, *, order: int, permissions: list) -> None:
    ROWS[key] = PermissionRow(key, label, order, tuple(permissions))


def _verb(full_name: str) -> str | None:
    codename = full_name.split(".", 1)[1]
    for verb, _label in VERBS:
        if codename.startswith(f"{verb}_"):
            return verb
    return None


def matrix(granted: set[str]) -> list[dict]:
    """The rows of the matrix, each with a cell per verb (None where the row has no such
    permission) and its other permissions, every permission marked whether `granted` holds it."""
    rows = []
    for row in sorted(ROWS.values(), key=lambda r: (r.order, r.key)):
        cells = dict.fromkeys(verb for verb, _label in VERBS)
        others = []
        for name, label in row.permissions:
            entry = {"name": name, "label": label, "granted": name in granted}
            verb = _verb(name)
            if verb:
                cells[verb] = entry
            else:
                others.append(entry)
        rows.append(
            {
                "key": row.key,
                "label": row.label,
                "cells": [cells[verb] for verb, _label in VERBS],
                "others": others,
            }
        )
    return rows


def listed_names() -> set[str]:
    """Every permission the matrix offers, as "app_label.codename"."""
    return {name for row in ROWS.values() for name, _label in row.permissions}


def permissions_named(names) -> list[Permission]:
    """The Permission rows for "app_label.codename" names (unknown names are left out)."""
    wanted = {tuple(name.split(".", 1)) for name in names if "." in name}
    if not wanted:
        return []
    apps = {app for app, _codename in wanted}
    candidates = Permission.objects.filter(content_type__app_label__in=apps).select_related(
        "content_type"
    )
    return [p for p in candidates if (p.content_type.app_label, p.codename) in wanted]


def granted_names(role) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in role.permissions.select_related("content_type")
    }
