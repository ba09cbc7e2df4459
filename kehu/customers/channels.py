"""Source channels (来源渠道) as 设置 › 来源渠道 manages them: every write here (DESIGN.md rule 2),
audited. A channel customers point at is deactivated, not deleted, so their records keep it."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kehu.audit.services import audit_record
from kehu.core.errors import Conflict, full_clean
from kehu.customers.models import Customer, SourceChannel
from kehu.customers.normalize import clean_text

FIELDS = ("name", "name_en", "is_active")


def channel_list() -> list[SourceChannel]:
    """Every channel, inactive ones too, in the order the forms offer them."""
    return list(SourceChannel.objects.all())


@transaction.atomic
def source_channel_create(*, name: str, actor, name_en: str = "") -> SourceChannel:
    last = SourceChannel.objects.aggregate(last=Max("sort_order"))["last"]
    channel = SourceChannel(
        name=clean_text(name),
        name_en=clean_text(name_en),
        sort_order=0 if last is None else last + 1,
    )
    full_clean(channel)
    channel.save()
    audit_record(actor=actor, action="source_channel.create", target=channel, data={"name": name})
    return channel


@transaction.atomic
def source_channel_update(*, channel: SourceChannel, data: dict, actor) -> SourceChannel:
    changed = {}
    for field in FIELDS:
        if field in data:
            value = clean_text(data[field]) if isinstance(data[field], str) else data[field]
            if getattr(channel, field) != value:
                changed[field] = value
                setattr(channel, field, value)
    full_clean(channel)
    channel.save()
    audit_record(
        actor=actor,
        action="source_channel.update",
        target=channel,
        data={k: str(v) for k, v in changed.items()},
    )
    return channel


@transaction.atomic
def source_channel_move(*, channel: SourceChannel, offset: int, actor) -> None:
    """Move the channel `offset` places up (-1) or down (+1) in the list."""
    ordered = list(SourceChannel.objects.select_for_update().order_by("sort_order", "id"))
    index = next(i for i, c in enumerate(ordered) if c.pk == channel.pk)
    target = min(max(index + offset, 0), len(ordered) - 1)
    ordered.insert(target, ordered.pop(index))
    for order, row in enumerate(ordered):
        if row.sort_order != order:
            row.sort_order = order
            row.save(update_fields=["sort_order"])
    audit_record(
        actor=actor, action="source_channel.move", target=channel, data={"position": target + 1}
    )


@transaction.atomic
def source_channel_delete(*, channel: SourceChannel, actor) -> None:
    if Customer._base_manager.filter(source=channel).exists():
        raise Conflict(_("已有客户使用这个来源渠道，不能删除；可以停用它"))
    audit_record(
        actor=actor, action="source_channel.delete", target=channel, data={"name": channel.name}
    )
    channel.delete()
