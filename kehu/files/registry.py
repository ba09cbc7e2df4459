"""Which models may own attachments, and how to read one for a user.

An app declares its owner models in its AppConfig.ready:

    from kehu.files.registry import register_owner
    register_owner(FollowupRecord)                       # read through scope() (rule 3)
    register_owner(Task, get=lambda user, pk, action: selectors.task_get(
        user=user, task_id=pk, action=action))           # or through the app's own selector

Either way it is the one mechanism of DESIGN.md rule 3: an attachment is seen by whoever may
see its owner (else NotFound, 404), changed by whoever may change it (else PermissionDenied,
403). Without `get`, the model's scope_module and scope_owner_field decide, as for any
scoped list.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model
from django.utils.translation import gettext

from kehu.accounts.scoping import CHANGE, VIEW, permits, scope
from kehu.core.errors import NotFound, PermissionDenied

OwnerGet = Callable[[object, int, str], Model]


@dataclass(frozen=True)
class Owner:
    model: type[Model]
    get: OwnerGet


OWNERS: dict[str, Owner] = {}


def _scoped_get(model: type[Model]) -> OwnerGet:
    def get(user, owner_id: int, action: str) -> Model:
        try:
            obj = scope(model.objects.all(), user, VIEW).get(pk=owner_id)
        except (model.DoesNotExist, ValueError, TypeError):
            raise NotFound("记录不存在") from None
        if action != VIEW and not permits(user, obj, action):
            raise PermissionDenied(gettext("没有修改该记录的权限"))
        return obj

    return get


def register_owner(model: type[Model], *, get: OwnerGet | None = None) -> None:
    """Let `model`'s records own attachments; `get(user, pk, action)` returns the record if
    the user may see it (NotFound otherwise) and may do `action` to it (PermissionDenied)."""
    if get is None and not hasattr(model, "scope_module"):
        raise ValueError(f"{model.__name__} has no scope_module: pass get=")
    OWNERS[owner_label(model)] = Owner(model, get or _scoped_get(model))


def owner_label(model_or_obj) -> str:
    """ "app_label.model", as the API names an owner type ("customers.customer")."""
    return model_or_obj._meta.label_lower


def owner_get(*, user, owner_type: str, owner_id: int, action: str = VIEW) -> Model:
    owner = OWNERS.get(owner_type)
    if owner is None:
        raise NotFound("记录不存在")
    return owner.get(user, owner_id, action)


def may_change(*, user, owner: Model) -> bool:
    """Whether `user` may add and delete the attachments of `owner` (already read for them),
    decided by the same `get` as every other access to it."""
    try:
        OWNERS[owner_label(owner)].get(user, owner.pk, CHANGE)
    except (NotFound, PermissionDenied):
        return False
    return True
