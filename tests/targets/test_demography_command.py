"""``renkou demography lifetable|project --input FILE.json``."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.demography.test_lifetable import (
    AUSTRIA_AX,
    AUSTRIA_DEATHS,
    AUSTRIA_LX,
    AUSTRIA_POPULATION,
)
from tests.demography.test_projection import (
    SWEDEN_AGES,
    SWEDEN_ASFR,
    SWEDEN_LX,
    SWEDEN_WOMEN,
)

ABRIDGED = [0, 1, *range(5, 90, 5)]


def run(tmp_path: Path, action: str, data: Any) -> dict[str, Any]:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = io.StringIO()
    call_command("demography", action, "--input", str(path), stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def test_lifetable_prints_the_table_as_json(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "lifetable",
        {
            "ages": ABRIDGED,
            "deaths": AUSTRIA_DEATHS,
            "population": AUSTRIA_POPULATION,
            "ax": AUSTRIA_AX,
            "sex": "male",
        },
    )
    assert [round(x) for x in result["lx"]] == AUSTRIA_LX
    assert result["widths"][-1] is None
    assert result["sex"] == "male"


def test_lifetable_with_rules(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "lifetable",
        {
            "ages": list(range(101)),
            "mx": [0.005] + [0.0005] * 60 + [0.02] * 40,
            "a0_rule": "andreev_kingkade",
            "ax_rule": "un_greville",
        },
    )
    assert result["a0_rule"] == "andreev_kingkade"
    assert len(result["ex"]) == 101


def test_project_prints_projection_and_leslie_matrix(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "project",
        {
            "ages": SWEDEN_AGES,
            "step": 5,
            "female_population": SWEDEN_WOMEN,
            "female_Lx": SWEDEN_LX,
            "male_population": SWEDEN_WOMEN,
            "male_Lx": SWEDEN_LX,
            "asfr": SWEDEN_ASFR,
            "srb": 106,
            "migration": {"female": [100] * 18, "male": [120] * 18},
            "migration_timing": "even",
            "steps": 2,
        },
    )
    projection, matrix = result["projection"], result["leslie"]
    assert len(projection["female"]) == 3
    assert len(projection["male"]) == 3
    assert projection["male_births"][0] == pytest.approx(projection["female_births"][0] * 1.06)
    assert matrix["two_sex"] is True
    assert len(matrix["matrix"]) == 36
    assert matrix["dominant_eigenvalue"] > 1


def test_input_from_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    data = {"ages": [0, 1, 5], "mx": [0.01, 0.001, 0.1]}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(data)))
    out = io.StringIO()
    call_command("demography", "lifetable", "--input", "-", stdout=out)
    assert json.loads(out.getvalue())["ages"] == [0, 1, 5]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mx": [0.1]}, "--input: 'ages' is required for lifetable"),
        ({"ages": [0, 1, 5], "mx": [0.1, 0.1, 0.1], "colour": 1}, "--input: unknown key 'colour'"),
        ([1, 2], "--input: must hold a JSON object"),
        ({"ages": [0, 1, 5], "mx": [0.01, -0.1, 0.1]}, "mx: must not be negative"),
        ({"ages": [0, 5, 1], "mx": [0.01, 0.1, 0.1]}, "ages: must be strictly ascending"),
        ({"ages": [0, 1, 5], "mx": {"a": 1}}, "mx: expected numbers"),
        ({"ages": [0, 1, 5], "mx": [0.01, 0.1, 0.1], "radix": "many"}, "radix: expected a number"),
    ],
)
def test_bad_lifetable_input_gives_a_one_line_reason(
    tmp_path: Path, data: Any, message: str
) -> None:
    with pytest.raises(CommandError) as caught:
        run(tmp_path, "lifetable", data)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"step": None}, "--input: 'step' is required for project"),
        ({"asfr": [0.1] * 18}, "asfr: births to women aged 0 are implausible"),
        ({"female_population": [1] * 17}, "female_population: has 17 values"),
        ({"migration": {"female": [0] * 18}}, "migration: as an object it needs"),
        ({"srb": 1.05}, "srb: 1.05 is not a plausible"),
    ],
)
def test_bad_project_input_gives_a_one_line_reason(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    data: dict[str, Any] = {
        "ages": SWEDEN_AGES,
        "step": 5,
        "female_population": SWEDEN_WOMEN,
        "female_Lx": SWEDEN_LX,
        "asfr": SWEDEN_ASFR,
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    with pytest.raises(CommandError) as caught:
        run(tmp_path, "project", data)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_unreadable_or_broken_input_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"^--input: cannot read .*missing\.json"):
        call_command("demography", "lifetable", "--input", str(tmp_path / "missing.json"))
    broken = tmp_path / "broken.json"
    broken.write_text('{"ages": [0, 1,', encoding="utf-8")
    with pytest.raises(CommandError, match=r"^--input: not valid JSON \(.*line 1 column"):
        call_command("demography", "lifetable", "--input", str(broken))


def test_unknown_action_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("demography", "pyramid", "--input", str(tmp_path / "x.json"))
