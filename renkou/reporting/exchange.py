"""DHIS2-style dataValueSets: CSV (``dataelement,period,orgunit,value[,comment]``) and JSON.

Files are identified by codes: element codes, period ids and division codes,
so a county exchanges data with another system without looking up anyone's
internal ids. Import is all-or-nothing by default (any conflict writes
nothing and lists every conflict); ``skip_invalid`` writes the valid rows.

A province-scale file has millions of rows, so everything here works on
columns (Arrow and numpy): codes are looked up once per distinct code, and
numbers are parsed and range-checked for whole columns at once. Only text
that is not a plain number goes through the per-value checks in
``reporting.values``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.db import connection, transaction
from django.utils import timezone

from renkou.audit.actions import record_event
from renkou.catalog.models import DataSet, ValueType
from renkou.catalog.selectors import data_set_elements
from renkou.orgunits.models import OrgUnit, subtree_q
from renkou.periods import Period, PeriodError, parse
from renkou.reporting.imports import OUT_OF_SCOPE, Guard, element_infos
from renkou.reporting.models import DataValue, Report, ReportStatus, ValueChange
from renkou.reporting.values import MAX_ABS, format_number, parse_value

if TYPE_CHECKING:
    from renkou.accounts.models import User

COLUMNS = ("dataelement", "period", "orgunit", "value", "comment")
MAX_CONFLICTS = 1000
SIMPLE_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
Progress = Callable[[int, int, str], None]


class ExchangeFileError(Exception):
    """The file cannot be read at all; ``str()`` is the one-line reason."""


@dataclass(frozen=True, slots=True)
class Conflict:
    line: int
    field: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "value": self.value, "reason": self.reason}


@dataclass
class ImportSummary:
    status: str = "SUCCESS"  # SUCCESS, WARNING (some rows skipped) or ERROR (nothing written)
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    conflict_count: int = 0
    dry_run: bool = False

    def text(self) -> str:
        head = "（试运行，未写入）" if self.dry_run else ""
        body = (
            f"新增{self.imported}个值，修改{self.updated}个，未变{self.unchanged}个，"
            f"忽略{self.ignored}个"
        )
        if self.conflict_count:
            body += f"，{self.conflict_count}处问题"
        return head + body + "。"

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "dryRun": self.dry_run,
            "importCount": {
                "imported": self.imported,
                "updated": self.updated,
                "ignored": self.ignored,
                "unchanged": self.unchanged,
                "deleted": 0,
            },
            "conflictCount": self.conflict_count,
            "conflicts": [c.as_dict() for c in self.conflicts],
            "description": self.text(),
        }


# -- reading ------------------------------------------------------------------------------


def _decode(data: bytes) -> bytes:
    """UTF-8 as it is; GB18030 (Excel on Chinese Windows) converted to UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:]
    try:
        data[:100_000].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < 99_990:
            try:
                return data.decode("gb18030").encode("utf-8")
            except UnicodeDecodeError:
                raise ExchangeFileError("文件编码无法识别，请保存为 UTF-8 编码的 CSV。") from None
    return data


