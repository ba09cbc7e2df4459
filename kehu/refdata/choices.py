from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省级")
    CITY = 2, _("地级")
    DISTRICT = 3, _("县级")


class IndustryLevel(models.TextChoices):
    SECTION = "section", _("门类")
    DIVISION = "division", _("大类")
