"""rescore(): raw and adjusted results over all units, citations, revision."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from renkou.assessment.models import DecisionStatus, Run, RunUnit
from renkou.assessment.scoring_service import rescore
from renkou.scoring import load_scheme, score_units

from .conftest import approve


def units_of(run: Run) -> dict[str, RunUnit]:
    return {unit.orgunit.code: unit for unit in run.units.select_related("orgunit")}


def test_it_stores_the_kernels_results_and_bumps_the_revision(small_run: Run) -> None:
    rescore(small_run)
    assert small_run.revision == 1
    stored = units_of(small_run)
    expected = score_units(
        load_scheme(small_run.scheme_data), [u.raw_inputs for u in stored.values()]
    )
    for result in expected.results:
        unit = stored[result.code]
        assert unit.result == result.to_dict()
        assert unit.raw_result == result.to_dict()
        assert unit.total == result.total == unit.raw_total
        assert unit.grade == result.grade
        assert unit.rank == result.rank
        assert unit.vetoed == bool(result.vetoes)
        assert unit.inputs == unit.raw_inputs
    assert stored["331003200"].vetoed
    assert stored["331003200"].rank == 4
    rescore(small_run)
    small_run.refresh_from_db()
    assert small_run.revision == 2


def test_an_approved_adjustment_changes_the_adjusted_score_only(
    small_run: Run, personas: Any
) -> None:
    adjustment = approve(small_run, "331003001", "births", "births", "50", old="40",
                         proposer=personas.county, decider=personas.leader)  # fmt: skip
    rescore(small_run)
    unit = units_of(small_run)["331003001"]
    assert unit.raw_inputs["values"]["births"] == 40
    assert unit.inputs["values"]["births"] == 50
    assert unit.raw_total == Decimal("90.5")
    assert unit.total == Decimal("98.5")
    births = next(item for item in unit.result["items"] if item["code"] == "births")
    assert births["score"] == 40
    assert births["explanation"].endswith(
        f"（柔性考核调整#{adjustment.pk}：自然灾害，births由40调整为50，经leader审核同意）"
    )
    timely = next(item for item in unit.result["items"] if item["code"] == "timely")
    assert "柔性考核调整" not in timely["explanation"]
    raw_births = next(item for item in unit.raw_result["items"] if item["code"] == "births")
    assert "柔性考核调整" not in raw_births["explanation"]
    # Ranks are relative: the adjusted unit now leads.
    assert unit.rank == 1
    assert units_of(small_run)["331003006"].rank == 2


def test_target_adjustments_and_unapproved_ones(small_run: Run, personas: Any) -> None:
    approve(small_run, "331003101", "births", "target.births", "60",
            proposer=personas.county, decider=personas.leader)  # fmt: skip
    pending = approve(small_run, "331003006", "births", "births", "10",
                      proposer=personas.county, decider=personas.leader)  # fmt: skip
    pending.status = DecisionStatus.PROPOSED
    pending.save()
    rescore(small_run)
    stored = units_of(small_run)
    assert stored["331003101"].inputs["targets"]["births"] == 60
    births = next(i for i in stored["331003101"].result["items"] if i["code"] == "births")
    assert births["score"] == 20
    assert "births目标由30调整为60" in births["explanation"]
    assert stored["331003006"].inputs == stored["331003006"].raw_inputs