def read_csv(data: bytes) -> pa.Table:
    """A dataValueSets CSV as a table of text columns, with ``line`` numbers from 1."""
    data = _decode(data)
    first_line = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip().lower()
    header = [part.strip().strip('"') for part in next(csv.reader([first_line]), [])]
    has_header = bool(header) and header[0] in ("dataelement", "data_element", "de")
    if not data.strip():
        raise ExchangeFileError("文件是空的。")
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(
                autogenerate_column_names=not has_header, block_size=16 << 20
            ),
            parse_options=pa_csv.ParseOptions(newlines_in_values=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={}, strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        message = str(exc).split("\n")[0][:120]
        raise ExchangeFileError(f"CSV 格式有误：{message}") from None
    names = [str(n).strip().lower() for n in table.column_names]
    if has_header:
        aliases = {
            "data_element": "dataelement",
            "de": "dataelement",
            "ou": "orgunit",
            "pe": "period",
        }
        names = [aliases.get(n, n) for n in names]
        missing = [c for c in COLUMNS[:4] if c not in names]
        if missing:
            raise ExchangeFileError(
                f"CSV 缺少列：{'、'.join(missing)}"
                "（应为 dataelement,period,orgunit,value[,comment]）"
            )
    else:
        if len(names) < 4:
            raise ExchangeFileError("CSV 应至少有4列：dataelement,period,orgunit,value[,comment]")
        names = list(COLUMNS[: len(names)]) + names[len(COLUMNS) :]
    table = table.rename_columns(names)
    columns = {}
    for name in COLUMNS:
        if name in table.column_names:
            column = table.column(name)
            if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
                column = pc.cast(column, pa.string())
            columns[name] = pc.utf8_trim_whitespace(column)
    first = 2 if has_header else 1
    columns["line"] = pa.array(np.arange(first, first + table.num_rows), pa.int64())
    return pa.table(columns)


def read_json(data: bytes) -> pa.Table:
    try:
        document = json.loads(_decode(data))
    except (ValueError, UnicodeDecodeError):
        raise ExchangeFileError("不是有效的 JSON。") from None
    if not isinstance(document, dict) or not isinstance(document.get("dataValues"), list):
        raise ExchangeFileError('JSON 应为 {"dataValues": [...]} 的形式。')
    defaults = {
        "dataelement": document.get("dataElement"),
        "period": document.get("period"),
        "orgunit": document.get("orgUnit"),
    }
    keys = {
        "dataelement": "dataElement",
        "period": "period",
        "orgunit": "orgUnit",
        "value": "value",
        "comment": "comment",
    }
    columns: dict[str, list[str]] = {name: [] for name in COLUMNS}
    for item in document["dataValues"]:
        if not isinstance(item, dict):
            item = {}
        for name, key in keys.items():
            raw = item.get(key, defaults.get(name))
            columns[name].append("" if raw is None else str(raw).strip())
    count = len(document["dataValues"])
    arrays = {name: pa.array(values, pa.string()) for name, values in columns.items()}
    arrays["line"] = pa.array(np.arange(1, count + 1), pa.int64())
    return pa.table(arrays)


def read_any(data: bytes, kind: str) -> pa.Table:
    """``kind`` is "json" or "csv" (from the content type or the file name)."""
    return read_json(data) if kind == "json" else read_csv(data)


def kind_of(name_or_type: str) -> str:
    lowered = name_or_type.lower()
    return "json" if lowered.endswith(".json") or "json" in lowered else "csv"


# -- checking -------------------------------------------------------------------------------


@dataclass
class Checked:
    """Valid rows as columns, plus every conflict."""

    line: np.ndarray
    element: np.ndarray  # element ids
    unit: np.ndarray  # org unit ids
    period: np.ndarray  # indexes into ``periods``
    periods: list[Period]
    number: np.ndarray  # float64, NaN for text values
    text: np.ndarray  # object: text values ("" for numbers)
    comment: np.ndarray | None  # object, or None when the file has no comments
    data_set: np.ndarray  # data set ids, for locks and reports
    conflicts: list[Conflict]
    ignored: int
    total: int
    conflict_count: int


def _bound(value: float | None) -> str:
    return "…" if value is None else format_number(Decimal(repr(value)))


def _unique(column: pa.ChunkedArray) -> tuple[list[str], np.ndarray]:
    encoded = pc.dictionary_encode(column).combine_chunks()
    return encoded.dictionary.to_pylist(), encoded.indices.to_numpy(zero_copy_only=False)


def check_table(table: pa.Table, guard: Guard) -> Checked:
    total = table.num_rows
    conflicts: list[Conflict] = []
    lines = table.column("line").to_numpy()
    bad = np.zeros(total, dtype=bool)

    def refuse(
        mask: np.ndarray, field_name: str, values: list[str] | np.ndarray, reason: str
    ) -> None:
        for index in np.flatnonzero(mask & ~bad)[: MAX_CONFLICTS - len(conflicts)]:
            conflicts.append(
                Conflict(int(lines[index]), field_name, str(values[index])[:50], reason)
            )
        bad[mask] = True

    element_codes, element_index = _unique(table.column("dataelement"))
    period_ids, period_index = _unique(table.column("period"))
    unit_codes, unit_index = _unique(table.column("orgunit"))
    infos = element_infos(set(element_codes))
    units = guard.units(set(unit_codes))

    known_element = np.array([code in infos for code in element_codes] + [False], dtype=bool)
    refuse(
        ~known_element[element_index],
        "dataelement",
        np.array([*element_codes, ""], dtype=object)[element_index],
        "数据项编码不存在（或为系统计算项，不能导入）",
    )
    periods: list[Period | None] = []
    for period_text in period_ids:
        try:
            periods.append(parse(period_text))
        except PeriodError:
            periods.append(None)
    valid_period = np.array([p is not None for p in periods] + [False], dtype=bool)
    refuse(
        ~valid_period[period_index],
        "period",
        np.array([*period_ids, ""], dtype=object)[period_index],
        "报告期无效，应为 2025、2025Q1 或 202501 的形式",
    )
    known_unit = np.array([code in units for code in unit_codes] + [False], dtype=bool)
    refuse(
        ~known_unit[unit_index],
        "orgunit",
        np.array([*unit_codes, ""], dtype=object)[unit_index],
        OUT_OF_SCOPE,
    )

    # Each (element, period type, unit level) must belong to a data set the unit reports.
    element_ids = np.array(
        [infos[c].element.pk if c in infos else 0 for c in element_codes] + [0], dtype=np.int64
    )
    unit_ids = np.array(
        [units[c].id if c in units else 0 for c in unit_codes] + [0], dtype=np.int64
    )
    unit_levels = [units[c].level if c in units else 0 for c in unit_codes]
    combo = (
        element_index.astype(np.int64) * 16 * (len(period_ids) + 1)
        + period_index.astype(np.int64) * 16
    )
    levels = np.array([*unit_levels, 0], dtype=np.int64)[unit_index]
    combo += levels
    # A few hundred distinct combinations at most: look each up once, map back.
    keys, inverse = np.unique(combo, return_inverse=True)
    found = np.zeros(len(keys), dtype=np.int64)
    names: list[str] = [""] * len(keys)
    for position, key in enumerate(keys.tolist()):
        level = key % 16
        p = (key // 16) % (len(period_ids) + 1)
        e = key // (16 * (len(period_ids) + 1))
        combo_info = infos.get(element_codes[e])
        period = periods[p] if p < len(periods) else None
        if combo_info is None or period is None:
            continue  # already refused above
        data_set = combo_info.data_set_for(period, level)
        if data_set is None:
            names[position] = (
                f"{combo_info.element.name}不在该层级单位的{period.type.label_zh}报表中"
            )
        else:
            found[position] = data_set.pk
    data_set_of = found[inverse]
    element_labels = np.array(element_codes, dtype=object)[element_index]
    for position, reason in enumerate(names):
        if reason:
            refuse(inverse == position, "dataelement", element_labels, reason)

    # Values.
    values = table.column("value")
    empty = pc.equal(values, "").to_numpy(zero_copy_only=False)
    ignored = int(np.count_nonzero(empty & ~bad))
    bad |= empty
    number = np.full(total, np.nan)
    text = np.full(total, "", dtype=object)
    value_type = np.array(
        [infos[c].element.value_type if c in infos else "" for c in element_codes] + [""],
        dtype=object,
    )[element_index]
    numeric_kind = np.isin(value_type, [ValueType.INTEGER, ValueType.DECIMAL, ValueType.PERCENTAGE])
    simple = pc.match_substring_regex(values, SIMPLE_NUMBER).to_numpy(zero_copy_only=False)
    fast = numeric_kind & simple & ~bad
    if fast.any():
        parsed = pc.cast(pc.filter(values, pa.array(fast)), pa.float64()).to_numpy()
        number[fast] = parsed
        # Integers, plausible ranges and absurd sizes, element by element.
        for e, code in enumerate(element_codes):
            info = infos.get(code)
            if info is None:
                continue
            rows = fast & (element_index == e)
            if not rows.any():
                continue
            x = number[rows]
            rule = info.rule
            problem = np.zeros(len(x), dtype=bool)
            reasons = np.full(len(x), "", dtype=object)
            if rule.value_type == ValueType.INTEGER:
                not_int = np.mod(x, 1) != 0
                reasons[not_int] = "不是整数"
                problem |= not_int
            low = (
                float(rule.plausible_min)
                if rule.plausible_min is not None
                else (0.0 if rule.value_type == ValueType.PERCENTAGE else None)
            )
            high = (
                float(rule.plausible_max)
                if rule.plausible_max is not None
                else (100.0 if rule.value_type == ValueType.PERCENTAGE else None)
            )
            outside = np.zeros(len(x), dtype=bool)
            if low is not None:
                outside |= x < low
            if high is not None:
                outside |= x > high
            outside |= np.abs(x) >= float(MAX_ABS)
            shown = f"{_bound(low)}–{_bound(high)}"
            reasons[outside & ~problem] = f"超出合理范围 {shown}"
            problem |= outside
            if problem.any():
                positions = np.flatnonzero(rows)[problem]
                mask = np.zeros(total, dtype=bool)
                mask[positions] = True
                for reason in set(reasons[problem].tolist()):
                    chosen = np.zeros(total, dtype=bool)
                    chosen[positions[reasons[problem] == reason]] = True
                    refuse(
                        chosen,
                        "value",
                        values.to_numpy(zero_copy_only=False),
                        f"{info.element.name}：{reason}",
                    )
    slow = ~fast & ~bad
    if slow.any():
        raw_values = values.to_numpy(zero_copy_only=False)
        for index in np.flatnonzero(slow):
            slow_info = infos[element_codes[element_index[index]]]
            result = parse_value(slow_info.rule, raw_values[index])
            if result.problem:
                one = np.zeros(total, dtype=bool)
                one[index] = True
                refuse(one, "value", raw_values, f"{slow_info.element.name}：{result.problem}")
            elif result.number is not None:
                number[index] = float(result.number)
            else:
                text[index] = result.text

    # Duplicates: the same element, period and unit twice in one file.
    key = (
        (element_ids[element_index] << 40)
        + (period_index.astype(np.int64) << 28)
        + unit_ids[unit_index]
    )
    order = np.argsort(key, kind="stable")
    repeated = np.zeros(total, dtype=bool)
    sorted_keys = key[order]
    same = sorted_keys[1:] == sorted_keys[:-1]
    # Every occurrence is refused: which of two different values is right is not ours to guess.
    repeated[order[1:][same]] = True
    repeated[order[:-1][same]] = True
    refuse(
        repeated & ~bad,
        "orgunit",
        np.array([*unit_codes, ""], dtype=object)[unit_index],
        "同一数据项、报告期和单位在文件中出现了不止一次",
    )

    keep = ~bad
    comment = None
    if "comment" in table.column_names:
        comment = table.column("comment").to_numpy(zero_copy_only=False)[keep]
    return Checked(
        line=lines[keep],
        element=element_ids[element_index][keep],
        unit=unit_ids[unit_index][keep],
        period=period_index[keep].astype(np.int64),
        periods=[p if p is not None else parse("2000") for p in periods],
        number=number[keep],
        text=text[keep],
        comment=comment,
        data_set=data_set_of[keep],
        conflicts=conflicts,
        ignored=ignored,
        total=total,
        conflict_count=int(np.count_nonzero(bad)) - ignored,
    )


# -- comparing with what is stored ------------------------------------------------------------

_KEY_UNIT = 24
_KEY_ELEMENT = 8


def _keys(unit: np.ndarray, element: np.ndarray, period: np.ndarray) -> np.ndarray:
    return np.asarray((unit << _KEY_UNIT) + (element << _KEY_ELEMENT) + period, dtype=np.int64)


@dataclass
class Stored:
    keys: np.ndarray  # sorted
    number: np.ndarray
    text: dict[int, str]
    comment: dict[int, str]


def load_stored(periods: list[Period], units: np.ndarray) -> Stored:
    """Stored values of the periods (for these units), keyed like the incoming rows."""
    table = DataValue._meta.db_table
    index = {p.id: i for i, p in enumerate(periods)}
    unique_units = np.unique(units)
    params: list[Any] = [p.id for p in periods]
    where = f"period IN ({', '.join(['%s'] * len(periods))})"
    if len(unique_units) <= 2000:
        where += f" AND orgunit_id IN ({', '.join(['%s'] * len(unique_units))})"
        params += unique_units.tolist()
    key_parts: list[np.ndarray] = []
    value_parts: list[np.ndarray] = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"SELECT group_concat(orgunit_id * {1 << 20} + element_id, char(10)), "  # noqa: S608
                f"group_concat(period, char(10)), group_concat(value, char(10)) FROM {table} "
                f"WHERE value IS NOT NULL AND {where}",
                params,
            )
            packed, period_text, value_text = cursor.fetchone()
            if packed:
                both = _column_of(packed, pa.int64())
                key_parts.append(
                    _keys(
                        both >> 20,
                        both & ((1 << 20) - 1),
                        np.array([index[p] for p in period_text.split("\n")], dtype=np.int64),
                    )
                )
                value_parts.append(_column_of(value_text, pa.float64()))
        else:
            cursor.execute(
                f"SELECT orgunit_id, element_id, period, value FROM {table} "  # noqa: S608
                f"WHERE value IS NOT NULL AND {where}",
                params,
            )
            rows = cursor.fetchall()
            if rows:
                unit_column, element_column, period_column, value_column = zip(*rows, strict=True)
                key_parts.append(
                    _keys(
                        np.array(unit_column, dtype=np.int64),
                        np.array(element_column, dtype=np.int64),
                        np.array([index[p] for p in period_column], dtype=np.int64),
                    )
                )
                value_parts.append(np.array([float(v) for v in value_column]))
        cursor.execute(
            f"SELECT orgunit_id, element_id, period, text, comment FROM {table} "  # noqa: S608
            f"WHERE (text <> '' OR comment <> '') AND {where}",
            params,
        )
        extra = cursor.fetchall()
    keys = np.concatenate(key_parts) if key_parts else np.array([], dtype=np.int64)
    numbers = np.concatenate(value_parts) if value_parts else np.array([], dtype=np.float64)
    texts: dict[int, str] = {}
    comments: dict[int, str] = {}
    for unit, element, period_id, text, comment in extra:
        key = (unit << _KEY_UNIT) + (element << _KEY_ELEMENT) + index[period_id]
        if text:
            texts[key] = text
            keys = np.append(keys, key)
            numbers = np.append(numbers, np.nan)
        if comment:
            comments[key] = comment
    order = np.argsort(keys, kind="stable")
    return Stored(keys[order], numbers[order], texts, comments)


def _column_of(text: str, kind: pa.DataType) -> np.ndarray:
    table = pa_csv.read_csv(
        io.BytesIO(text.encode("utf-8")),
        read_options=pa_csv.ReadOptions(column_names=["x"]),
        convert_options=pa_csv.ConvertOptions(column_types={"x": kind}),
    )
    return np.asarray(table.column("x").to_numpy())


@dataclass
class Comparison:
    new: np.ndarray  # bool masks over the checked rows
    changed: np.ndarray
    old_number: np.ndarray
    old_text: list[str | None]


def compare(checked: Checked, stored: Stored) -> Comparison:
    keys = _keys(checked.unit, checked.element, checked.period)
    at = np.searchsorted(stored.keys, keys)
    at_safe = np.clip(at, 0, max(len(stored.keys) - 1, 0))
    found = (
        (at < len(stored.keys)) & (stored.keys[at_safe] == keys)
        if len(stored.keys)
        else np.zeros(len(keys), dtype=bool)
    )
    old_number = np.where(found, stored.number[at_safe] if len(stored.keys) else np.nan, np.nan)
    text_rows = checked.text != ""
    differs = np.where(text_rows, True, ~np.isclose(old_number, checked.number, rtol=0, atol=1e-9))
    old_text: list[str | None] = [None] * len(keys)
    for i in np.flatnonzero(found & text_rows):
        old = stored.text.get(int(keys[i]))
        old_text[i] = old
        differs[i] = old != checked.text[i]
    if checked.comment is not None:
        for i in np.flatnonzero(found & ~differs):
            if checked.comment[i] != stored.comment.get(int(keys[i]), ""):
                differs[i] = True
    return Comparison(new=~found, changed=found & differs, old_number=old_number, old_text=old_text)


# -- importing -------------------------------------------------------------------------------


def _old_value(comparison: Comparison, i: int) -> str | None:
    if comparison.old_text[i] is not None:
        return comparison.old_text[i]
    old = comparison.old_number[i]
    return None if np.isnan(old) else format_number(Decimal(repr(float(old))))


def _db_numbers(x: np.ndarray) -> list[Any]:
    """Numbers for the database: whole numbers as int (stored exactly), NaN as NULL."""
    out = x.astype(object)
    whole = np.isfinite(x) & (np.mod(x, 1) == 0)
    out[whole] = x[whole].astype(np.int64).astype(object)
    out[np.isnan(x)] = None
    return list(out)


def import_values(
    *,
    acting_user: User | None,
    data: bytes,
    kind: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    source_label: str = "",
    progress: Progress | None = None,
) -> ImportSummary:
    """Check a dataValueSets file and, unless it is a dry run, write it.

    With any conflict nothing is written unless ``skip_invalid``. Raises
    ExchangeFileError for a file that cannot be read at all.
    """
    report = progress or (lambda done, total, message: None)
    report(0, 4, "正在读取文件……")
    table = read_any(data, kind)
    guard = Guard(acting_user)
    if not guard.may_enter():
        raise ExchangeFileError("您的角色不能导入数据。")
    report(1, 4, f"共 {table.num_rows} 行，正在检查……")
    checked = check_table(table, guard)
    stored = load_stored(checked.periods, checked.unit) if len(checked.line) else None
    comparison = compare(checked, stored) if stored is not None else None
    summary = ImportSummary(dry_run=dry_run, ignored=checked.ignored)
    conflicts = list(checked.conflicts)
    conflict_count = checked.conflict_count
    write_mask = np.zeros(len(checked.line), dtype=bool)
    if comparison is not None:
        write_mask = comparison.new | comparison.changed
        # Locks and report status, once per (data set, unit, period) the file changes.
        rows = np.flatnonzero(write_mask)
        packed = _triple_keys(checked.data_set[rows], checked.unit[rows], checked.period[rows])
        unique_keys, inverse = np.unique(packed, return_inverse=True)
        unique = _unpack_triples(unique_keys)
        unit_info = _unit_infos(
            np.unique(unique[:, 1]) if len(unique) else np.array([], dtype=np.int64)
        )
        data_sets = DataSet.objects.in_bulk(np.unique(unique[:, 0]).tolist() if len(unique) else [])
        reasons = [
            guard.blocked(data_sets[d], unit_info[u], checked.periods[p])
            for d, u, p in unique.tolist()
        ]
        refused = np.array([r is not None for r in reasons], dtype=bool)
        if refused.any():
            hit = rows[refused[inverse.reshape(-1)]]
            conflict_count += len(hit)
            for i in hit[: max(0, MAX_CONFLICTS - len(conflicts))]:
                reason = reasons[int(inverse.reshape(-1)[np.searchsorted(rows, i)])]
                conflicts.append(
                    Conflict(
                        int(checked.line[i]),
                        "orgunit",
                        unit_info[int(checked.unit[i])].code,
                        reason or "",
                    )
                )
            write_mask[hit] = False
        summary.unchanged = int(np.count_nonzero(~(comparison.new | comparison.changed)))
    conflicts.sort(key=lambda c: c.line)
    summary.conflicts = conflicts
    summary.conflict_count = conflict_count
    if conflict_count and not skip_invalid:
        summary.status = "ERROR"
        return summary
    if comparison is not None:
        summary.imported = int(np.count_nonzero(write_mask & comparison.new))
        summary.updated = int(np.count_nonzero(write_mask & comparison.changed))
    if conflict_count:
        summary.status = "WARNING"
    if dry_run or comparison is None or not write_mask.any():
        return summary
    report(2, 4, f"检查完毕，正在写入 {int(write_mask.sum())} 个值……")
    _write(acting_user, checked, comparison, write_mask, summary, source_label)
    report(4, 4, summary.text())
    return summary


def _triple_keys(data_set: np.ndarray, unit: np.ndarray, period: np.ndarray) -> np.ndarray:
    """(data set, unit, period index) packed into one int64, so np.unique stays one sort."""
    return np.asarray((data_set << 42) + (unit << 10) + period, dtype=np.int64)


def _unpack_triples(keys: np.ndarray) -> np.ndarray:
    return np.stack([keys >> 42, (keys >> 10) & ((1 << 32) - 1), keys & ((1 << 10) - 1)], axis=1)


def _repeat(text: str, count: int) -> pa.Array:
    """``count`` copies of one string, without ``count`` Python strings."""
    return pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(count, dtype=np.int32)), pa.array([text])
    ).cast(pa.string())


