"""The Excel round trip: template for a scope, dry-run preview of an upload, confirmed write.

An upload is kept under MEDIA_ROOT with a small JSON record of its preview,
readable only by the person who uploaded it. Confirming checks the file again
against the database as it is then, and writes the rows without problems in
one transaction; writing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from renkou.catalog.models import DataSet
from renkou.catalog.selectors import data_set_elements
from renkou.orgunits.models import OrgUnit, subtree_q
from renkou.periods import Period, PeriodError, parse
from renkou.reporting.excel import (
    CellProblem,
    ExcelFileError,
    Template,
    TemplateUnit,
    read_upload,
)
from renkou.reporting.imports import OUT_OF_SCOPE, Guard
from renkou.reporting.models import DataValue
from renkou.reporting.values import ElementRule, display, parse_value
from renkou.reporting.writes import ValueRow, WritePlan, WriteSummary, plan_writes, write_values

if TYPE_CHECKING:
    from renkou.accounts.models import User


def template_for(data_set: DataSet, period: Period, scope: OrgUnit) -> Template:
    """Every reporting unit under ``scope``, with the values stored for the period."""
    elements = list(data_set_elements(data_set))
    units = list(
        OrgUnit.objects.filter(subtree_q(scope.path), level=data_set.reporting_level)
        .filter(closed_on__isnull=True)
        .select_related("parent")
        .order_by("path")
    )
    template = Template(
        data_set_code=data_set.code,
        data_set_name=data_set.name,
        period_id=period.id,
        period_label=period.label_zh,
        scope_code=scope.code,
        scope_name=scope.name,
        elements=elements,
        units=[
            TemplateUnit(u.pk, u.code, u.name, u.parent.name if u.parent else "") for u in units
        ],
    )
    kinds = {e.pk: e.value_type for e in elements}
    stored = DataValue.objects.filter(
        subtree_q(scope.path, "orgunit__"), period=period.id, element__in=elements
    ).values_list("orgunit_id", "element_id", "value", "text")
    for unit_id, element_id, value, text in stored:
        shown = display(value, text, kinds[element_id])
        if value is not None and kinds[element_id] not in ("yes_no",):
            number = float(value)
            template.values[(unit_id, element_id)] = int(number) if number.is_integer() else number
        else:
            template.values[(unit_id, element_id)] = shown
    return template


# -- staging ---------------------------------------------------------------------------


def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads" / "excel"


@dataclass
class Staged:
    key: str
    path: Path
    record: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.record.get("name", ""))


def stage_upload(user: User, upload: Any) -> Staged:
    key = uuid.uuid4().hex
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.xlsx"
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    record = {
        "user": user.pk,
        "name": str(upload.name)[:200],
        "size": path.stat().st_size,
        "sha256": digest.hexdigest(),
        "created": timezone.now().isoformat(),
    }
    staged = Staged(key, path, record)
    save_record(staged)
    return staged


def save_record(staged: Staged) -> None:
    staged.path.with_suffix(".json").write_text(
        json.dumps(staged.record, ensure_ascii=False), encoding="utf-8"
    )


def get_upload_for_user(user: User, key: str) -> Staged:
    """The staged upload if this user made it; 404 for anyone else or a stale key."""
    if len(key) != 32 or not key.isalnum():
        raise Http404("没有找到该上传文件，或它已过期。")
    path = _folder() / f"{key}.xlsx"
    sidecar = path.with_suffix(".json")
    if not path.exists() or not sidecar.exists():
        raise Http404("没有找到该上传文件，或它已过期。")
    record = json.loads(sidecar.read_text(encoding="utf-8"))
    if record.get("user") != user.pk:
        raise Http404("没有找到该上传文件，或它已过期。")
    return Staged(key, path, record)


def discard(staged: Staged) -> None:
    staged.path.unlink(missing_ok=True)
    staged.path.with_suffix(".json").unlink(missing_ok=True)


# -- checking --------------------------------------------------------------------------


@dataclass
class Preview:
    data_set: DataSet
    period: Period
    rows: int
    good_rows: int
    plan: WritePlan
    problems: list[CellProblem]

    @property
    def invalid(self) -> int:
        return len(self.problems)

    def summary(self) -> dict[str, Any]:
        return {
            "data_set": self.data_set.code,
            "data_set_name": self.data_set.name,
            "period": self.period.id,
            "period_label": self.period.label_zh,
            "rows": self.rows,
            "good_rows": self.good_rows,
            "new": len(self.plan.creates),
            "changed": len(self.plan.updates) + len(self.plan.deletes),
            "unchanged": self.plan.unchanged,
            "invalid": self.invalid,
            "problems": [asdict(p) for p in self.problems],
        }


def check_upload(user: User, path: Path) -> Preview:
    """Everything wrong with the file, and what writing its good rows would change.

    Raises ExcelFileError when the file as a whole is unusable; nothing is written.
    """
    upload = read_upload(path)
    data_set = DataSet.objects.filter(code=upload.data_set_code).first()
    if data_set is None:
        raise ExcelFileError(f"模板中的报表“{upload.data_set_code}”已不存在，请重新下载模板。")
    try:
        period = parse(upload.period_id)
    except PeriodError:
        raise ExcelFileError("模板中的报告期无效，请重新下载模板。") from None
    if period.type.value != data_set.period_type:
        raise ExcelFileError("模板中的报告期与报表不符，请重新下载模板。")
    elements = data_set_elements(data_set)
    missing = [e for e in elements if e.code not in upload.columns]
    if missing:
        names = "、".join(f"{e.name}（{e.code}）" for e in missing[:10])
        more = f"等{len(missing)}列" if len(missing) > 10 else ""
        raise ExcelFileError(f"缺少列：{names}{more}。请不要删除模板中的列或修改第2行的编码。")
    guard = Guard(user)
    if not guard.may_enter():
        raise ExcelFileError("您的角色不能填报数据。")
    rules = {e.code: ElementRule.of(e) for e in elements}
    ids = {e.code: e.pk for e in elements}
    units = guard.units({row.unit_code for row in upload.rows})
    problems = list(upload.problems)
    bad_rows = {p.row for p in problems}
    seen: dict[str, int] = {}
    candidate: dict[int, list[ValueRow]] = {}
    for row in upload.rows:
        unit = units.get(row.unit_code)
        if unit is None:
            problems.append(
                CellProblem(
                    row.row, "A", "单位代码", f"{row.unit_code or '（空）'}：{OUT_OF_SCOPE}"
                )
            )
            bad_rows.add(row.row)
            continue
        if unit.level != data_set.reporting_level:
            problems.append(
                CellProblem(row.row, "A", "单位代码", f"{unit.name}不是本报表的填报单位")
            )
            bad_rows.add(row.row)
            continue
        if row.unit_code in seen:
            problems.append(
                CellProblem(row.row, "A", "单位代码", f"与第{seen[row.unit_code]}行是同一单位")
            )
            bad_rows.add(row.row)
            continue
        seen[row.unit_code] = row.row
        values: list[ValueRow] = []
        for code, rule in rules.items():
            letter, header = upload.columns[code]
            parsed = parse_value(rule, row.cells.get(code))
            if parsed.problem:
                problems.append(CellProblem(row.row, letter, header, parsed.problem))
                bad_rows.add(row.row)
                continue
            values.append(ValueRow(ids[code], unit.id, period.id, parsed.number, parsed.text))
        candidate[row.row] = values
    good = [v for number, values in candidate.items() if number not in bad_rows for v in values]
    plan = plan_writes(good)
    # A row that would change a locked or submitted report is refused as a whole.
    changing = {row.orgunit_id for row in plan.creates}
    changing |= {row.orgunit_id for row, _old in plan.updates + plan.deletes}
    unit_by_id = {u.id: u for u in units.values()}
    refused: set[int] = set()
    for row in upload.rows:
        unit = units.get(row.unit_code)
        if unit is None or row.row in bad_rows or unit.id not in changing:
            continue
        reason = guard.blocked(data_set, unit_by_id[unit.id], period)
        if reason:
            problems.append(CellProblem(row.row, "A", "单位代码", f"{unit.name}：{reason}"))
            bad_rows.add(row.row)
            refused.add(unit.id)
    if refused:
        good = [v for v in good if v.orgunit_id not in refused]
        plan = plan_writes(good)
    problems.sort(key=lambda p: (p.row, p.column))
    rows = len(upload.rows)
    return Preview(
        data_set, period, rows, rows - len(bad_rows & {r.row for r in upload.rows}), plan, problems
    )


def confirm_upload(user: User, staged: Staged) -> WriteSummary:
    """Check the file again, then write its good rows in one transaction."""
    preview = check_upload(user, staged.path)
    summary = write_values(
        acting_user=user,
        plan=preview.plan,
        action="reporting.excel_upload",
        object_repr=f"{staged.name}（{preview.data_set.name} {preview.period.label_zh}）"[:200],
        org_path=user.home_unit.path if user.home_unit else "",
        reason=f"sha256 {staged.record.get('sha256', '')}",
    )
    return summary
