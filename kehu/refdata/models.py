"""Static national reference data, loaded by migration from the CSV files in data/.

Rows are keyed by their official codes so that other tables can point at them with a readable
foreign key (customer.region_id == "310115") and exports need no join to show the code.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.language import localized
from kehu.refdata.choices import IndustryLevel, RegionLevel


class EnglishNames:
    """Reference data with an English name beside the Chinese one (name_en, full_name_en),
    shown in the request's language."""

    def __str__(self):
        return self.full_label

    @property
    def label(self) -> str:
        return localized(self.name, self.name_en)

    @property
    def full_label(self) -> str:
        return localized(self.full_name, self.full_name_en)


class Region(EnglishNames, models.Model):
    """An administrative division (行政区划) per GB/T 2260: province, city or district.

    Municipalities (北京/天津/上海/重庆) and provinces with directly-administered counties have a
    placeholder city level (市辖区, 县, 省直辖县级行政区划); it keeps its code so the tree stays
    regular, while `full_name` leaves it out: "上海市-浦东新区", not "上海市-市辖区-浦东新区".
    """

    code = models.CharField(_("代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.PositiveSmallIntegerField(_("级别"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    full_name = models.CharField(_("全称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    full_name_en = models.CharField(
        _("英文全称"), max_length=200, blank=True, help_text="Nanshan District, Shenzhen, Guangdong"
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=RegionLevel.PROVINCE, parent__isnull=True)
                | models.Q(level__gt=RegionLevel.PROVINCE, parent__isnull=False),
                name="region_only_provinces_have_no_parent",
            ),
        ]


class Industry(EnglishNames, models.Model):
    """An industry of 国民经济行业分类 GB/T 4754-2017: a section (门类, "C") or a division
    (大类, "35"); the finer groups and classes are not needed to describe a customer."""

    code = models.CharField(_("代码"), max_length=2, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("级别"), max_length=10, choices=IndustryLevel.choices)
    section = models.ForeignKey(
        "self",
        verbose_name=_("门类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="divisions",
        limit_choices_to={"level": IndustryLevel.SECTION},
    )
    full_name = models.CharField(_("全称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    full_name_en = models.CharField(_("英文全称"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("行业")
        verbose_name_plural = _("行业")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=IndustryLevel.SECTION, section__isnull=True)
                | models.Q(level=IndustryLevel.DIVISION, section__isnull=False),
                name="industry_division_has_section",
            ),
        ]
