"""The figures a cascade splits by, and the note that explains each unit's part."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from renkou.orgunits.models import OrgUnit
from renkou.population import selectors as population_selectors
from renkou.targets.access import TargetError
from renkou.targets.figures import YEAR_ROW, series
from renkou.targets.models import CascadeBasis


def _missing(children: Sequence[OrgUnit], found: dict[int, Decimal]) -> str:
    names = [c.name for c in children if c.pk not in found]
    more = f"等{len(names)}个单位" if len(names) > 3 else ""
    return "、".join(names[:3]) + more


def _year_values(code: str, year: int, ids: list[int]) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for unit_id, column in series(code, year, ids).items():
        number = float(column[YEAR_ROW])
        if not math.isnan(number):
            out[unit_id] = Decimal(repr(number))
    return out


def _latest_values(code: str, year: int, ids: list[int]) -> tuple[dict[int, Decimal], int]:
    """The latest month of ``year`` in which every unit has a value, and that month."""
    columns = series(code, year, ids)
    for month in range(12, 0, -1):
        found = {
            unit_id: Decimal(repr(float(column[month - 1])))
            for unit_id, column in columns.items()
            if not math.isnan(float(column[month - 1]))
        }
        if len(found) == len(ids):
            return found, month
    return {}, 0


def weights(basis: str, year: int, children: Sequence[OrgUnit]) -> tuple[dict[int, Decimal], str]:
    """Per child the figure the target is split by, and a label naming it.

    Population is the previous year's year-end figure, or else the latest
    month of the target year in which every unit reported. A basis whose data
    is missing for any unit is refused, naming the units.
    """
    ids = [c.pk for c in children]
    if basis == CascadeBasis.EQUAL:
        return {}, "平均分配"
    if basis == CascadeBasis.POPULATION:
        found: dict[int, Decimal] = {}
        for data_year in (year - 1, year):
            found, month = _latest_values("population", data_year, ids)
            if found:
                when = f"{data_year}年末" if month == 12 else f"{data_year}年{month}月末"
                return found, f"{when}常住人口"
        raise TargetError(
            f"缺少常住人口数据（{_missing(children, found)}），无法按人口分解；请改用其他依据。"
        )
    if basis == CascadeBasis.LAST_YEAR_BIRTHS:
        found = _year_values("births", year - 1, ids)
        if len(found) == len(ids):
            return found, f"{year - 1}年出生人数"
        raise TargetError(
            f"缺少{year - 1}年出生数据（{_missing(children, found)}），"
            "无法按上年出生数分解；请改用其他依据。"
        )
    if basis == CascadeBasis.WOMEN_15_49:
        for data_year in (year, year - 1):
            counts = population_selectors.women_15_49(data_year, ids)
            found = {k: Decimal(v) for k, v in counts.items() if k in set(ids)}
            if len(found) == len(ids):
                return found, f"{data_year}年育龄妇女（15–49岁）人数"
        raise TargetError(
            "缺少育龄妇女（15–49岁）人数数据，无法按育龄妇女分解；"
            "请先在人口结构中导入数据，或改用其他依据。"
        )
    raise TargetError("分解依据无效。")


SELF_WORDS = (
    ("社区居委会", "本社区"),
    ("居委会", "本社区"),
    ("社区", "本社区"),
    ("村委会", "本村"),
    ("村", "本村"),
    ("街道", "本街道"),
    ("镇", "本镇"),
    ("乡", "本乡"),
)
WHOLE_WORDS = (("街道", "全街道"), ("镇", "全镇"), ("乡", "全乡"), ("区", "全区"), ("县", "全县"))


def _word(name: str, table: tuple[tuple[str, str], ...], default: str) -> str:
    for ending, word in table:
        if name.endswith(ending):
            return word
    return default


def percent(share: Fraction) -> str:
    value = Decimal(share.numerator) / Decimal(share.denominator) * 100
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def note(
    basis: str,
    label: str,
    parent: OrgUnit,
    child: OrgUnit,
    weight: Decimal | None,
    share: Fraction,
) -> str:
    """One line such as "按2025年末常住人口分解：本村1,234人，占全镇3.1%"."""
    me = _word(child.name, SELF_WORDS, "本单位")
    whole = _word(parent.name, WHOLE_WORDS, "上级")
    if basis == CascadeBasis.EQUAL:
        return f"平均分配：{whole}平均分给各下级单位，每个单位占{percent(share)}"
    amount = f"{int(weight or 0):,}人"
    return f"按{label}分解：{me}{amount}，占{whole}{percent(share)}"
