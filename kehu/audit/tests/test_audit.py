"""The audit trail is written beside the change and never rewritten."""

import pytest
from django.db import transaction

from kehu.accounts.models import Department
from kehu.audit.models import AuditEvent, FieldChange, RevealLog
from kehu.audit.services import audit_record, field_changes_record, reveal_record
from kehu.core.testing import make_department, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def hq():
    return make_department("总部")


def test_audit_record_names_actor_action_and_target(hq):
    actor = make_user("li.na", hq)

    event = audit_record(
        actor=actor, action="department.rename", target=hq, data={"name": "总公司"}
    )

    event.refresh_from_db()
    assert (event.actor, event.action, event.target_type, event.target_id) == (
        actor,
        "department.rename",
        "accounts.department",
        str(hq.pk),
    )
    assert event.data == {"name": "总公司"}
    assert event.at is not None


def test_tasks_are_recorded_without_an_actor(hq):
    event = audit_record(actor=None, action="task.run", target=hq)

    assert event.actor is None
    assert event.data == {}


def test_events_cannot_be_changed_or_deleted(hq):
    event = audit_record(actor=None, action="department.create", target=hq)

    event.action = "nothing.happened"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "department.create"


def test_audit_rolls_back_with_the_change(hq):
    with pytest.raises(RuntimeError), transaction.atomic():
        department = Department.objects.create(name="临时", parent=hq)
        audit_record(actor=None, action="department.create", target=department)
        raise RuntimeError("the write failed")

    assert not AuditEvent.objects.filter(
        action="department.create", target_id=str(department.pk)
    ).exists()


def test_field_changes_are_recorded_as_text(hq):
    actor = make_user("li.na", hq)

    rows = field_changes_record(
        actor=actor, target=hq, changes={"name": ("总部", "总公司"), "manager": (None, actor)}
    )

    assert len(rows) == 2
    saved = {c.field: (c.old, c.new) for c in FieldChange.objects.filter(target_id=hq.pk)}
    assert saved == {"name": ("总部", "总公司"), "manager": ("", "li.na")}


def test_reveal_is_logged(hq):
    viewer = make_user("li.na", hq)

    reveal_record(actor=viewer, target=hq, field="mobile")

    log = RevealLog.objects.get()
    assert (log.actor, log.target_type, log.target_id, log.field) == (
        viewer,
        "accounts.department",
        hq.pk,
        "mobile",
    )
    with pytest.raises(RuntimeError):
        log.delete()
