"""State changes of targets. Each action runs in one transaction and writes
exactly one audit row (a bulk write or a cascade writes one row listing every
target it changed); a call that would change nothing writes none.

Everything is validated before anything is written: one bad row and the
whole call is refused with a message naming the unit and the code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from renkou.audit.actions import record_event
from renkou.catalog.models import DataElement, Indicator
from renkou.contracts import selectors as contract_selectors
from renkou.orgunits.models import OrgUnit
from renkou.targets import basis as basis_data
from renkou.targets.access import TargetError, may_set_for
from renkou.targets.cascade import CascadeError, copy_band, copy_rate, split
from renkou.targets.models import (
    CascadeBasis,
    Direction,
    Target,
    TargetKind,
    TargetSource,
    TargetVersion,
)
from renkou.targets.types import TargetInput

if TYPE_CHECKING:
    from renkou.accounts.models import User

__all__ = [
    "TargetError",
    "do_cascade_target",
    "do_set_target",
    "do_set_targets",
]

# What the database column holds (max_digits=14, decimal_places=4).
LIMIT = Decimal("9999999999")
PLACES = Decimal("0.0001")
MIN_YEAR, MAX_YEAR = 2000, 2100
VALUE_FIELDS = ("kind", "direction", "value", "low", "high", "source", "basis")


@dataclass(frozen=True)
class _Row:
    data: TargetInput
    cascaded_from_id: int | None = None


def _fmt(number: Decimal | None) -> str | None:
    if number is None:
        return None
    text = format(number.normalize(), "f")
    return text


def _state(target: Target) -> dict[str, Any]:
    return {
        "kind": target.kind,
        "direction": target.direction,
        "value": _fmt(target.value),
        "low": _fmt(target.low),
        "high": _fmt(target.high),
        "source": target.source,
        "basis": target.basis,
    }


def _quantize(number: Decimal | None, where: str, label: str) -> Decimal | None:
    if number is None:
        return None
    try:
        if not number.is_finite() or abs(number) > LIMIT:
            raise TargetError(f"{where}：{label}超出允许范围。")
        return number.quantize(PLACES)
    except InvalidOperation as exc:
        raise TargetError(f"{where}：{label}不是有效的数字。") from exc


def _check(data: TargetInput, where: str, codes: set[str]) -> TargetInput:
    """The row with its numbers normalised, or TargetError naming what is wrong."""
    if data.code not in codes:
        raise TargetError(f"{where}：指标编码“{data.code[:50]}”不在指标目录中。")
    if data.kind not in TargetKind.values:
        raise TargetError(f"{where}：类型应为“数量”或“比率”。")
    if data.direction not in Direction.values:
        raise TargetError(f"{where}：方向应为“不低于”“不高于”或“区间内”。")
    value = _quantize(data.value, where, "目标值")
    low = _quantize(data.low, where, "下限")
    high = _quantize(data.high, where, "上限")
    band = low is not None or high is not None
    if value is not None and band:
        raise TargetError(f"{where}：目标值与区间只能填写一种。")
    if data.direction == Direction.WITHIN:
        if low is None or high is None:
            raise TargetError(f"{where}：方向为“区间内”时应填写下限和上限。")
        if value is not None:
            raise TargetError(f"{where}：方向为“区间内”时不填目标值。")
    else:
        if value is None:
            raise TargetError(f"{where}：应填写目标值。")
        if band:
            raise TargetError(f"{where}：只有方向为“区间内”时才填写下限和上限。")
    if low is not None and high is not None and low > high:
        raise TargetError(f"{where}：下限不能大于上限。")
    if data.kind == TargetKind.COUNT:
        for number in (value, low, high):
            if number is not None and (number < 0 or number != number.to_integral_value()):
                raise TargetError(f"{where}：数量目标应为不小于0的整数。")
    return replace(data, value=value, low=low, high=high, basis=data.basis.strip()[:2000])


def _catalogue_codes() -> set[str]:
    return set(DataElement.objects.values_list("code", flat=True)) | set(
        Indicator.objects.values_list("code", flat=True)
    )


def _apply(
    *,
    acting_user: User | None,
    year: int,
    rows: Sequence[_Row],
    source: str,
    reason: str,
) -> list[tuple[Target, dict[str, Any] | None]]:
    """Validate every row, then write them; (target, old state or None) for each change."""
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise TargetError(f"年度应在{MIN_YEAR}至{MAX_YEAR}之间。")
    if source not in TargetSource.values:
        raise TargetError("目标来源无效。")
    reason = reason.strip()[:2000]
    units = OrgUnit.objects.in_bulk({row.data.orgunit_id for row in rows})
    codes = _catalogue_codes()
    seen: set[tuple[int, str]] = set()
    checked: list[_Row] = []
    for row in rows:
        unit = units.get(row.data.orgunit_id)
        if unit is None:
            raise TargetError(f"单位（编号{row.data.orgunit_id}）不存在。")
        where = f"{unit.name} {row.data.code[:50]}"
        if acting_user is not None and not may_set_for(acting_user, unit):
            raise TargetError(f"{where}：您无权设定该单位的目标。")
        key = (unit.pk, row.data.code)
        if key in seen:
            raise TargetError(f"{where}：同一单位同一指标出现了两次。")
        seen.add(key)
        checked.append(replace(row, data=_check(row.data, where, codes)))

    existing = {
        (t.orgunit_id, t.code): t
        for t in Target.objects.filter(
            year=year, orgunit_id__in=list(units), code__in={r.data.code for r in checked}
        )
    }
    issued: dict[int, bool] = {}
    now = timezone.now()
    changed: list[tuple[Target, dict[str, Any] | None]] = []
    for row in checked:
        data = row.data
        old = existing.get((data.orgunit_id, data.code))
        new_state = {
            "kind": data.kind,
            "direction": data.direction,
            "value": _fmt(data.value),
            "low": _fmt(data.low),
            "high": _fmt(data.high),
            "source": source,
            "basis": data.basis,
        }
        before = _state(old) if old is not None else None
        if before == new_state and (
            old is None or old.cascaded_from_id == row.cascaded_from_id or not row.cascaded_from_id
        ):
            continue
        if data.orgunit_id not in issued:
            issued[data.orgunit_id] = contract_selectors.contract_issued(data.orgunit_id, year)
        if issued[data.orgunit_id] and not reason:
            name = units[data.orgunit_id].name
            raise TargetError(
                f"{name}{year}年的责任状已下达，调整其目标（{data.code}）必须填写调整理由。"
            )
        target = old or Target(year=year, orgunit_id=data.orgunit_id, code=data.code, version=0)
        target.kind, target.direction = data.kind, data.direction
        target.value, target.low, target.high = data.value, data.low, data.high
        target.source, target.basis = source, data.basis
        target.cascaded_from_id = row.cascaded_from_id
        target.version += 1
        target.set_by = acting_user
        target.set_at = now
        changed.append((target, before))

    new = [t for t, before in changed if before is None]
    updated = [t for t, before in changed if before is not None]
    Target.objects.bulk_create(new, batch_size=500)
    Target.objects.bulk_update(
        updated,
        [
            "kind",
            "direction",
            "value",
            "low",
            "high",
            "source",
            "basis",
            "cascaded_from",
            "version",
            "set_by",
            "set_at",
        ],
        batch_size=500,
    )
    TargetVersion.objects.bulk_create(
        [
            TargetVersion(
                target=t,
                version=t.version,
                value=t.value,
                low=t.low,
                high=t.high,
                direction=t.direction,
                source=t.source,
                basis=t.basis,
                reason=reason,
                set_by=acting_user,
                set_at=now,
            )
            for t, before in changed
        ],
        batch_size=500,
    )
    for t, _before in changed:
        t.orgunit = units[t.orgunit_id]
    return changed


def _summary(year: int, changed: Sequence[tuple[Target, dict[str, Any] | None]]) -> dict[str, Any]:
    """The audit row's changes: ``{"<unit code>/<code>": [old, new]}``."""
    out: dict[str, Any] = {"year": year}
    for target, before in changed:
        key = f"{target.orgunit.code}/{target.code}"
        after = _state(target)
        out[key] = [_short(before), _short(after)]
    return out


