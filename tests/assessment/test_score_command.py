"""``renkou score`` through call_command: golden files, exit status 2, warnings."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from renkou.scoring import read_units, write_units

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "schemes"

GOLDEN = [
    ("township.yaml", "township.units.json", "township.results.json", "zh"),
    ("village.yaml", "village.units.csv", "village.results.json", "zh"),
    ("county.json", "county.units.json", "county.results.json", "zh"),
    ("county.json", "county.units.json", "county.results.en.json", "en"),
]


def score(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("score", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("scheme", "units", "golden", "lang"), GOLDEN)
def test_it_reproduces_each_golden_file(
    tmp_path: Path, scheme: str, units: str, golden: str, lang: str
) -> None:
    out = tmp_path / golden
    score("--scheme", str(EXAMPLES / scheme), "--units", str(EXAMPLES / units),
          "--out", str(out), "--lang", lang)  # fmt: skip
    assert out.read_bytes() == (EXAMPLES / golden).read_bytes()


@pytest.mark.parametrize(("scheme", "units", "golden", "lang"), GOLDEN[:1])
def test_it_prints_json_to_stdout_without_out(
    scheme: str, units: str, golden: str, lang: str
) -> None:
    printed, warned = score("--scheme", str(EXAMPLES / scheme), "--units", str(EXAMPLES / units))
    assert printed == (EXAMPLES / golden).read_text(encoding="utf-8")
    assert warned == "331003102 头陀镇：satisfaction未上报，群众满意度得0分\n"


def test_it_reads_xlsx_units(tmp_path: Path) -> None:
    workbook = tmp_path / "village.units.xlsx"
    write_units(read_units(EXAMPLES / "village.units.csv"), workbook)
    out = tmp_path / "village.results.json"
    score("--scheme", str(EXAMPLES / "village.yaml"), "--units", str(workbook), "--out", str(out))
    assert out.read_bytes() == (EXAMPLES / "village.results.json").read_bytes()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_it_writes_tables(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"results{suffix}"
    score("--scheme", str(EXAMPLES / "county.json"), "--units",
          str(EXAMPLES / "county.units.json"), "--out", str(out))  # fmt: skip
    assert out.stat().st_size > 0


def test_it_exits_2_listing_every_problem_of_a_bad_scheme(tmp_path: Path) -> None:
    scheme = tmp_path / "bad.yaml"
    scheme.write_text(
        "code: bad\nname: 坏方案\n"
        "grades: [{name: 优秀, min: 90}, {name: 良好, min: 95}, {name: 差}]\n"
        "items:\n"
        "  - {code: a, name: 甲, points: 10, value: x, rule: {type: shortfall, target: 95,"
        " step: 0, deduct: 0.3}}\n"
        "  - {code: a, name: 乙, points: 10, value: y, rule: {type: guess}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "results.json"
    with pytest.raises(CommandError) as caught:
        score("--scheme", str(scheme), "--units", str(EXAMPLES / "county.units.json"),
              "--out", str(out), "--lang", "en")  # fmt: skip
    assert caught.value.returncode == 2
    lines = str(caught.value).splitlines()
    assert lines[0] == f"the scheme {scheme} has 4 problem(s); nothing was scored:"
    assert lines[1:] == [
        "grades[1].min: must be lower than the previous grade's min 90",
        "items[0].rule.step: must be greater than 0",
        "items[1].code: duplicate code a (also at items[0])",
        'items[1].rule.type: unknown rule type "guess" (known: threshold, band, shortfall, '
        "ratio, per_case, scaled, table, excess, relative, progress, blend, srb_interval)",
    ]
    assert not out.exists()


def test_bad_units_name_the_unit_and_the_key(tmp_path: Path) -> None:
    units = tmp_path / "units.json"
    document = json.loads((EXAMPLES / "county.units.json").read_text(encoding="utf-8"))
    document["units"][1]["values"]["childcare_places"] = "四点五"
    units.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        score("--scheme", str(EXAMPLES / "county.json"), "--units", str(units))
    assert caught.value.returncode == 2
    assert str(caught.value).splitlines()[1] == '331003 黄岩区: childcare_places: "四点五"不是数字'


def test_strict_turns_a_missing_figure_into_an_error() -> None:
    with pytest.raises(CommandError) as caught:
        score("--scheme", str(EXAMPLES / "township.yaml"), "--units",
              str(EXAMPLES / "township.units.json"), "--strict")  # fmt: skip
    assert caught.value.returncode == 2
    assert "331003102 头陀镇: satisfaction: 未上报" in str(caught.value)


def test_an_unreadable_units_file_exits_2(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        score("--scheme", str(EXAMPLES / "county.json"), "--units", str(tmp_path / "none.csv"))
    assert caught.value.returncode == 2


def test_an_unknown_output_type_exits_2(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        score("--scheme", str(EXAMPLES / "county.json"), "--units",
              str(EXAMPLES / "county.units.json"), "--out", str(tmp_path / "r.pdf"))  # fmt: skip
    assert caught.value.returncode == 2
