"""The figures of the target-cycle browser test: the two assessment schemes,
each village's 2025 monthly report, and what every page should show, worked
out by hand.

The county 黄岩区 of the small division fixture has four townships; only
东城街道 (two communities) and 澄江街道 (three villages) have villages, so only
they report. 宁溪镇 and 屿头乡 report nothing and are assessed as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml

COUNTY = "331003"
DONGCHENG = "331003001"
CHENGJIANG = "331003006"
NINGXI = "331003101"
YUTOU = "331003200"
YEAR = 2025

# Adapted from examples/schemes/township.yaml: the same kinds of items, grades,
# classes, vetoes and ceiling, reading the default catalogue's codes
# (registration_timeliness for registration_rate, prepreg_coverage for
# prepregnancy_rate …). Items that need figures the catalogue does not
# collect (monthly supervision, satisfaction, floating population) are left out
# and their points given to the births item.
TOWNSHIP_SCHEME_YAML = """\
code: hy-2025-township
name: 2025年度乡镇（街道）人口家庭工作目标管理责任制考核方案
precision: 2
classes:
  - {code: street, name: 街道}
  - {code: town, name: 平原镇}
  - {code: mountain, name: 山区乡}
items:
  # 出生人口性别比：精确置信区间与103–107有重叠即得满分；出生不足30人不作判断。
  - code: srb
    name: 出生人口性别比
    points: 10
    rule: {type: srb_interval, male: births_male, female: births_female,
           low: 103, high: 107, confidence: 0.95, step: 1, deduct: 0.5, min_births: 30}
  # 出生监测数按责任指标的完成率得分。
  - code: births
    name: 出生监测数
    points: 30
    value: births
    rule: {type: ratio, target: target}
  # 生育登记及时率95%，每低0.1个百分点扣0.3分，扣完为止。
  - code: registration
    name: 生育登记及时率（%）
    points: 20
    value: registration_timeliness
    rule: {type: shortfall, target: 95, step: 0.1, deduct: 0.3}
  # 每千人口托位数按4.5的完成率得分；山区乡按3.6考核。
  - code: childcare
    name: 每千人口托位数
    points: 10
    value: childcare_places_per_1000
    rule: {type: ratio, target: 4.5}
    by_class:
      mountain: {rule: {target: 3.6}}
  # 育儿补贴发放率达98%得满分，否则得3分；查实虚报冒领的本项不得分。
  - code: subsidy
    name: 育儿补贴发放率（%）
    points: 10
    value: subsidy_payment_rate
    rule: {type: threshold, target: 98, else: 3}
    zero_if: "subsidy_fraud > 0"
  - code: prepregnancy
    name: 孕前优生健康检查覆盖率（%）
    points: 10
    value: prepreg_coverage
    rule: {type: ratio, target: 80}
  # 特殊家庭双岗联系人走访全覆盖得满分。
  - code: contacts
    name: 特殊家庭联系人走访覆盖率（%）
    kind: process
    points: 10
    value: special_contact_coverage
    rule: {type: threshold, target: 100}
vetoes:
  - {code: fraud, name: 统计数据弄虚作假, when: "data_fraud > 0"}
  - {code: low_total, name: 总分低于60分, when: "total < 60"}
ceilings:
  - {code: petitions, name: 信访问题突出, when: "major_petitions > 0", max_grade: 良好}
grades:
  - {name: 优秀, min: 90}
  - {name: 良好, min: 80}
  - {name: 合格, min: 60}
  - {name: 不合格}
veto_grade: 不合格
ranking: {within_class: true}
"""

# Adapted from examples/schemes/village.yaml: its grades (示范/合格/整治) and
# vetoes, with items the village monthly report carries.
VILLAGE_SCHEME_YAML = """\
code: hy-2025-village
name: 2025年度村（社区）人口家庭工作考核细则
precision: 1
items:
  - code: registration
    name: 生育登记及时率（%）
    points: 30
    value: registration_timeliness
    rule: {type: threshold, target: 95, else: 15}
  - code: subsidy
    name: 育儿补贴发放率（%）
    points: 25
    value: subsidy_payment_rate
    rule: {type: threshold, target: 98, else: 10}
  - code: contacts
    name: 双岗联系人走访覆盖率（%）
    kind: process
    points: 25
    value: special_contact_coverage
    rule: {type: threshold, target: 100, else: 10}
  - code: prepregnancy
    name: 孕前优生健康检查覆盖率（%）
    points: 20
    value: prepreg_coverage
    rule: {type: ratio, target: 80}
vetoes:
  - {code: fraud, name: 统计数据弄虚作假, when: "data_fraud > 0"}
  - {code: low_total, name: 总分低于60分, when: "total < 60"}
grades:
  - {name: 示范, min: 90}
  - {name: 合格, min: 70}
  - {name: 整治}
veto_grade: 整治
"""


def township_scheme() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(TOWNSHIP_SCHEME_YAML)
    return data


def village_scheme() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(VILLAGE_SCHEME_YAML)
    return data


@dataclass(frozen=True)
class Village:
    """A village's 2025: year totals, spread over the months by ``spread``."""

    code: str
    name: str
    population: int
    boys: int
    girls: int
    late_registrations: int  # births registered more than 30 days after
    prepreg_eligible: int
    prepreg_checks: int
    subsidy_applied: int
    subsidy_unpaid: int
    special_families: int
    childcare_places: int


VILLAGES = [
    Village("331003001001", "百花社区居委会", 4000, 7, 7, 0, 60, 60, 12, 1, 2, 20),
    Village("331003001002", "东浦社区居委会", 3000, 8, 6, 0, 60, 60, 12, 0, 2, 20),
    Village("331003006200", "东岙里村委会", 2000, 4, 4, 0, 50, 20, 24, 0, 3, 10),
    Village("331003006204", "横屋村委会", 3000, 7, 5, 1, 50, 20, 24, 0, 2, 15),
    Village("331003006208", "石柜岙村委会", 3500, 5, 5, 0, 50, 20, 24, 0, 4, 20),
]