def _short(state: Mapping[str, Any] | None) -> str | None:
    if state is None:
        return None
    if state["value"] is not None:
        return f"{state['direction']} {state['value']} ({state['source']})"
    return f"{state['direction']} {state['low']}–{state['high']} ({state['source']})"


def _common_path(units: Sequence[OrgUnit]) -> str:
    paths = [u.path for u in units]
    if not paths:
        return ""
    prefix = paths[0]
    for path in paths[1:]:
        while not path.startswith(prefix):
            prefix = prefix[: prefix[:-1].rfind("/") + 1]
    return prefix


@transaction.atomic
def do_set_target(
    *,
    acting_user: User | None,
    orgunit: OrgUnit,
    year: int,
    code: str,
    kind: str,
    direction: str,
    value: Decimal | None = None,
    low: Decimal | None = None,
    high: Decimal | None = None,
    source: str = TargetSource.MANUAL,
    basis: str = "",
    reason: str = "",
) -> Target:
    """Create the unit's target for the code, or save a new version of it.

    ``reason`` is required once the unit's contract for the year is issued.
    Saving the same target again changes nothing and writes no audit row.
    """
    data = TargetInput(orgunit.pk, code, kind, direction, value, low, high, basis)
    changed = _apply(
        acting_user=acting_user, year=year, rows=[_Row(data)], source=source, reason=reason
    )
    if not changed:
        return Target.objects.get(year=year, orgunit=orgunit, code=code)
    target, _before = changed[0]
    record_event(
        actor=acting_user,
        action="targets.set_target",
        obj=target,
        object_repr=f"{orgunit.name} {year}年 {code}",
        org_path=orgunit.path,
        changes={
            "version": [target.version - 1 or None, target.version],
            **_summary(year, changed),
        },
        reason=reason.strip(),
    )
    return target


