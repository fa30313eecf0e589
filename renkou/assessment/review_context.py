"""Who may see and do what in the review half of an assessment run (adjustments,
appeals, release, publication, pay), and the context the run and unit result
pages show about it.

The rules:
- The run's owner (the unit whose scheme it is: the county for its townships,
  a township for its villages) manages it: users in the owner's subtree with
  RUN_ASSESSMENT propose adjustments, release, decide appeals and publish;
  users there with DECIDE_ADJUSTMENTS decide adjustments (never their own).
- An assessed unit sees its own result once the run is released, and appeals
  it (FILE_APPEALS) while the appeal period lasts.
- Anyone with VIEW_BUSINESS whose subtree holds the run's root (the leaders)
  sees a run once it is published.
Everything else is reported missing (404); a role without the capability gets 403.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest
from django.utils import timezone

from renkou.accounts.access import Cap, has_capability, in_scope, require, scope_q
from renkou.accounts.models import User
from renkou.assessment.models import (
    Adjustment,
    AdjustmentReason,
    Appeal,
    AppealStatus,
    DecisionStatus,
    Run,
    RunStatus,
    RunUnit,
)
from renkou.orgunits.models import Level

if TYPE_CHECKING:
    from renkou.orgunits.models import OrgUnit

NOT_FOUND = "没有找到，或不在您的管辖范围内。"
OPEN_STATUSES = (RunStatus.SCORED, RunStatus.RELEASED)
SHOWN_TO_UNITS = (RunStatus.RELEASED, RunStatus.PUBLISHED)


class ReviewError(Exception):
    """A request that is understood but not possible in the run's state; the
    message is shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- who is who ------------------------------------------------------------------


def owner_of(run: Run) -> OrgUnit:
    return run.scheme.owner


def manages(user: User, run: Run, cap: Cap = Cap.RUN_ASSESSMENT) -> bool:
    return has_capability(user, cap) and in_scope(user, owner_of(run))


def is_assessed_unit(user: User, run_unit: RunUnit) -> bool:
    return user.home_unit_id is not None and user.home_unit_id == run_unit.orgunit_id


def may_see_run(user: User, run: Run) -> bool:
    if not has_capability(user, Cap.VIEW_BUSINESS):
        return False
    if manages(user, run) or manages(user, run, Cap.DECIDE_ADJUSTMENTS):
        return True
    return run.status == RunStatus.PUBLISHED and in_scope(user, run.root)


def may_see_unit(user: User, run_unit: RunUnit) -> bool:
    run = run_unit.run
    if may_see_run(user, run):
        return True
    return (
        has_capability(user, Cap.VIEW_BUSINESS)
        and run.status in SHOWN_TO_UNITS
        and in_scope(user, run_unit.orgunit)
    )


def may_appeal(user: User, run_unit: RunUnit) -> bool:
    return has_capability(user, Cap.FILE_APPEALS) and is_assessed_unit(user, run_unit)


def appeal_open(run: Run) -> bool:
    return (
        run.status == RunStatus.RELEASED
        and run.appeal_deadline is not None
        and timezone.localdate() <= run.appeal_deadline
    )


# --- fetching through the scope check ----------------------------------------------

_RUN_RELATED = ("scheme", "scheme__owner", "root", "released_by", "published_by")


def get_run_for_review(
    user: User, pk: int, *, cap: Cap | None = None, units_too: bool = False
) -> Run:
    """The run if the user may see it; with ``cap`` also manage it with that capability;
    with ``units_too`` also when one of the run's units lies in the user's subtree and
    the run has been released (the caller then shows only what concerns those units)."""
    require(user, cap or Cap.VIEW_BUSINESS)
    run = Run.objects.select_related(*_RUN_RELATED).filter(pk=pk).first()
    if run is None:
        raise Http404(NOT_FOUND)
    visible = may_see_run(user, run) or (
        units_too
        and run.status in SHOWN_TO_UNITS
        and run.units.filter(scope_q(user, "orgunit__")).exists()
    )
    if not visible:
        raise Http404(NOT_FOUND)
    if cap is not None and not manages(user, run, cap):
        raise Http404(NOT_FOUND)
    return run