def spread(total: int, month: int) -> int:
    """``total`` over twelve months as evenly as whole numbers allow."""
    return total * month // 12 - total * (month - 1) // 12


def month_rows(village: Village, month: int) -> list[tuple[str, int]]:
    boys, girls = spread(village.boys, month), spread(village.girls, month)
    born = boys + girls
    # The late registrations are the last ones of the year.
    late = village.late_registrations if month == 12 else 0
    applied = spread(village.subsidy_applied, month)
    unpaid = village.subsidy_unpaid if month == 5 else 0
    return [
        ("births_male", boys),
        ("births_female", girls),
        ("deaths", 1),
        ("birth_registrations", born + late),
        ("registered_30d", born),
        ("prepreg_checks", spread(village.prepreg_checks, month)),
        ("prepreg_eligible", village.prepreg_eligible),
        ("subsidy_applied", applied),
        ("subsidy_paid", applied - unpaid),
        ("special_families", village.special_families),
        ("special_visited", village.special_families),
        ("childcare_places", village.childcare_places),
        ("population", village.population),
    ]


def month_csv(township: str, month: int) -> str:
    """One month's dataValueSets CSV for the villages of one township."""
    lines = ["dataelement,period,orgunit,value"]
    for village in VILLAGES:
        if village.code.startswith(township):
            for element, value in month_rows(village, month):
                lines.append(f"{element},{YEAR}{month:02d},{village.code},{value}")
    return "\n".join(lines) + "\n"


def births(township: str) -> int:
    return sum(v.boys + v.girls for v in VILLAGES if v.code.startswith(township))


# --- what the pages should show, worked out by hand --------------------------------

# 黄岩区's births target split equally (largest remainder): 150 / 4 = 37.5 each.
COUNTY_BIRTHS = 150
SPLIT = {DONGCHENG: 38, CHENGJIANG: 38, NINGXI: 37, YUTOU: 37}


def ratio(points: int, actual: int, target: int) -> Decimal:
    return (Decimal(points) * actual / target).quantize(Decimal("0.01"))


# 东城街道: 28 births of 38 → 30 × 28/38 = 22.11; subsidies 23 of 24 paid (95.8% < 98) → 3;
# everything else full (srb not judged below 30 births, registration 100%,
# 40 places per 7,000 people = 5.71 ≥ 4.5, checks 120 of 120, visits 4 of 4).
DONGCHENG_OTHER = Decimal(10 + 20 + 10 + 3 + 10 + 10)
# After the typhoon adjustment its births target is 30: 30 × 28/30 = 28.00.
DONGCHENG_ADJUSTED_TARGET = 30
# 澄江街道: 30 births of 38 → 23.68; pre-pregnancy checks 60 of 150 = 40% of 80% → 5;
# the rest full (registrations 30 of 31 in time = 96.8%, 45 places per 8,500 = 5.29).
CHENGJIANG_OTHER = Decimal(10 + 20 + 10 + 10 + 5 + 10)
# The appeal: three December births were not in the figures; 33 births → 26.05.
CHENGJIANG_CORRECTED_BIRTHS = 33

DONGCHENG_RAW = DONGCHENG_OTHER + ratio(30, births(DONGCHENG), SPLIT[DONGCHENG])
DONGCHENG_FINAL = DONGCHENG_OTHER + ratio(30, births(DONGCHENG), DONGCHENG_ADJUSTED_TARGET)
CHENGJIANG_RAW = CHENGJIANG_OTHER + ratio(30, births(CHENGJIANG), SPLIT[CHENGJIANG])
CHENGJIANG_FINAL = CHENGJIANG_OTHER + ratio(30, CHENGJIANG_CORRECTED_BIRTHS, SPLIT[CHENGJIANG])

# The village run: registration ≥95% → 30 (横屋 12 of 13 = 92.3% → 15); subsidies
# ≥98% → 25 (百花 11 of 12 → 10); visits all 25; checks 20 of 50 = 40% → 10, 60 of 60 → 20.
VILLAGE_TOTALS = {
    "331003001001": (Decimal("85"), "合格"),
    "331003001002": (Decimal("100"), "示范"),
    "331003006200": (Decimal("90"), "示范"),
    "331003006204": (Decimal("75"), "合格"),
    "331003006208": (Decimal("90"), "示范"),
}
PAY_RULES = [("示范", "1.2"), ("合格", "1.0"), ("整治", "0.5")]
# 东岙里村委会's roster is entered on its page; the others are already on file.
ROSTER_ON_PAGE = [("张建国", "村党组织书记", "12000"), ("李秀英", "村计生专干", "9600")]
ROSTER_ON_FILE = {
    "331003006204": [("王伟", "村计生专干", "10800")],
    "331003006208": [("陈静", "村计生专干", "10000")],
    "331003001001": [("刘洋", "网格员", "11000")],
    "331003001002": [("赵磊", "网格员", "11000")],
}
# 示范 × 1.2, 合格 × 1.0: 14,400 + 11,520 + 10,800 + 12,000 (澄江) and 11,000 + 13,200 (东城).
PAY = {"张建国": Decimal("14400.00"), "李秀英": Decimal("11520.00"), "王伟": Decimal("10800.00")}
CHENGJIANG_PAY = Decimal("48720.00")
DONGCHENG_PAY = Decimal("24200.00")
TOTAL_PAY = CHENGJIANG_PAY + DONGCHENG_PAY