@transaction.atomic
def do_set_targets(
    *,
    acting_user: User | None,
    year: int,
    rows: Sequence[TargetInput],
    source: str,
    reason: str = "",
) -> list[Target]:
    """Write many targets at once, all or none; the targets that changed.

    Used by the Excel import (source ``imported``) and the target assistant
    (source ``suggested``). One audit row lists every target changed.
    """
    changed = _apply(
        acting_user=acting_user,
        year=year,
        rows=[_Row(row) for row in rows],
        source=source,
        reason=reason,
    )
    if changed:
        units = [t.orgunit for t, _before in changed]
        record_event(
            actor=acting_user,
            action="targets.set_targets",
            object_type="targets.target",
            object_repr=f"{year}年目标 {len(changed)}项（{TargetSource(source).label}）",
            org_path=_common_path(units),
            changes={"count": len(changed), **_summary(year, changed)},
            reason=reason.strip(),
        )
    return [t for t, _before in changed]


@dataclass(frozen=True)
class CascadePlan:
    """What a cascade would write, for the preview page and for the action."""

    target: Target
    basis: str
    children: list[OrgUnit]
    rows: list[TargetInput]
    weights: dict[int, Decimal]  # the basis figure per child (empty for equal)
    basis_label: str  # e.g. "2025年末常住人口"
    total: Decimal | None  # the sum of the parts (count targets)