def get_run_unit_for_review(user: User, pk: int) -> RunUnit:
    require(user, Cap.VIEW_BUSINESS)
    run_unit = (
        RunUnit.objects.select_related(
            "orgunit", "orgunit__parent", *(f"run__{name}" for name in _RUN_RELATED)
        )
        .filter(pk=pk)
        .first()
    )
    if run_unit is None or not may_see_unit(user, run_unit):
        raise Http404(NOT_FOUND)
    return run_unit


def get_adjustment_for_user(user: User, pk: int, *, write: bool = False) -> Adjustment:
    """``write``: the user means to decide it (DECIDE_ADJUSTMENTS at the run's owner)."""
    require(user, Cap.DECIDE_ADJUSTMENTS if write else Cap.VIEW_BUSINESS)
    adjustment = (
        Adjustment.objects.select_related(
            "orgunit",
            "proposed_by",
            "decided_by",
            *(f"run__{name}" for name in _RUN_RELATED),
        )
        .filter(pk=pk)
        .first()
    )
    if adjustment is None:
        raise Http404(NOT_FOUND)
    run = adjustment.run
    visible = may_see_run(user, run) or (
        run.status in SHOWN_TO_UNITS
        and adjustment.status == DecisionStatus.APPROVED
        and in_scope(user, adjustment.orgunit)
    )
    if not visible or (write and not manages(user, run, Cap.DECIDE_ADJUSTMENTS)):
        raise Http404(NOT_FOUND)
    return adjustment


def get_appeal_for_user(user: User, pk: int, *, write: bool = False) -> Appeal:
    """``write``: the user means to decide it (RUN_ASSESSMENT at the run's owner)."""
    require(user, Cap.RUN_ASSESSMENT if write else Cap.VIEW_BUSINESS)
    appeal = (
        Appeal.objects.select_related(
            "orgunit",
            "filed_by",
            "decided_by",
            "adjustment",
            *(f"run__{name}" for name in _RUN_RELATED),
        )
        .filter(pk=pk)
        .first()
    )
    if appeal is None:
        raise Http404(NOT_FOUND)
    run = appeal.run
    visible = may_see_run(user, run) or in_scope(user, appeal.orgunit)
    if not visible or (write and not manages(user, run)):
        raise Http404(NOT_FOUND)
    return appeal


def get_pay_run_for_user(user: User, pk: int) -> tuple[Run, OrgUnit | None]:
    """The run and, for a unit below the run's owner, the part of it the user may see."""
    require(user, Cap.MANAGE_PAY)
    run = Run.objects.select_related("scheme", "scheme__owner", "root").filter(pk=pk).first()
    if run is None or run.scheme.level != Level.VILLAGE or user.home_unit is None:
        raise Http404(NOT_FOUND)
    if manages(user, run, Cap.MANAGE_PAY):
        if run.status not in (RunStatus.SCORED, RunStatus.RELEASED, RunStatus.PUBLISHED):
            raise Http404(NOT_FOUND)
        return run, None
    if run.status == RunStatus.PUBLISHED and user.home_unit.path.startswith(run.root.path):
        # A township sees its own villages' part of the county's list.
        return run, user.home_unit
    raise Http404(NOT_FOUND)


def visible_runs(user: User) -> list[Run]:
    """Published runs whose root lies in the user's subtree (the leaders' list)."""
    require(user, Cap.VIEW_BUSINESS)
    return list(
        Run.objects.select_related(*_RUN_RELATED)
        .filter(scope_q(user, "root__"), status=RunStatus.PUBLISHED)
        .order_by("-year", "-published_at")
    )


