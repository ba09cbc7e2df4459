"""What other apps add to a customer write, registered the way timeline sources are.

customers knows no app that builds on it: the duplicate module (kehu.dedup) registers its guard
(a check that may refuse a write) and its keys (kept after every write) here, in its
AppConfig.ready, and the services run whatever is registered.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from kehu.customers.models import Customer


@dataclass
class CustomerWrite:
    """A write to a customer or one of its contacts, as registered hooks see it.

    Checks run before the save (`customer` carries the new values; on create it has no pk yet);
    saved hooks run after it. `notes` carries what a check learned to its saved hook (the
    candidates a person chose to create anyway, to be remembered once the customer exists).
    """

    customer: Customer
    actor: object
    action: str  # "create", "update", "contact" (a contact added or changed), "contact_delete"
    mobiles: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    changed: frozenset[str] = frozenset()
    allow_similar: bool = False  # "create anyway" for a probable duplicate
    override_reason: str = ""  # why a strong warning (a shared phone or email) is overridden
    notes: dict = field(default_factory=dict)


WriteHook = Callable[[CustomerWrite], None]
WRITE_CHECKS: list[WriteHook] = []
WRITE_SAVED: list[WriteHook] = []


def write_check(hook: WriteHook) -> WriteHook:
    """Register a check run before every customer write; it refuses by raising a DomainError."""
    WRITE_CHECKS.append(hook)
    return hook


def write_saved(hook: WriteHook) -> WriteHook:
    """Register a hook run after every customer write, inside its transaction."""
    WRITE_SAVED.append(hook)
    return hook


def run_checks(write: CustomerWrite) -> None:
    for check in WRITE_CHECKS:
        check(write)


def run_saved(write: CustomerWrite) -> None:
    for hook in WRITE_SAVED:
        hook(write)