def _constant_or(values: np.ndarray, constant: str) -> pa.Array:
    if (
        len(values)
        and all(v == constant for v in (values[0], values[-1]))
        and not np.any(values != constant)
    ):
        return _repeat(constant, len(values))
    return pa.array(values.tolist(), pa.string())


def _unit_infos(ids: np.ndarray) -> dict[int, Any]:
    from renkou.reporting.imports import UnitInfo

    found = {}
    ordered = ids.tolist()
    for start in range(0, len(ordered), 500):
        for pk, code, name, level, path in OrgUnit.objects.filter(
            pk__in=ordered[start : start + 500]
        ).values_list("id", "code", "name", "level", "path"):
            found[pk] = UnitInfo(pk, code, name, level, path)
    return found


@transaction.atomic
def _write(
    acting_user: User | None,
    checked: Checked,
    comparison: Comparison,
    mask: np.ndarray,
    summary: ImportSummary,
    source_label: str,
) -> None:
    from renkou.reporting.rollups import refresh_units
    from renkou.reporting.writes import COPY_THRESHOLD, _insert_new, _upsert, copy_columns

    event = record_event(
        actor=acting_user,
        action="reporting.import_values",
        object_type="reporting.datavalue",
        object_repr=source_label[:200] or "dataValueSets",
        org_path=acting_user.home_unit.path if acting_user and acting_user.home_unit else "",
        changes={"imported": summary.imported, "updated": summary.updated},
    )
    now = timezone.now()
    when = connection.ops.adapt_datetimefield_value(now)
    user_id = acting_user.pk if acting_user is not None and acting_user.pk else None
    rows = np.flatnonzero(mask)
    period_ids = [p.id for p in checked.periods]
    new = comparison.new[rows]
    # Without a comment column, a changed value keeps its stored comment.
    comments: list[str] | np.ndarray
    if checked.comment is not None:
        comments = checked.comment[rows]
    elif comparison.changed[rows].any():
        keys = _keys(checked.unit[rows], checked.element[rows], checked.period[rows])
        stored = load_stored(checked.periods, checked.unit[rows]).comment
        comments = np.array([stored.get(int(k), "") for k in keys.tolist()], dtype=object)
    else:
        comments = np.full(len(rows), "", dtype=object)
    if connection.vendor == "postgresql" and len(rows) >= COPY_THRESHOLD:
        # Arrow straight from the numpy columns: no Python object per value.
        count = len(rows)
        numbers = checked.number[rows]
        texts = checked.text[rows]
        columns = pa.table(
            {
                "element_id": pa.array(checked.element[rows], pa.int64()),
                "orgunit_id": pa.array(checked.unit[rows], pa.int64()),
                "period": pa.DictionaryArray.from_arrays(
                    pa.array(checked.period[rows], pa.int32()), pa.array(period_ids)
                ).cast(pa.string()),
                "value": pa.array(numbers, pa.float64(), mask=np.isnan(numbers)),
                "text": _constant_or(texts, ""),
                "comment": _constant_or(np.asarray(comments, dtype=object), ""),
                "updated_at": _repeat(now.isoformat(), count),
                "updated_by_id": pa.array(
                    np.full(count, user_id or 0), pa.int64(), mask=np.full(count, user_id is None)
                ),
            }
        )
        copy_columns(columns.filter(pa.array(new)), upsert=False)
        copy_columns(columns.filter(pa.array(~new)), upsert=True)
    else:
        params = list(
            zip(
                checked.element[rows].tolist(),
                checked.unit[rows].tolist(),
                [period_ids[i] for i in checked.period[rows].tolist()],
                _db_numbers(checked.number[rows]),
                checked.text[rows].tolist(),
                list(comments),
                [when] * len(rows),
                [user_id] * len(rows),
                strict=True,
            )
        )
        _insert_new([row for row, fresh in zip(params, new.tolist(), strict=True) if fresh])
        _upsert([row for row, fresh in zip(params, new.tolist(), strict=True) if not fresh], None)
    changed = [i for i in rows.tolist() if comparison.changed[i]]
    if changed:
        history = [
            (
                int(checked.element[i]),
                int(checked.unit[i]),
                period_ids[int(checked.period[i])],
                _old_value(comparison, i),
                checked.text[i] or format_number(Decimal(repr(float(checked.number[i])))),
                when,
                user_id,
                event.pk,
            )
            for i in changed
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {ValueChange._meta.db_table} (element_id, orgunit_id, period, "  # noqa: S608
                "old_value, new_value, changed_at, changed_by_id, event_id) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                history,
            )
    # Draft reports for units that had none, one per (data set, unit, period).
    triples = _unpack_triples(
        np.unique(_triple_keys(checked.data_set[rows], checked.unit[rows], checked.period[rows]))
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    table = Report._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement over arrays instead of a round trip per report.
            cursor.execute(
                f"INSERT INTO {table} (data_set_id, orgunit_id, period, status, "  # noqa: S608
                "return_reason, findings, created_at, updated_at) "
                "SELECT d, u, p, %s, '', '[]', %s, %s "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) AS t(d, u, p) "
                "ON CONFLICT (data_set_id, orgunit_id, period) DO NOTHING",
                [
                    ReportStatus.DRAFT,
                    stamp,
                    stamp,
                    triples[:, 0].tolist(),
                    triples[:, 1].tolist(),
                    [period_ids[int(p)] for p in triples[:, 2]],
                ],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} (data_set_id, orgunit_id, period, status, "  # noqa: S608
                "return_reason, findings, created_at, updated_at) "
                "VALUES (%s, %s, %s, %s, '', '[]', %s, %s) "
                "ON CONFLICT (data_set_id, orgunit_id, period) DO NOTHING",
                [
                    (int(d), int(u), period_ids[int(p)], ReportStatus.DRAFT, stamp, stamp)
                    for d, u, p in triples
                ],
            )
    by_year: dict[int, set[int]] = {}
    pairs = np.unique((checked.unit[rows] << 10) + checked.period[rows])
    for unit, period_index in zip((pairs >> 10).tolist(), (pairs & 1023).tolist(), strict=True):
        by_year.setdefault(checked.periods[period_index].year, set()).add(unit)
    refresh_units(by_year)


# -- exporting -------------------------------------------------------------------------------


def export_rows(
    data_set: DataSet, periods: list[Period], root: OrgUnit, *, children: bool = True
) -> list[tuple[str, str, str, str, str]]:
    """(dataelement, period, orgunit, value, comment) of a data set's values under ``root``."""
    elements = data_set_elements(data_set)
    kinds = {e.pk: e.value_type for e in elements}
    query = DataValue.objects.filter(element__in=elements, period__in=[p.id for p in periods])
    query = (
        query.filter(subtree_q(root.path, "orgunit__")) if children else query.filter(orgunit=root)
    )
    rows = []
    for code, period, unit, value, text, comment, element_id in query.order_by(
        "orgunit__path", "period", "element__code"
    ).values_list(
        "element__code", "period", "orgunit__code", "value", "text", "comment", "element_id"
    ):
        if kinds[element_id] == ValueType.TEXT:
            shown = text
        elif value is None:
            continue
        else:
            shown = format_number(value)
        rows.append((code, period, unit, shown, comment))
    return rows


def to_csv(rows: list[tuple[str, str, str, str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        # A leading = + - @ would run as a formula if someone opens the file in Excel.
        writer.writerow([row[0], row[1], row[2], row[3], _safe(row[4])])
    return buffer.getvalue()


def _safe(text: str) -> str:
    return "'" + text if text.startswith(("=", "+", "-", "@")) else text


def to_json(rows: list[tuple[str, str, str, str, str]]) -> dict[str, Any]:
    return {
        "dataValues": [
            {
                "dataElement": e,
                "period": p,
                "orgUnit": u,
                "value": v,
                **({"comment": c} if c else {}),
            }
            for e, p, u, v, c in rows
        ]
    }