# --- a unit's figures ----------------------------------------------------------------


def read_field(inputs: dict[str, Any], field: str) -> Decimal | None:
    """The figure ``field`` names in a unit's inputs (value key, target.X, previous.X)."""
    section, key = _section(field)
    raw = (inputs.get(section) or {}).get(key)
    if raw is None or raw == "":
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        return None


def _section(field: str) -> tuple[str, str]:
    if field.startswith("target."):
        return "targets", field.removeprefix("target.")
    if field.startswith("previous."):
        return "previous", field.removeprefix("previous.")
    return "values", field


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _strings(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, str):
        found.update(_NAME.findall(node))
    elif isinstance(node, dict):
        for value in node.values():
            found |= _strings(value)
    elif isinstance(node, list | tuple):
        for value in node:
            found |= _strings(value)
    return found


def scheme_items(run: Run) -> list[tuple[str, str]]:
    """(code, name) of the scheme's items and bonuses, in scheme order."""
    data = run.scheme_data or {}
    rows = [(str(i.get("code")), str(i.get("name", i.get("code")))) for i in data.get("items", [])]
    rows += [
        (str(b.get("code")), str(b.get("name", b.get("code")))) for b in data.get("bonuses", [])
    ]
    return rows


def item_name(run: Run, code: str) -> str:
    return dict(scheme_items(run)).get(code, code)


def _item_entry(run: Run, code: str) -> dict[str, Any]:
    data = run.scheme_data or {}
    for entry in [*data.get("items", []), *data.get("bonuses", [])]:
        if str(entry.get("code")) == code:
            return dict(entry)
    return {}


def field_choices(run_unit: RunUnit, item_code: str) -> list[tuple[str, str]]:
    """The figures of the unit an item reads, as (field, label with current value)."""
    inputs = run_unit.inputs or run_unit.raw_inputs or {}
    entry = _item_entry(run_unit.run, item_code)
    names = _strings({k: v for k, v in entry.items() if k not in ("code", "name", "note")})
    choices: list[tuple[str, str]] = []
    for key in sorted((inputs.get("values") or {}).keys()):
        if key in names:
            choices.append((key, f"{key}（{_shown(inputs, key)}）"))
    if item_code in (inputs.get("targets") or {}) or "target" in names:
        field = f"target.{item_code}"
        choices.append((field, f"目标 {item_code}（{_shown(inputs, field)}）"))
    for key in sorted((inputs.get("previous") or {}).keys()):
        if key in names:
            field = f"previous.{key}"
            choices.append((field, f"上年 {key}（{_shown(inputs, field)}）"))
    return choices


def _shown(inputs: dict[str, Any], field: str) -> str:
    value = read_field(inputs, field)
    return "空" if value is None else format(value.normalize(), "f")


def item_rows(run_unit: RunUnit) -> list[dict[str, Any]]:
    """Each item's raw and adjusted score side by side, with the adjusted explanation."""
    raw_items = {i["code"]: i for i in (run_unit.raw_result or {}).get("items", [])}
    raw_items |= {b["code"]: b for b in (run_unit.raw_result or {}).get("bonuses", [])}
    rows = []
    result = run_unit.result or {}
    for item in [*result.get("items", []), *result.get("bonuses", [])]:
        raw = raw_items.get(item["code"], {})
        rows.append(
            {
                "code": item["code"],
                "name": item_name(run_unit.run, item["code"]),
                "points": item.get("points"),
                "raw_score": raw.get("score"),
                "score": item.get("score"),
                "changed": raw.get("score") != item.get("score"),
                "explanation": item.get("explanation", ""),
            }
        )
    return rows


# --- the two partials ----------------------------------------------------------------


