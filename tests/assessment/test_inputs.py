"""Assembling a run's inputs from cubes, targets, facts and supervision."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from renkou.assessment.inputs import assemble_inputs, run_units
from renkou.assessment.models import Fact
from renkou.orgunits.models import OrgUnit

from .conftest import VILLAGE_SCHEME, VILLAGES, set_target

pytestmark = pytest.mark.django_db


def by_code(assembled: Any) -> dict[str, dict[str, Any]]:
    return {unit.code: unit.inputs for unit in assembled.units}


def test_values_targets_and_previous_come_from_the_cubes_and_targets(personas, figures):
    county = OrgUnit.objects.get(code="331003")
    found = by_code(assemble_inputs(VILLAGE_SCHEME, year=2025, root=county, level=5))
    assert sorted(found) == sorted(VILLAGES)  # 椒江区's village is outside the root
    first = found["331003006200"]
    assert first["name"] == "东岙里村委会"
    # births = 12 × (1 boy + 1 girl); 24 of 24 registrations on time; 12 of 12 paid.
    assert first["values"]["births"] == 24
    assert first["values"]["registration_timeliness"] == 100
    assert first["values"]["subsidy_payment_rate"] == 100
    assert first["targets"] == {"births": 24}
    assert first["previous"] == {"births": 12}
    third = found["331003006208"]
    assert third["values"]["births"] == 48
    assert third["values"]["registration_timeliness"] == 50
    # 11 of 12 paid, rounded half up to the indicator's decimals.
    assert third["values"]["subsidy_payment_rate"] == 91.7  # one decimal
    # No target for the fifth village: left missing, the kernel will say so.
    assert found["331003001002"]["targets"] == {}
    # The veto's flag with no fact recorded counts as 0.
    assert first["values"]["data_fraud"] == 0
    assert "class" not in first


def test_a_fact_is_read_as_a_value_and_a_band_target_is_left_missing(personas, figures):
    Fact.objects.create(
        year=2025,
        orgunit=OrgUnit.objects.get(code="331003006204"),
        code="data_fraud",
        value=Decimal(1),
        note="查实虚报",
        entered_by=personas.county,
        entered_at=timezone.now(),
    )
    set_target("331003001002", "births", None, low="10", high="20")
    county = OrgUnit.objects.get(code="331003")
    found = by_code(assemble_inputs(VILLAGE_SCHEME, year=2025, root=county, level=5))
    assert found["331003006204"]["values"]["data_fraud"] == 1
    assert found["331003006200"]["values"]["data_fraud"] == 0
    assert found["331003001002"]["targets"] == {}


def test_supervision_and_unknown_keys(personas, figures):
    scheme = {
        **VILLAGE_SCHEME,
        "items": [
            *VILLAGE_SCHEME["items"],
            {
                "code": "supervision",
                "name": "月度督查平均分",
                "points": 10,
                "value": "supervision_avg",
                "rule": {"type": "scaled", "max": 100},
            },
            {
                "code": "quality",
                "name": "数据质量",
                "points": 10,
                "value": "quality_score",
                "rule": {"type": "scaled", "max": 10},
            },
        ],
    }
    county = OrgUnit.objects.get(code="331003")
    assembled = assemble_inputs(scheme, year=2025, root=county, level=5)
    first = by_code(assembled)["331003006200"]
    # Never supervised in 2025, never entered: both missing, for the kernel to warn about.
    assert "supervision_avg" not in first["values"]
    assert "quality_score" not in first["values"]
    assert assembled.sources["supervision_avg"] == "supervision"
    assert assembled.sources["quality_score"] == "fact"
    assert assembled.sources["births"] == "catalogue"


def test_the_query_count_does_not_grow_with_the_units(personas, figures):
    county = OrgUnit.objects.get(code="331003")
    # The first call reads the catalogue once (it is then cached per version).
    assemble_inputs(VILLAGE_SCHEME, year=2025, root=county, level=5)
    with CaptureQueriesContext(connection) as county_queries:
        assemble_inputs(VILLAGE_SCHEME, year=2025, root=county, level=5)
    township = OrgUnit.objects.get(code="331003006")
    with CaptureQueriesContext(connection) as township_queries:
        assemble_inputs(VILLAGE_SCHEME, year=2025, root=township, level=5)
    assert len(county_queries) == len(township_queries)


def test_closed_units_are_not_assessed(personas, figures):
    import datetime as dt

    OrgUnit.objects.filter(code="331003006208").update(closed_on=dt.date(2025, 6, 30))
    county = OrgUnit.objects.get(code="331003")
    codes = [unit.code for unit in run_units(county, 5, 2025)]
    assert "331003006208" not in codes
    assert "331003006208" in [unit.code for unit in run_units(county, 5, 2024)]
