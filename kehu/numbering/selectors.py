"""What 设置 › 编号规则 shows: each registered kind with its pattern and the next number."""

from kehu.numbering.kinds import KINDS
from kehu.numbering.models import NumberPattern
from kehu.numbering.services import preview


def pattern_for(kind_key: str) -> str:
    row = NumberPattern.objects.filter(kind=kind_key).first()
    return (row.pattern if row else "") or KINDS[kind_key].default


def kind_rows() -> list[dict]:
    saved = {row.kind: row for row in NumberPattern.objects.select_related("updated_by")}
    rows = []
    for kind in KINDS.values():
        row = saved.get(kind.key)
        pattern = (row.pattern if row else "") or kind.default
        rows.append(
            {
                "kind": kind,
                "pattern": pattern,
                "next": preview(kind.key, pattern),
                "updated_at": row.updated_at if row and row.updated_by_id else None,
                "updated_by": row.updated_by if row else None,
            }
        )
    return rows
