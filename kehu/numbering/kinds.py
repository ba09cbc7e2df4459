"""The kinds of numbers the product hands out (客户编号; orders and tickets later), registered by
their apps from AppConfig.ready:

    register_kind(NumberKind("customers", _("客户编号"), "customers.Customer", "number",
                             default=settings.KEHU_CUSTOMER_NUMBER_PATTERN))

`field` is the unique column the numbers go into: a new number is checked against it, so a
pattern changed in 设置 can never hand out a number that is already taken.
"""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class NumberKind:
    key: str
    label: str  # lazy
    model: str  # "app_label.Model"
    field: str
    default: str  # the pattern until an administrator sets one

    @property
    def model_class(self):
        return apps.get_model(self.model)

    @property
    def max_length(self) -> int:
        return self.model_class._meta.get_field(self.field).max_length


KINDS: dict[str, NumberKind] = {}


def register_kind(kind: NumberKind) -> None:
    KINDS[kind.key] = kind
