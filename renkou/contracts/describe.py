"""Scheme rules in plain Chinese, as a contract states them.

This only writes text; scores are computed by ``renkou.scoring`` alone. It
reads the scheme mapping as stored (already validated by ``load_scheme``), so
the wording follows what the assessor wrote, with the unit's own target put
in where a rule says ``target``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from renkou.scoring.text import fmt

STATS = {"mean": "平均值", "median": "中位数", "best": "最好值", "worst": "最差值"}
OVER = {"all": "全部被考核单位", "class": "同类单位"}
# Words of the figure codes assessors use in conditions, for codes the
# catalogue does not name (facts such as ``data_fraud``).
GLOSSARY = {
    "data": "统计数据",
    "fraud": "弄虚作假",
    "subsidy": "育儿补贴",
    "reward": "奖励扶助",
    "major": "重大",
    "petitions": "信访问题",
    "underreported": "漏报",
    "found": "（上级查实）",
    "births": "出生",
}
OPS = {"<": "低于", "<=": "不高于", ">": "大于", ">=": "不低于", "==": "等于", "!=": "不等于"}


def num(raw: Any) -> str:
    """A scheme number as an assessor writes it (``0.5``, ``100``)."""
    try:
        return fmt(Decimal(str(raw)))
    except (InvalidOperation, ValueError):
        return str(raw)


def percent(raw: Any) -> str:
    try:
        return fmt(Decimal(str(raw)) * 100)
    except (InvalidOperation, ValueError):
        return str(raw)


def resolve_for_class(entry: Mapping[str, Any], klass: str | None) -> dict[str, Any]:
    """An item as it applies to a unit of ``klass``: ``by_class`` merged in (a
    rule with a ``type`` replaces the rule, one without only changes some
    parameters), as the kernel does."""
    item = {k: v for k, v in entry.items() if k != "by_class"}
    override = (entry.get("by_class") or {}).get(klass) if klass else None
    if isinstance(override, Mapping):
        for key, value in override.items():
            if key == "rule" and isinstance(value, Mapping) and "type" not in value:
                item["rule"] = {**dict(item.get("rule") or {}), **dict(value)}
            else:
                item[key] = value
    return item


class Describer:
    """Describes the rules of one unit's items; ``targets`` maps an item code to
    the unit's own target text for it (e.g. ``"420人"``)."""

    def __init__(self, targets: Mapping[str, str], names: Mapping[str, str]) -> None:
        self.targets = targets
        self.names = names
        # "%" while describing an item measured in per cent: 95 reads "95%" and a
        # step of 0.1 reads "0.1个百分点".
        self.mark = ""

    def fixed(self, raw: Any) -> str:
        if self.mark == "pp":
            return f"{num(raw)}个百分点"
        return num(raw) + self.mark

    def step(self, raw: Any) -> str:
        return f"{num(raw)}个百分点" if self.mark in {"%", "pp"} else num(raw)

    def name_of(self, code: str) -> str:
        if code in self.names:
            return self.names[code]
        if code == "total":
            return "总分"
        words = [GLOSSARY.get(part, part) for part in code.split("_")]
        return "".join(words)

    def target(self, spec: Any, item_code: str) -> str:
        own = self.targets.get(item_code)
        if spec == "target":
            return f"责任目标（{own}）" if own else "责任目标"
        if isinstance(spec, Mapping) and "of_target" in spec:
            base = f"责任目标（{own}）" if own else "责任目标"
            return f"{base}的{percent(spec['of_target'])}%"
        return self.fixed(spec)

    def condition(self, raw: Any) -> str:
        if isinstance(raw, str):
            parts = raw.split()
            if len(parts) == 3 and parts[1] in OPS:
                name = self.name_of(parts[0])
                if parts[1] == ">" and parts[2] == "0":
                    return f"经查实有{name}"
                return f"{name}{OPS[parts[1]]}{num(parts[2])}"
            return raw
        if isinstance(raw, Mapping):
            if "any" in raw:
                return "或".join(self.condition(c) for c in raw["any"])
            if "all" in raw:
                return "且".join(self.condition(c) for c in raw["all"])
        return str(raw)

    def rule(self, rule: Mapping[str, Any], name: str, code: str, points: Any) -> str:
        kind = rule.get("type")
        lower = rule.get("direction") == "lower"
        method = getattr(self, f"_{kind}", None)
        if method is None:
            return "按考核方案的规定计分"
        text: str = method(rule, name, code, points, lower)
        return text

    def _threshold(
        self, r: Mapping[str, Any], name: str, code: str, points: Any, lower: bool
    ) -> str:
        goal = self.target(r.get("target"), code)
        reach = f"不高于{goal}" if lower else f"达到{goal}"
        other = r.get("else")
        tail = f"，否则得{num(other)}分" if other not in (None, 0) else "，否则不得分"
        return f"{name}{reach}得{num(points)}分{tail}"

    def _band(self, r: Mapping[str, Any], name: str, code: str, points: Any, lower: bool) -> str:
        low, high = self.target(r.get("low"), code), self.target(r.get("high"), code)
        text = f"{name}在{low}至{high}之间得{num(points)}分"
        if r.get("step") is not None and r.get("deduct") is not None:
            return text + f"，超出区间每偏离{self.step(r['step'])}扣{num(r['deduct'])}分，扣完为止"
        return text + "，超出区间不得分"

    def _shortfall(
        self, r: Mapping[str, Any], name: str, code: str, points: Any, lower: bool
    ) -> str:
        goal = self.target(r.get("target", "target"), code)
        word = "高" if lower else "低"
        reach = "不高于" if lower else "达到"
        step, deduct = self.step(r.get("step")), num(r.get("deduct"))
        text = f"{name}{reach}{goal}得{num(points)}分，每{word}{step}扣{deduct}分"
        if r.get("tolerance"):
            text += f"（允许差{self.step(r['tolerance'])}）"
        partial = r.get("partial")
        if partial == "whole":
            text += "，不足一档不扣"
        elif partial == "started":
            text += "，不足一档按一档扣"
        return text + "，扣完为止"

    def _ratio(self, r: Mapping[str, Any], name: str, code: str, points: Any, lower: bool) -> str:
        goal = self.target(r.get("target"), code)
        formula = f"{goal}÷实际值" if lower else f"实际值÷{goal}"
        text = f"{name}按完成率计分：{num(points)}分×（{formula}）"
        cap = r.get("cap")
        if cap is not None and Decimal(str(cap)) != 1:
            return text + f"，完成率最高按{percent(cap)}%计"
        return text + "，最多得满分"

    def _per_case(
        self, r: Mapping[str, Any], name: str, code: str, points: Any, lower: bool
    ) -> str:
        text = f"{name}每发生1例扣{num(r.get('amount'))}分"
        if r.get("double"):
            text += "，上级查实的加倍扣分"
        if r.get("cap") is not None:
            text += f"，最多扣{num(r['cap'])}分"
        return text + "，扣完为止"

    def _scaled(self, r: Mapping[str, Any], name: str, code: str, points: Any, lower: bool) -> str:
        top = num(r.get("max"))
        return f"{name}（满分{top}）按比例折算为本项得分，即{num(points)}分×得分÷{top}"

    def _table(self, r: Mapping[str, Any], name: str, code: str, points: Any, lower: bool) -> str:
        parts = []
        for row in r.get("rows") or []:
            low, high = row.get("min"), row.get("max")
            if low is not None and high is not None:
                band = f"{self.fixed(low)}（含）至{self.fixed(high)}"
            elif low is not None:
                band = f"{self.fixed(low)}及以上"
            elif high is not None:
                band = f"低于{self.fixed(high)}"
            else:
                band = "其他"
            if row.get("score") is not None:
                got = f"得{num(row['score'])}分"
            else:
                got = f"得{percent(row.get('fraction', 0))}%的分值"
            parts.append(band + got)
        return f"{name}分档计分：" + "；".join(parts)

    def _excess(self, r: Mapping[str, Any], name: str, code: str, points: Any, lower: bool) -> str:
        goal = self.target(r.get("target"), code)
        word = "低于" if lower else "超过"
        text = f"{name}{word}{goal}的，每{self.step(r.get('step'))}加{num(r.get('add'))}分"
        if r.get("cap") is not None:
            text += f"，最多加{num(r['cap'])}分"
        return text

    def _relative(
        self, r: Mapping[str, Any], name: str, code: str, points: Any, lower: bool
    ) -> str:
        stat = f"{OVER.get(r.get('over', 'all'), '')}的{STATS.get(r.get('stat', 'mean'), '')}"
        inner = dict(r.get("rule") or {})
        inner.setdefault("target", stat)
        if inner.get("target") in ("target", None):
            inner["target"] = stat
        described = Describer({code: stat}, self.names)
        return f"与{stat}比较：" + described.rule(inner, name, code, points)

    def _progress(
        self, r: Mapping[str, Any], name: str, code: str, points: Any, lower: bool
    ) -> str:
        change = f"{name}比上年{'下降' if lower else '提高'}的幅度"
        # An improvement of a percentage is counted in percentage points.
        saved = self.mark
        if saved == "%":
            self.mark = "pp"
        try:
            return self.rule(dict(r.get("rule") or {}), change, code, points)
        finally:
            self.mark = saved

    def _blend(self, r: Mapping[str, Any], name: str, code: str, points: Any, lower: bool) -> str:
        parts = []
        for part in r.get("parts") or []:
            inner = self.rule(dict(part.get("rule") or {}), name, code, points)
            parts.append(f"{percent(part.get('weight'))}%按“{inner}”")
        return "水平与进步加权计分：" + "，".join(parts)

    def _srb_interval(
        self, r: Mapping[str, Any], name: str, code: str, points: Any, lower: bool
    ) -> str:
        confidence = percent(r.get("confidence", 0.95))
        low, high = num(r.get("low", 103)), num(r.get("high", 107))
        text = (
            f"{name}按男、女出生数的{confidence}%精确置信区间判断，"
            f"区间与{low}—{high}有重叠得{num(points)}分"
        )
        if r.get("step") is not None and r.get("deduct") is not None:
            text += (
                f"；整个区间在正常范围外的，按较近一端每偏离{num(r['step'])}扣{num(r['deduct'])}分"
            )
        if r.get("min_births"):
            text += f"；出生少于{num(r['min_births'])}人的不作判断、得满分"
        return text


def item_text(item: Mapping[str, Any], describer: Describer) -> str:
    """The whole rule of one (class-resolved) item, with its extra conditions."""
    code = str(item.get("code", ""))
    name = str(item.get("name", code))
    describer.mark = ""
    for suffix in ("（%）", "(%)"):
        if name.endswith(suffix):
            name, describer.mark = name[: -len(suffix)], "%"
    points = item.get("points", 0)
    text = describer.rule(dict(item.get("rule") or {}), name, code, points)
    if item.get("zero_if"):
        text += f"；{describer.condition(item['zero_if'])}的，本项不得分"
    if item.get("multiplier"):
        factor = describer.names.get(str(item["multiplier"]), "难度系数")
        describer.mark = ""
        text += f"；得分乘以{factor}，以本项分值为限"
    return text + "。"
