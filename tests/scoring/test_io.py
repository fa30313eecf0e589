"""Units and results in JSON, CSV and XLSX."""

from __future__ import annotations

import csv
import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from renkou.scoring import (
    UnitsError,
    dump_results,
    load_scheme,
    read_units,
    score_units,
    write_results,
    write_units,
)

from .support import scheme_dict

SCHEME = scheme_dict(
    [
        {
            "code": "births",
            "name": "出生数",
            "points": 10,
            "value": "births",
            "rule": {"type": "ratio", "target": "target"},
        },
        {
            "code": "srb",
            "name": "性别比改善",
            "points": 10,
            "value": "srb",
            "rule": {
                "type": "progress",
                "direction": "lower",
                "rule": {"type": "threshold", "target": 0},
            },
        },
    ],
    classes=[{"code": "street", "name": "街道"}],
)

UNITS = [
    {
        "code": "331003006",
        "name": "澄江街道",
        "class": "street",
        "values": {"births": 378, "srb": D("108.3")},
        "targets": {"births": 420},
        "previous": {"srb": D("110.2")},
    },
    {
        "code": "331003007",
        "name": "江口街道",
        "class": "street",
        "values": {"births": 300},
        "targets": {"births": 300},
        "previous": {"srb": 105},
    },
]


def totals(units: list[dict[str, Any]]) -> list[D]:
    return [unit.total for unit in score_units(load_scheme(SCHEME), units).results]


def test_csv_columns_map_to_values_targets_and_previous(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(
        "\ufeffcode,name,class,births,srb,target.births,previous.srb,remark\n"
        "331003006,澄江街道,street,378,108.3,420,110.2,已核\n"
        "331003007,江口街道,street,300,,300,105,\n",
        encoding="utf-8",
    )
    units = read_units(path)
    assert units[0] == {
        "code": "331003006",
        "name": "澄江街道",
        "class": "street",
        "values": {"births": "378", "srb": "108.3", "remark": "已核"},
        "targets": {"births": "420"},
        "previous": {"srb": "110.2"},
    }
    assert "srb" not in units[1]["values"]
    # 10 × 378 / 420 = 9; SRB 110.2 → 108.3 improved: 10; total 19.
    assert totals(units) == [D(19), D(10)]


@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx"])
def test_units_round_trip_through_every_format(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"units{suffix}"
    write_units(UNITS, path)
    assert totals(read_units(path)) == totals(UNITS) == [D(19), D(10)]


def test_xlsx_numbers_come_back_as_whole_numbers_where_whole(tmp_path: Path) -> None:
    path = tmp_path / "units.xlsx"
    write_units(UNITS, path)
    first = read_units(path)[0]
    assert first["code"] == "331003006"
    assert first["values"]["births"] == 378
    assert first["targets"] == {"births": 420}


def test_unknown_extensions_and_missing_files_are_unit_errors(tmp_path: Path) -> None:
    with pytest.raises(UnitsError, match=r"unsupported file type \.txt"):
        read_units(tmp_path / "units.txt", lang="en")
    with pytest.raises(UnitsError, match="cannot be read"):
        read_units(tmp_path / "absent.csv", lang="en")
    not_a_list = tmp_path / "units.json"
    not_a_list.write_text('{"units": 3}', encoding="utf-8")
    with pytest.raises(UnitsError, match="no units list"):
        read_units(not_a_list, lang="en")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(UnitsError, match="cannot be read"):
        read_units(broken, lang="en")


def test_results_as_json(tmp_path: Path) -> None:
    results = score_units(load_scheme(SCHEME), UNITS)
    path = tmp_path / "results.json"
    write_results(results, path)
    text = path.read_text(encoding="utf-8")
    assert text == dump_results(results)
    assert json.loads(text)["results"][0]["items"][0]["explanation"] == (
        "出生数378，目标420，完成率90%，按10×378÷420计，得9分"
    )


def test_results_as_csv(tmp_path: Path) -> None:
    results = score_units(load_scheme(SCHEME), UNITS)
    path = tmp_path / "results.csv"
    write_results(results, path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
        "code",
        "name",
        "class",
        "births",
        "srb",
        "bonus",
        "raw_total",
        "total",
        "grade",
        "vetoes",
        "ceiling",
        "rank",
        "class_rank",
        "births.explanation",
        "srb.explanation",
    ]
    assert rows[1][:13] == [
        "331003006",
        "澄江街道",
        "street",
        "9",
        "10",
        "0",
        "19",
        "19",
        "不合格",
        "",
        "",
        "1",
        "",
    ]
    assert rows[2][4] == "0"
    assert rows[2][14] == "未上报"


def test_results_as_xlsx(tmp_path: Path) -> None:
    results = score_units(load_scheme(SCHEME), UNITS)
    path = tmp_path / "results.xlsx"
    write_results(results, path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["results", "explanations", "warnings"]
    summary = list(workbook["results"].iter_rows(values_only=True))
    assert summary[1][:8] == ("331003006", "澄江街道", "street", 9, 10, 0, 19, 19)
    details = list(workbook["explanations"].iter_rows(values_only=True))
    assert details[1][2:4] == ("births", "出生数")
    assert details[1][-1] == "出生数378，目标420，完成率90%，按10×378÷420计，得9分"
    warnings = [row[0] for row in workbook["warnings"].iter_rows(values_only=True)]
    assert warnings == ["warning", "331003007 江口街道：srb未上报，性别比改善得0分"]
