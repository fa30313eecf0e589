"""绩效挂钩: pay rules (grade or score band → coefficient or amount, optionally per
region class), the village cadre roster, and the pay list of a village-level run.

Money is Decimal, rounded half up to the fen (0.01 yuan), as the finance office
checks it by hand: pay = base pay × coefficient, or the rule's fixed amount.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from renkou.assessment.models import Cadre, PayRule, Run, RunUnit
from renkou.orgunits.models import Level, OrgUnit, RegionClass, subtree_q

FEN = Decimal("0.01")


def to_fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def _num(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f") if value == value.normalize() else str(value)


# --- rules --------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleRow:
    region_class: RegionClass | None
    grade: str
    min_score: Decimal | None
    max_score: Decimal | None
    coefficient: Decimal | None
    amount: Decimal | None


def rules_for(owner: OrgUnit, year: int) -> list[PayRule]:
    return list(
        PayRule.objects.filter(owner=owner, year=year)
        .select_related("region_class")
        .order_by("region_class__code", "grade", "min_score", "pk")
    )


def rules_for_run(run: Run) -> tuple[OrgUnit | None, list[PayRule]]:
    """The rules a run's pay follows: its owner's for the year, else those of the
    nearest unit above the owner that set some (a county's table serves its townships)."""
    codes = [code for code in run.scheme.owner.path.split("/") if code]
    owners = {
        unit.code: unit
        for unit in OrgUnit.objects.filter(
            code__in=codes, pk__in=PayRule.objects.filter(year=run.year).values("owner")
        )
    }
    for code in reversed(codes):
        if code in owners:
            return owners[code], rules_for(owners[code], run.year)
    return None, []


def describe(rule: PayRule | RuleRow) -> str:
    """One line: 街道 · 优秀 → 系数1.2 / 90–100分 → 500元."""
    where = f"{rule.region_class.name} · " if rule.region_class is not None else ""
    if rule.grade:
        what = rule.grade
    else:
        low = _num(rule.min_score) if rule.min_score is not None else "不限"
        high = _num(rule.max_score) if rule.max_score is not None else "不限"
        what = f"{low}分（含）至{high}分（不含）"
    then = (
        f"系数{_num(rule.coefficient)}"
        if rule.coefficient is not None
        else f"{_num(rule.amount)}元"
    )
    return f"{where}{what} → {then}"


def rule_problems(rules: Sequence[RuleRow]) -> list[str]:
    """Every reason the table cannot be saved, numbered by row (1-based)."""
    problems: list[str] = []
    grades: dict[tuple[str, str], int] = {}
    bands: list[tuple[int, str, Decimal, Decimal]] = []
    infinity = Decimal("Infinity")
    for number, rule in enumerate(rules, start=1):
        label = f"第{number}行"
        has_band = rule.min_score is not None or rule.max_score is not None
        if bool(rule.grade) == has_band:
            problems.append(f"{label}：请填写等级，或填写分数段，二者只能选其一")
        if (rule.coefficient is None) == (rule.amount is None):
            problems.append(f"{label}：请填写绩效系数或奖励金额，二者只能选其一")
        if rule.coefficient is not None and rule.coefficient < 0:
            problems.append(f"{label}：绩效系数不能为负数")
        if rule.amount is not None and rule.amount < 0:
            problems.append(f"{label}：奖励金额不能为负数")
        klass = rule.region_class.code if rule.region_class is not None else ""
        if rule.grade:
            key = (klass, rule.grade)
            if key in grades:
                problems.append(f"{label}：等级“{rule.grade}”与第{grades[key]}行重复")
            grades[key] = number
        elif has_band:
            low = rule.min_score if rule.min_score is not None else -infinity
            high = rule.max_score if rule.max_score is not None else infinity
            if low >= high:
                problems.append(f"{label}：最低分应小于最高分")
                continue
            for other, other_class, other_low, other_high in bands:
                if other_class == klass and low < other_high and other_low < high:
                    problems.append(f"{label}：分数段与第{other}行重叠")
            bands.append((number, klass, low, high))
    return problems


def match_rule(rules: Sequence[PayRule], unit: RunUnit) -> PayRule | None:
    """The rule for a unit's grade or total; a rule of the unit's class wins over a general one."""

    def fits(rule: PayRule) -> bool:
        if rule.grade:
            return rule.grade == unit.grade
        if unit.total is None:
            return False
        low_ok = rule.min_score is None or unit.total >= rule.min_score
        high_ok = rule.max_score is None or unit.total < rule.max_score
        return low_ok and high_ok

    for wanted in (unit.class_code, None):
        for rule in rules:
            code = rule.region_class.code if rule.region_class is not None else None
            if code == wanted and fits(rule):
                return rule
    return None


# --- roster -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CadreRow:
    name: str
    post: str
    base_pay: Decimal | None


def roster_problems(cadres: Sequence[CadreRow]) -> list[str]:
    problems = []
    seen: dict[str, int] = {}
    for number, cadre in enumerate(cadres, start=1):
        label = f"第{number}行"
        if not cadre.name.strip():
            problems.append(f"{label}：请填写姓名")
        if not cadre.post.strip():
            problems.append(f"{label}：请填写职务")
        if cadre.base_pay is None:
            problems.append(f"{label}：请填写基本报酬")
        elif cadre.base_pay < 0 or cadre.base_pay >= Decimal("1000000"):
            problems.append(f"{label}：基本报酬应在0到100万元之间")
        if cadre.name in seen:
            problems.append(f"{label}：姓名与第{seen[cadre.name]}行重复")
        seen[cadre.name] = number
    return problems


# --- the pay list ------------------------------------------------------------------------


@dataclass
class PayLine:
    cadre: Cadre
    base_pay: Decimal
    pay: Decimal


@dataclass
class VillagePay:
    unit: RunUnit
    rule: PayRule | None
    lines: list[PayLine]

    @property
    def total(self) -> Decimal:
        return sum((line.pay for line in self.lines), Decimal("0.00"))

    @property
    def rule_text(self) -> str:
        return describe(self.rule) if self.rule is not None else "无适用规则"


@dataclass
class TownshipPay:
    name: str
    code: str
    villages: list[VillagePay] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((v.total for v in self.villages), Decimal("0.00"))

    @property
    def cadres(self) -> int:
        return sum(len(v.lines) for v in self.villages)


@dataclass
class PayList:
    run: Run
    rules_owner: OrgUnit | None
    rules: list[PayRule]
    townships: list[TownshipPay]

    @property
    def total(self) -> Decimal:
        return sum((t.total for t in self.townships), Decimal("0.00"))

    @property
    def cadres(self) -> int:
        return sum(t.cadres for t in self.townships)

    @property
    def unmatched(self) -> list[VillagePay]:
        return [v for t in self.townships for v in t.villages if v.rule is None]


def cadre_pay(cadre: Cadre, rule: PayRule | None) -> Decimal:
    if rule is None:
        return Decimal("0.00")
    if rule.coefficient is not None:
        return to_fen(cadre.base_pay * rule.coefficient)
    return to_fen(rule.amount or Decimal(0))


def pay_list(run: Run, *, within: OrgUnit | None = None) -> PayList:
    """Each village's grade → rule → each active cadre's pay; totals per township."""
    owner, rules = rules_for_run(run)
    units = run.units.select_related("orgunit", "orgunit__parent").order_by("orgunit__path")
    if within is not None:
        units = units.filter(subtree_q(within.path, "orgunit__"))
    roster: dict[int, list[Cadre]] = {}
    for cadre in Cadre.objects.filter(
        orgunit__in=[u.orgunit_id for u in units], active=True
    ).order_by("orgunit__path", "pk"):
        roster.setdefault(cadre.orgunit_id, []).append(cadre)
    townships: dict[int, TownshipPay] = {}
    for unit in units:
        parent = unit.orgunit.parent
        key = parent.pk if parent is not None else 0
        township = townships.setdefault(
            key,
            TownshipPay(parent.name if parent else "", parent.code if parent else ""),
        )
        rule = match_rule(rules, unit)
        lines = [
            PayLine(cadre, cadre.base_pay, cadre_pay(cadre, rule))
            for cadre in roster.get(unit.orgunit_id, [])
        ]
        township.villages.append(VillagePay(unit, rule, lines))
    return PayList(run, owner, rules, list(townships.values()))


def render_pay_xlsx(pays: PayList) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    run = pays.run
    book = Workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E7F2F2")
    sheet = book.active
    sheet.title = "绩效报酬发放表"
    sheet.append([f"{run.year}年度村级人口家庭工作绩效报酬发放表"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([f"考核：{run.scheme.name}；金额单位：元（四舍五入到分）"])
    header = [
        "乡镇（街道）",
        "村（居）",
        "考核得分",
        "等级",
        "适用规则",
        "姓名",
        "职务",
        "基本报酬",
        "绩效报酬",
    ]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = bold
        cell.fill = fill
    for township in pays.townships:
        for village in township.villages:
            total = float(village.unit.total) if village.unit.total is not None else None
            if not village.lines:
                sheet.append(
                    [
                        township.name,
                        village.unit.orgunit.name,
                        total,
                        village.unit.grade,
                        village.rule_text,
                        "（无名册）",
                    ]
                )
            for line in village.lines:
                sheet.append(
                    [
                        township.name,
                        village.unit.orgunit.name,
                        total,
                        village.unit.grade,
                        village.rule_text,
                        line.cadre.name,
                        line.cadre.post,
                        line.base_pay,
                        line.pay,
                    ]
                )
        sheet.append(
            [f"{township.name}合计", "", "", "", "", f"{township.cadres}人", "", "", township.total]
        )
        for cell in sheet[sheet.max_row]:
            cell.font = bold
    sheet.append(["总计", "", "", "", "", f"{pays.cadres}人", "", "", pays.total])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in sheet.iter_rows(min_row=4, min_col=8, max_col=9):
        for cell in row:
            cell.number_format = "#,##0.00"
    for letter, width in zip("ABCDEFGHI", [16, 18, 9, 7, 26, 10, 12, 12, 12], strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A4"
    totals = book.create_sheet("乡镇汇总")
    totals.append(["乡镇（街道）", "村（居）数", "人数", "绩效报酬合计"])
    for cell in totals[1]:
        cell.font = bold
        cell.fill = fill
    for township in pays.townships:
        totals.append([township.name, len(township.villages), township.cadres, township.total])
    totals.append(["总计", sum(len(t.villages) for t in pays.townships), pays.cadres, pays.total])
    for cell in totals[totals.max_row]:
        cell.font = bold
    for row in totals.iter_rows(min_row=2, min_col=4, max_col=4):
        for cell in row:
            cell.number_format = "#,##0.00"
    for letter, width in zip("ABCD", [18, 10, 8, 14], strict=True):
        totals.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- roster Excel round trip ---------------------------------------------------------------

ROSTER_SHEET = "村干部名册"
ROSTER_HEADER = ["村（居）代码", "村（居）名称", "姓名", "职务", "基本报酬（元/年）"]
POSTS = ["村党组织书记", "村委会主任", "村计生专干", "村妇联主席", "村会计", "网格员"]


class RosterFileError(ValueError):
    pass


@dataclass(frozen=True)
class CellProblem:
    row: int
    column: str
    header: str
    reason: str


@dataclass(frozen=True)
class ImportedCadre:
    row: int
    village: OrgUnit
    cadre: CadreRow


def villages_under(scope: OrgUnit) -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(subtree_q(scope.path), level=Level.VILLAGE, closed_on__isnull=True)
        .select_related("parent")
        .order_by("path")
    )


def roster_template(scope: OrgUnit) -> bytes:
    """Every village under ``scope`` with its current cadres (or one empty row)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = ROSTER_SHEET
    sheet.append(ROSTER_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E7F2F2")
    villages = villages_under(scope)
    roster: dict[int, list[Cadre]] = {}
    for cadre in Cadre.objects.filter(orgunit__in=villages, active=True).order_by("pk"):
        roster.setdefault(cadre.orgunit_id, []).append(cadre)
    for village in villages:
        cadres = roster.get(village.pk)
        if not cadres:
            sheet.append([village.code, village.name, None, None, None])
        for cadre in cadres or []:
            sheet.append(
                [village.code, village.name, cadre.name, cadre.post, float(cadre.base_pay)]
            )
    last = max(sheet.max_row, 2) + 200
    posts = DataValidation(type="list", formula1='"' + ",".join(POSTS) + '"', allow_blank=True)
    posts.error = "请从下拉列表中选择职务，或直接输入"
    posts.showErrorMessage = False
    posts.add(f"D2:D{last}")
    money = DataValidation(
        type="decimal", operator="between", formula1="0", formula2="999999", allow_blank=True
    )
    money.error = "基本报酬应为0到999999之间的数字"
    money.add(f"E2:E{last}")
    sheet.add_data_validation(posts)
    sheet.add_data_validation(money)
    for cell in sheet["A"][1:]:
        cell.number_format = "@"
    for letter, width in zip("ABCDE", [16, 20, 10, 14, 16], strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    info = book.create_sheet("填写说明")
    for line in (
        "每行一名村干部。村（居）代码请勿修改；一个村有几名干部就填几行。",
        "导入后，文件中出现的每个村的名册以文件为准：文件中没有的干部记为离任。",
        "文件中任何一行有问题时，系统列出行号、列和原因，不写入任何数据。",
    ):
        info.append([line])
    info.column_dimensions["A"].width = 80
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_roster(path: Path, scope: OrgUnit) -> tuple[list[ImportedCadre], list[CellProblem]]:
    """Check every row of an uploaded roster; rows are usable only if there are no problems."""
    from python_calamine import CalamineError, CalamineWorkbook

    with path.open("rb") as handle:
        if handle.read(4) != b"PK\x03\x04":
            raise RosterFileError(
                "文件不是有效的 Excel（.xlsx）文件，请用 Excel 打开后另存为 .xlsx 再上传。"
            )
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, ValueError, OSError):
        raise RosterFileError("无法读取该 Excel 文件，文件可能已损坏或设有密码。") from None
    if ROSTER_SHEET not in workbook.sheet_names:
        raise RosterFileError(f"找不到名为“{ROSTER_SHEET}”的工作表，请使用本系统下载的模板。")
    table = workbook.get_sheet_by_name(ROSTER_SHEET).to_python(skip_empty_area=False)
    if not table or [_text(h) for h in table[0][: len(ROSTER_HEADER)]] != ROSTER_HEADER:
        raise RosterFileError("第1行的列标题与模板不符，请不要修改模板的第1行。")
    if len(table) > 20_000:
        raise RosterFileError("文件超过2万行，不像是村干部名册。")
    villages = {v.code: v for v in villages_under(scope)}
    rows: list[ImportedCadre] = []
    problems: list[CellProblem] = []
    seen: dict[tuple[str, str], int] = {}
    for number, record in enumerate(table[1:], start=2):
        cells = [_text(c) for c in (list(record) + [None] * 5)[:5]]
        code, _name, person, post, raw_pay = cells
        if not person and not post and not raw_pay:
            continue
        village = villages.get(code)
        if village is None:
            problems.append(
                CellProblem(number, "A", ROSTER_HEADER[0], f"“{code}”不是{scope.name}的村（居）")
            )
        if not person:
            problems.append(CellProblem(number, "C", "姓名", "请填写姓名"))
        elif len(person) > 50:
            problems.append(CellProblem(number, "C", "姓名", "姓名过长"))
        if not post:
            problems.append(CellProblem(number, "D", "职务", "请填写职务"))
        elif len(post) > 50:
            problems.append(CellProblem(number, "D", "职务", "职务过长"))
        base: Decimal | None = None
        try:
            base = Decimal(raw_pay) if raw_pay else None
        except InvalidOperation:
            base = None
        if base is None or not base.is_finite() or base < 0 or base >= Decimal("1000000"):
            problems.append(CellProblem(number, "E", ROSTER_HEADER[4], "请填写0到999999之间的数字"))
            base = None
        key = (code, person)
        if person and key in seen:
            problems.append(CellProblem(number, "C", "姓名", f"与第{seen[key]}行重复"))
        seen[key] = number
        if village is not None and person and post and base is not None:
            rows.append(ImportedCadre(number, village, CadreRow(person, post, to_fen(base))))
    if not rows and not problems:
        raise RosterFileError("文件中没有填写任何村干部。")
    return rows, problems