def plan_cascade(
    target: Target,
    basis: str,
    adjustments: Mapping[int, Decimal] | None = None,
) -> CascadePlan:
    """The children's targets a cascade of ``target`` on ``basis`` would give.

    Raises TargetError when the unit has no children, the basis data is
    missing, or the target cannot be split.
    """
    if basis not in CascadeBasis.values:
        raise TargetError("分解依据无效。")
    parent = target.orgunit
    children = list(OrgUnit.objects.filter(parent=parent, closed_on__isnull=True).order_by("path"))
    if not children:
        raise TargetError(f"{parent.name}没有下级单位，无法分解。")
    ids = [c.pk for c in children]
    adjust = {int(k): Decimal(v) for k, v in (adjustments or {}).items() if Decimal(v) != 0}
    try:
        if target.kind == TargetKind.COUNT:
            if adjust:
                raise TargetError("数量目标按依据分解，各单位不能单独调整；请改变分解依据。")
            if target.value is None:
                raise TargetError("区间型数量目标不能分解，请为下级单位逐一设定。")
            weights, label = basis_data.weights(basis, target.year, children)
            parts = split(int(target.value), [weights.get(c.pk, Decimal(0)) for c in children])
            rows = []
            for child, part in zip(children, parts, strict=True):
                note = basis_data.note(
                    basis, label, parent, child, weights.get(child.pk), part.share
                )
                rows.append(
                    TargetInput(
                        child.pk,
                        target.code,
                        target.kind,
                        target.direction,
                        value=Decimal(part.value),
                        basis=note,
                    )
                )
            total: Decimal | None = Decimal(sum(p.value for p in parts))
        else:
            weights, label = {}, ""
            note = f"沿用{parent.name}{target.year}年目标"
            rows = []
            if target.value is not None:
                values = copy_rate(target.value, ids, adjust)
                for child in children:
                    extra = f"，本单位调整{_signed(adjust[child.pk])}" if child.pk in adjust else ""
                    rows.append(
                        TargetInput(
                            child.pk,
                            target.code,
                            target.kind,
                            target.direction,
                            value=values[child.pk],
                            basis=note + extra,
                        )
                    )
            else:
                assert target.low is not None and target.high is not None
                bands = copy_band(target.low, target.high, ids, adjust)
                for child in children:
                    extra = f"，本单位调整{_signed(adjust[child.pk])}" if child.pk in adjust else ""
                    low, high = bands[child.pk]
                    rows.append(
                        TargetInput(
                            child.pk,
                            target.code,
                            target.kind,
                            target.direction,
                            low=low,
                            high=high,
                            basis=note + extra,
                        )
                    )
            total = None
    except CascadeError as exc:
        raise TargetError(exc.message) from exc
    return CascadePlan(target, basis, children, rows, weights, label, total)


def _signed(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text if number < 0 else f"+{text}"


@transaction.atomic
def do_cascade_target(
    *,
    acting_user: User | None,
    target: Target,
    basis: str,
    adjustments: dict[int, Decimal] | None = None,
    reason: str = "",
) -> list[Target]:
    """Split (counts) or copy (rates) ``target`` to the units directly below.

    Children's targets become source ``cascaded`` with ``cascaded_from`` set
    and a basis note naming the basis and each unit's weight. Count parts add
    up exactly to the whole. Returns the children's targets that changed.
    """
    cascade = plan_cascade(target, basis, adjustments)
    changed = _apply(
        acting_user=acting_user,
        year=target.year,
        rows=[_Row(row, target.pk) for row in cascade.rows],
        source=TargetSource.CASCADED,
        reason=reason,
    )
    if changed:
        record_event(
            actor=acting_user,
            action="targets.cascade_target",
            obj=target,
            object_repr=f"{target.orgunit.name} {target.year}年 {target.code} 分解",
            org_path=target.orgunit.path,
            changes={
                "basis": basis,
                "count": len(changed),
                "total": _fmt(cascade.total),
                **_summary(target.year, changed),
            },
            reason=reason.strip(),
        )
    return [t for t, _before in changed]
