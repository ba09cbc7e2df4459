"""The duplicate guard and keys, registered with the customer services (kehu.customers.hooks)
from DedupConfig.ready: customers knows nothing of this module.

Before a write: a create is checked against everything (identifying keys and names), an edit of
a credit code, mobile or email and a contact's mobile or email against the identifying keys.
A blocking match refuses the write (409 `duplicate`); a shared phone or email under a warning
policy needs a reason (409 `duplicate_warning`); a probable duplicate needs "create anyway"
(409 `similar_name`, `allow_similar`). After the write: the keys follow, and what a person chose
to create anyway is remembered as pairwise decisions (services.decisions_record).
"""

from django.utils.translation import gettext as _

from kehu.core.errors import Conflict, ErrorCode
from kehu.customers.hooks import CustomerWrite, write_check, write_saved
from kehu.dedup import keys
from kehu.dedup.choices import DecisionSource, MatchLevel
from kehu.dedup.matching import find_matches
from kehu.dedup.selectors import policy, present_matches

IDENTIFYING_FIELDS = {"uscc", "mobile", "email"}


class DuplicateFound(Conflict):
    """A credit code, or a phone or email under the blocking policy, belongs to another
    customer."""

    code = ErrorCode.DUPLICATE


class DuplicateWarning(Conflict):
    """A phone or email under the warning policy belongs to another customer: resend with
    override_reason to proceed (audited)."""

    code = "duplicate_warning"


class SimilarFound(Conflict):
    """A probable duplicate (相似度 at or above the threshold): resend with allow_similar."""

    code = "similar_name"


def _checked(write: CustomerWrite) -> bool:
    """Whether the write can make a duplicate: a create, or a new credit code, phone or email."""
    if write.action == "update":
        return bool(write.changed & IDENTIFYING_FIELDS)
    if write.action == "contact":
        return any([*write.mobiles, *write.emails])
    return write.action == "create"


def _matches(write: CustomerWrite):
    customer = write.customer
    if not _checked(write):
        return []
    return find_matches(
        kind=customer.kind,
        name=customer.name,
        uscc=customer.uscc,
        mobiles=[m for m in write.mobiles if m],
        emails=[e for e in write.emails if e],
        region_code=customer.region_id,
        exclude_id=customer.pk,
        similar=write.action == "create",
        policy=policy(user=write.actor),
    )


@write_check
def duplicate_guard(write: CustomerWrite) -> None:
    matches = [m for m in _matches(write) if m.level != MatchLevel.RELATED]
    by_level = {level: [m for m in matches if m.level == level] for level in MatchLevel.values}
    user = write.actor
    if by_level[MatchLevel.BLOCK]:
        shown = present_matches(user=user, matches=by_level[MatchLevel.BLOCK])
        raise DuplicateFound(
            _("已存在相同客户：%(label)s（负责人：%(owner)s）")
            % {"label": shown[0]["label"], "owner": shown[0]["owner"]},
            extra={"candidates": shown},
        )
    confirm, warn = by_level[MatchLevel.CONFIRM], by_level[MatchLevel.WARN]
    if confirm and not write.override_reason:
        raise DuplicateWarning(
            _("手机号或邮箱与已有客户相同；确认不是同一客户请填写原因后再保存"),
            errors=[{"field": "override_reason", "message": _("请填写原因")}],
            extra={"candidates": present_matches(user=user, matches=confirm + warn)},
        )
    if warn and not (write.allow_similar or write.override_reason):
        raise SimilarFound(
            _("存在疑似重复的客户，确认不是同一客户后可继续创建"),
            extra={"candidates": present_matches(user=user, matches=warn)},
        )
    write.notes["dedup"] = confirm + warn


@write_saved
def duplicate_keys(write: CustomerWrite) -> None:
    from kehu.dedup.services import decisions_record

    keys.reindex(write.customer, new=write.action == "create")
    allowed = write.notes.get("dedup")
    if allowed:
        decisions_record(
            customer=write.customer,
            matches=allowed,
            actor=write.actor,
            source=DecisionSource.OVERRIDE if write.override_reason else DecisionSource.ENTRY,
            reason=write.override_reason,
        )
