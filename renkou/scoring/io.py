"""Reading units and writing results as JSON, CSV or XLSX, chosen by file extension.

CSV and XLSX units use one row per unit with the columns
``code,name,class,<value>…,target.<item>…,previous.<value>…``; an empty cell is
a figure not reported. JSON follows the documented ``{"units": [...]}`` shape.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from os import PathLike
from pathlib import Path
from typing import Any, Final

from .errors import UnitsError
from .results import Results, number
from .text import check_lang, tr
from .units import Unit

__all__ = ["dump_results", "read_units", "write_results", "write_units"]

FORMATS: Final = (".json", ".csv", ".xlsx")
_FIXED: Final = ("code", "name", "class")
_SUMMARY: Final = (
    "bonus",
    "raw_total",
    "total",
    "grade",
    "vetoes",
    "ceiling",
    "rank",
    "class_rank",
)


def _suffix(path: Path, lang: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        message = tr(lang, "bad_extension", ext=suffix or "''", known=known)
        raise UnitsError([(str(path), "", message)])
    return suffix


# --- units -------------------------------------------------------------------


def read_units(path: str | PathLike[str], *, lang: str = "zh") -> list[dict[str, Any]]:
    """Units from a file, as mappings in the JSON shape; figures are left unconverted."""
    check_lang(lang)
    where = Path(path)
    suffix = _suffix(where, lang)
    try:
        if suffix == ".json":
            return _units_from_json(where, lang)
        rows = _csv_rows(where) if suffix == ".csv" else _xlsx_rows(where)
    except UnitsError:
        raise
    except (OSError, UnicodeDecodeError, ValueError) as error:
        message = tr(lang, "cannot_read", error=" ".join(str(error).split()))
        raise UnitsError([(str(where), "", message)]) from error
    except Exception as error:
        # The XLSX reader raises its own exception types for damaged files.
        message = tr(
            lang, "cannot_read", error=" ".join(str(error).split()) or type(error).__name__
        )
        raise UnitsError([(str(where), "", message)]) from error
    return _units_from_rows(rows)


def _units_from_json(path: Path, lang: str) -> list[dict[str, Any]]:
    document = json.loads(path.read_text(encoding="utf-8-sig"), parse_float=Decimal)
    listed = document.get("units") if isinstance(document, Mapping) else document
    if not isinstance(listed, list):
        raise UnitsError([(str(path), "units", tr(lang, "no_units_list"))])
    return listed


def _csv_rows(path: Path) -> list[list[Any]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _xlsx_rows(path: Path) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    rows: list[list[Any]] = workbook.get_sheet_by_index(0).to_python()
    return rows


def _cell(raw: Any) -> Any:
    if isinstance(raw, str):
        return raw.strip()
    # Spreadsheets store every number as a float; 160.0 births are 160.
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw


def _units_from_rows(rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    if not rows:
        return []
    header = [str(_cell(name)) for name in rows[0]]
    units = []
    for row in rows[1:]:
        cells = [_cell(raw) for raw in row]
        if all(cell in ("", None) for cell in cells):
            continue
        unit: dict[str, Any] = {"values": {}, "targets": {}, "previous": {}}
        for column, cell in zip(header, cells, strict=False):
            if not column or cell in ("", None):
                continue
            if column in _FIXED:
                unit[column] = str(cell)
            elif column.startswith("target."):
                unit["targets"][column.removeprefix("target.")] = cell
            elif column.startswith("previous."):
                unit["previous"][column.removeprefix("previous.")] = cell
            else:
                unit["values"][column] = cell
        units.append(unit)
    return units


def _as_mapping(unit: Mapping[str, Any] | Unit) -> dict[str, Any]:
    if isinstance(unit, Unit):
        return {
            "code": unit.code,
            "name": unit.name,
            "class": unit.class_code,
            "values": dict(unit.values),
            "targets": dict(unit.targets),
            "previous": dict(unit.previous),
        }
    return dict(unit)


def _plain(raw: Any) -> Any:
    if isinstance(raw, Decimal):
        return number(raw)
    if isinstance(raw, Mapping):
        return {str(key): _plain(value) for key, value in raw.items()}
    if isinstance(raw, list | tuple):
        return [_plain(value) for value in raw]
    return raw


def write_units(units: Iterable[Mapping[str, Any] | Unit], path: str | PathLike[str]) -> None:
    where = Path(path)
    suffix = _suffix(where, "en")
    listed = [_as_mapping(unit) for unit in units]
    if suffix == ".json":
        text = json.dumps({"units": _plain(listed)}, ensure_ascii=False, indent=2)
        where.write_text(text + "\n", encoding="utf-8")
        return
    header: list[str] = list(_FIXED)
    for unit in listed:
        for section, prefix in (("values", ""), ("targets", "target."), ("previous", "previous.")):
            for key in unit.get(section) or {}:
                if prefix + key not in header:
                    header.append(prefix + key)
    rows: list[list[Any]] = [header]
    for unit in listed:
        row = []
        for column in header:
            if column in _FIXED:
                row.append(unit.get(column))
            elif column.startswith("target."):
                row.append((unit.get("targets") or {}).get(column.removeprefix("target.")))
            elif column.startswith("previous."):
                row.append((unit.get("previous") or {}).get(column.removeprefix("previous.")))
            else:
                row.append((unit.get("values") or {}).get(column))
        rows.append([_plain(cell) for cell in row])
    _write_table(where, suffix, {"units": rows})


# --- results -----------------------------------------------------------------


def dump_results(results: Results) -> str:
    """The results as JSON text, byte-for-byte stable for golden files."""
    return json.dumps(results.to_dict(), ensure_ascii=False, indent=2) + "\n"


def _results_table(results: Results) -> list[list[Any]]:
    codes = [code for code, _ in results.columns]
    header = [
        "code",
        "name",
        "class",
        *codes,
        *_SUMMARY,
        *(f"{code}.explanation" for code in codes),
    ]
    rows: list[list[Any]] = [header]
    for unit in results.results:
        scores: dict[str, Any] = {}
        explanations: dict[str, str] = {}
        for item in [*unit.items, *unit.bonuses]:
            scores[item.code] = number(item.score)
            explanations[item.code] = item.explanation
        rows.append(
            [
                unit.code,
                unit.name,
                unit.class_code,
                *(scores.get(code) for code in codes),
                number(unit.bonus),
                number(unit.raw_total),
                number(unit.total),
                unit.grade,
                ";".join(unit.vetoes),
                unit.ceiling,
                unit.rank,
                unit.class_rank,
                *(explanations.get(code, "") for code in codes),
            ]
        )
    return rows


def _detail_table(results: Results) -> list[list[Any]]:
    names = dict(results.columns)
    rows: list[list[Any]] = [
        [
            "code",
            "name",
            "item",
            "item_name",
            "points",
            "value",
            "target",
            "score",
            "skipped",
            "explanation",
        ]
    ]
    for unit in results.results:
        for item in [*unit.items, *unit.bonuses]:
            rows.append(
                [
                    unit.code,
                    unit.name,
                    item.code,
                    names.get(item.code, item.code),
                    number(item.points),
                    number(item.value),
                    number(item.target),
                    number(item.score),
                    item.skipped,
                    item.explanation,
                ]
            )
    return rows


def write_results(results: Results, path: str | PathLike[str]) -> None:
    """Write results to ``path``; CSV holds one row per unit, XLSX adds details and warnings."""
    where = Path(path)
    suffix = _suffix(where, results.lang)
    if suffix == ".json":
        where.write_text(dump_results(results), encoding="utf-8")
        return
    sheets = {"results": _results_table(results)}
    if suffix == ".xlsx":
        sheets["explanations"] = _detail_table(results)
        sheets["warnings"] = [["warning"], *([line] for line in results.warnings)]
    _write_table(where, suffix, sheets)


def _write_table(path: Path, suffix: str, sheets: Mapping[str, list[list[Any]]]) -> None:
    if suffix == ".csv":
        ((_, rows),) = list(sheets.items())[:1]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in rows:
            writer.writerow(["" if cell is None else _csv_cell(cell) for cell in row])
        # A byte-order mark lets Excel open the Chinese text without garbling it.
        path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
        return
    from openpyxl import Workbook

    workbook = Workbook()
    first = True
    for title, rows in sheets.items():
        sheet = workbook.active if first else workbook.create_sheet()
        sheet.title = title
        first = False
        for row in rows:
            sheet.append(row)
    workbook.save(path)


def _csv_cell(cell: Any) -> str:
    if isinstance(cell, bool):
        return "true" if cell else "false"
    return str(cell)
