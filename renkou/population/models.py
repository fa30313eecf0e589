"""Population by five-year age group and sex, per unit and year.

One row per unit and year holds both sexes as two lists of 18 counts
(0–4, 5–9, …, 80–84, 85+): a province's 25,547 villages are 25,547 rows,
read in one query. ``women_15_49``, ``under_3`` and ``total`` are kept beside
the lists so that other apps (the targets cascade, dashboards) read them
without decoding anything. The figures describe the population at the end of
the year (31 December), which is the start of the next year's projection.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renkou.orgunits.models import OrgUnit

GROUP_STARTS: tuple[int, ...] = tuple(range(0, 90, 5))
GROUP_COUNT = len(GROUP_STARTS)
# Indices of the groups 15–19 … 45–49.
WOMEN_15_49 = slice(3, 10)


def group_label(index: int) -> str:
    start = GROUP_STARTS[index]
    return f"{start}+" if index == GROUP_COUNT - 1 else f"{start}–{start + 4}"


GROUP_LABELS: tuple[str, ...] = tuple(group_label(i) for i in range(GROUP_COUNT))


class StructureSource(models.TextChoices):
    IMPORTED = "imported", _("Excel导入")
    DEMO = "demo", _("演示数据")
    API = "api", _("接口写入")


class PopulationStructure(models.Model):
    orgunit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    # 18 whole numbers each, youngest group first.
    male = models.JSONField(_("男性分年龄组人数"))
    female = models.JSONField(_("女性分年龄组人数"))
    total = models.PositiveIntegerField(_("总人口"))
    women_15_49 = models.PositiveIntegerField(_("育龄妇女（15–49岁）"))
    # Estimated from the 0–4 group (three fifths of it): the age group is the
    # finest the data set holds.
    under_3 = models.PositiveIntegerField(_("3岁以下儿童"))
    source = models.CharField(_("来源"), max_length=10, choices=StructureSource.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = ["year", "orgunit__path"]
        verbose_name = _("人口年龄性别结构")
        constraints = [
            models.UniqueConstraint(fields=["orgunit", "year"], name="population_structure_unique")
        ]
        indexes = [models.Index(fields=["year", "orgunit"])]

    def __str__(self) -> str:
        return f"{self.year} {self.orgunit_id}"


def derived_figures(male: list[int], female: list[int]) -> dict[str, int]:
    """The stored totals of one row, from its two lists."""
    return {
        "total": sum(male) + sum(female),
        "women_15_49": sum(female[WOMEN_15_49]),
        "under_3": round(0.6 * (male[0] + female[0])),
    }
