"""Scheme rules in plain Chinese (text only; scores come from renkou.scoring)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from renkou.contracts.describe import Describer, item_text, resolve_for_class
from renkou.scoring import load_scheme

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "schemes"


@pytest.fixture
def township() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "township.yaml").read_text(encoding="utf-8"))
    load_scheme(data)  # the example is valid
    return data


def describe(data: dict[str, Any], code: str, klass: str | None = None, targets=None) -> str:
    entry = next(i for i in data["items"] if i["code"] == code)
    return item_text(resolve_for_class(entry, klass), Describer(targets or {}, {}))


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("registration", "生育登记服务率达到95%得10分，每低0.1个百分点扣0.3分，扣完为止。"),
        ("contacts", "特扶家庭双岗联系人落实率达到100%得6分，否则不得分。"),
        ("underreport", "出生信息漏报每发生1例扣0.5分，上级查实的加倍扣分，扣完为止。"),
        (
            "timeliness",
            "月报及时率分档计分：100%及以上得6分；95%（含）至100%得80%的分值；"
            "90%（含）至95%得50%的分值；低于90%得0分。",
        ),
        (
            "floating",
            "流动人口服务登记率达到90%得6分，每低1个百分点扣0.5分，不足一档按一档扣，扣完为止。",
        ),
    ],
)
def test_rules_read_as_an_assessor_writes_them(township, code, text) -> None:
    assert describe(township, code) == text


def test_the_units_own_target_is_written_in(township) -> None:
    text = describe(township, "births", targets={"births": "420"})
    assert text.startswith("出生监测数在责任目标（420）的85%至责任目标（420）之间得8分")


def test_a_class_override_changes_the_rule(township) -> None:
    plain = describe(township, "childcare", targets={"childcare": "4.5"})
    mountain = describe(township, "childcare", "mountain", targets={"childcare": "4.5"})
    assert "实际值÷责任目标（4.5））" in plain
    assert "责任目标（4.5）的80%" in mountain


def test_zero_if_and_multiplier_are_stated(township) -> None:
    assert "经查实有育儿补贴弄虚作假的，本项不得分" in describe(township, "subsidy")
    assert "得分乘以难度系数，以本项分值为限" in describe(township, "monthly")


def test_every_rule_of_every_example_scheme_is_described() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")) + sorted(EXAMPLES.glob("*.json")):
        if "results" in path.name or "units" in path.name:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data["items"]:
            text = item_text(resolve_for_class(entry, None), Describer({}, {}))
            assert "按考核方案的规定计分" not in text, (path.name, entry["code"])
            assert text.endswith("。")