def _viewer(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


def run_panel(request: HttpRequest, run: Run) -> dict[str, Any]:
    """Extra context for ``assessment/review/_run_panel.html`` on the run page."""
    user = _viewer(request)
    if user is None:
        return {}
    adjustments = list(
        run.adjustments.select_related("orgunit", "proposed_by", "decided_by").order_by(
            "-proposed_at"
        )
    )
    appeals = list(
        run.appeals.select_related("orgunit", "filed_by", "decided_by").order_by("-filed_at")
    )
    if not may_see_run(user, run):
        # A unit sees only what concerns it.
        home = user.home_unit_id
        adjustments = [
            a for a in adjustments if a.orgunit_id == home and a.status == DecisionStatus.APPROVED
        ]
        appeals = [a for a in appeals if a.orgunit_id == home]
    publication = getattr(run, "publication", None) if run.status == RunStatus.PUBLISHED else None
    manager = manages(user, run)
    return {
        "review_run": run,
        "review_adjustments": adjustments,
        "review_appeals": appeals,
        "review_pending_adjustments": sum(
            1 for a in adjustments if a.status == DecisionStatus.PROPOSED
        ),
        "review_open_appeals": sum(1 for a in appeals if a.status == AppealStatus.FILED),
        "review_publication": publication,
        "review_can_release": manager and run.status == RunStatus.SCORED,
        "review_can_publish": manager and run.status in OPEN_STATUSES,
        "review_is_manager": manager,
        "review_appeal_open": appeal_open(run),
        "review_default_title": default_title(run),
        "review_village_level": run.scheme.level == 5,
    }


def unit_panel(request: HttpRequest, run_unit: RunUnit) -> dict[str, Any]:
    """Extra context for ``assessment/review/_unit_panel.html`` on a unit's result page."""
    user = _viewer(request)
    if user is None:
        return {}
    run = run_unit.run
    adjustments = list(
        run.adjustments.filter(orgunit=run_unit.orgunit)
        .select_related("proposed_by", "decided_by")
        .order_by("-proposed_at")
    )
    if not may_see_run(user, run):
        adjustments = [a for a in adjustments if a.status == DecisionStatus.APPROVED]
    appeals = list(
        run.appeals.filter(orgunit=run_unit.orgunit)
        .select_related("filed_by", "decided_by")
        .order_by("-filed_at")
    )
    _name_records(run_unit, adjustments, appeals)
    return {
        "review_unit": run_unit,
        "review_run": run,
        "review_rows": item_rows(run_unit),
        "review_adjustments": adjustments,
        "review_appeals": appeals,
        "review_is_manager": manages(user, run),
        "review_can_propose": manages(user, run) and run.status in OPEN_STATUSES,
        "review_can_appeal": may_appeal(user, run_unit) and appeal_open(run),
        "review_appeal_closed": may_appeal(user, run_unit)
        and run.status == RunStatus.RELEASED
        and not appeal_open(run),
        "review_reasons": [c for c in AdjustmentReason.choices if c[0] != AdjustmentReason.APPEAL],
    }


def _name_records(run_unit: RunUnit, adjustments: list[Any], appeals: list[Any]) -> None:
    """Give each record the item's and the figure's names, so a cadre reads
    "生育登记及时率：出生登记及时率 88.8 → 93.2" rather than codes."""
    from renkou.assessment.scoring_service import field_label, names_of_fields

    result = run_unit.result or {}
    items = {i["code"]: i.get("name") or i["code"] for i in result.get("items", [])}
    items |= {b["code"]: b.get("name") or b["code"] for b in result.get("bonuses", [])}
    names = names_of_fields([a.field for a in adjustments])
    for adjustment in adjustments:
        adjustment.item_name = items.get(adjustment.item_code, adjustment.item_code)
        adjustment.field_name = field_label(adjustment.field, names)
    for appeal in appeals:
        appeal.item_name = items.get(appeal.item_code, appeal.item_code)


def default_title(run: Run) -> str:
    return f"关于{run.year}年度人口家庭工作目标管理责任制考核结果的通报"
