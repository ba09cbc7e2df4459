"""Audit writes. Called inside the caller's transaction so the record and its trail commit
together or not at all (DESIGN.md rule 4)."""

from kehu.audit.models import AuditEvent, FieldChange, RevealLog


def _target_type(target) -> str:
    return target._meta.label_lower


def audit_record(*, actor, action: str, target, data: dict | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=_target_type(target),
        target_id=str(target.pk),
        data=data or {},
    )


def field_changes_record(*, actor, target, changes: dict[str, tuple]) -> list[FieldChange]:
    """`changes` maps field name → (old, new) display strings."""
    rows = [
        FieldChange(
            actor=actor,
            target_type=_target_type(target),
            target_id=target.pk,
            field=field,
            old="" if old is None else str(old),
            new="" if new is None else str(new),
        )
        for field, (old, new) in changes.items()
    ]
    return FieldChange.objects.bulk_create(rows)


def reveal_record(*, actor, target, field: str) -> RevealLog:
    return RevealLog.objects.create(
        actor=actor, target_type=_target_type(target), target_id=target.pk, field=field
    )
