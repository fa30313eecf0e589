from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县/区")
    TOWNSHIP = 4, _("乡镇/街道")
    VILLAGE = 5, _("村/居委会")


# National statistical division codes have a fixed length per level.
CODE_LENGTH_LEVEL = {
    2: Level.PROVINCE,
    4: Level.CITY,
    6: Level.COUNTY,
    9: Level.TOWNSHIP,
    12: Level.VILLAGE,
}


class RegionClass(models.Model):
    """A class of units with their own parameters and rankings (分类指导).

    For example 街道 / 平原镇 / 山区乡.
    """

    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = _("地区类别")

    def __str__(self) -> str:
        return self.name


class OrgUnit(models.Model):
    """An administrative division: 省 → 市 → 县/区 → 乡镇/街道 → 村/居委会.

    ``path`` is the chain of codes from the root, each followed by "/" (for
    example ``33/3310/331003/``), so everything under a unit is one indexed
    range query (see :func:`subtree_q`).
    """

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    path = models.CharField(max_length=255, unique=True)
    region_class = models.ForeignKey(
        RegionClass,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("地区类别"),
    )
    closed_on = models.DateField(_("撤销日期"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("并入单位"),
    )

    class Meta:
        ordering = ["path"]
        verbose_name = _("行政区划")
        indexes = [models.Index(fields=["level", "path"]), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def ancestor_codes(self) -> list[str]:
        return [code for code in self.path.split("/") if code][:-1]

    def is_within(self, other: OrgUnit) -> bool:
        """True when this unit is ``other`` or lies anywhere below it."""
        return self.path.startswith(other.path)


def path_upper_bound(path: str) -> str:
    # Paths end in "/" (0x2F); "0" (0x30) is the next character, so every path
    # that starts with ``path`` sorts in [path, path[:-1] + "0"). A range scan
    # uses the B-tree index on both SQLite and PostgreSQL, unlike LIKE 'x%'.
    return path[:-1] + "0"


def is_unit_code(code: str) -> bool:
    """Whether ``code`` can be a division code at all (up to 12 ASCII digits).
    Anything else names no unit and is not sent to the database: PostgreSQL
    refuses text with NUL bytes outright."""
    return 0 < len(code) <= 12 and code.isascii() and code.isdigit()


def subtree_q(path: str, prefix: str = "") -> Q:
    """A filter for every unit at or below the unit with ``path``.

    ``prefix`` names the relation to OrgUnit, e.g. ``"home_unit__"``.
    """
    return Q(**{f"{prefix}path__gte": path, f"{prefix}path__lt": path_upper_bound(path)})
