"""The assistant from the database: suggestions, accepting them, back-testing, access."""

from __future__ import annotations

import pytest

from renkou.audit.models import AuditEvent
from renkou.orgunits.models import OrgUnit
from renkou.population import assistant
from renkou.targets.models import Target, TargetSource

from .conftest import MONTHLY, OUTSIDE_VILLAGE, POPULATION, TOWNSHIP, VILLAGES

pytestmark = pytest.mark.django_db


def _unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def test_last_years_figures_come_from_the_rollups(structures) -> None:
    found = assistant.actuals([_unit(VILLAGES[1]).pk], 2025)[_unit(VILLAGES[1]).pk]
    boys, girls, deaths = MONTHLY[VILLAGES[1]]
    assert found.births == 12 * (boys + girls)
    assert found.deaths == 12 * deaths
    assert found.population == POPULATION[VILLAGES[1]]
    assert found.net_migration == 12
    assert found.srb_low is not None and found.srb_low < 100 < (found.srb_high or 0)


def test_suggestions_for_a_township_add_up_over_its_villages(structures) -> None:
    result = assistant.run(_unit(TOWNSHIP), 2026)
    villages = [result.rows[_unit(c).pk] for c in VILLAGES]
    township = result.rows[_unit(TOWNSHIP).pk]
    assert all(v.projected for v in villages) and not township.projected
    assert township.births == pytest.approx(sum(v.births for v in villages))
    assert township.deaths == pytest.approx(sum(v.deaths for v in villages))
    assert township.population == sum(POPULATION[c] for c in VILLAGES)
    county = result.rows[_unit("331003").pk]
    assert county.births == pytest.approx(
        township.births + result.rows[_unit(OUTSIDE_VILLAGE).pk].births
    )
    # The county's level is set so that last year's births are reproduced in total.
    last_year = 12 * sum(b + g for b, g, _d in MONTHLY.values())
    assert county.births == pytest.approx(last_year, rel=0.1)
    for v in villages:
        assert v.births_80[0] <= v.births <= v.births_80[1]
        assert v.srb_pooled  # a few dozen births: never a bare village SRB
        assert "95%" in v.basis["srb"] and "合并" in v.basis["srb"]
        assert "泊松" in v.basis["births"] and "权重" in v.basis["births"]
        assert "单岁" in v.basis["births"]


def test_the_page_lists_the_villages_with_their_bases(structures, personas) -> None:
    client = personas.client(personas.chengjiang)
    response = client.get("/population/?year=2026")
    assert response.status_code == 200
    text = response.content.decode()
    assert "澄江街道 2026年目标测算" in text
    for code in VILLAGES:
        assert f'data-unit="{code}"' in text
    assert OUTSIDE_VILLAGE not in text
    assert "全部采纳（3个单位）" in text


def test_accepting_the_whole_scope_writes_suggested_targets_with_their_basis(
    structures, personas
) -> None:
    client = personas.client(personas.chengjiang)
    response = client.post("/population/accept/", {"scope": TOWNSHIP, "year": "2026"})
    assert response.status_code == 302
    targets = Target.objects.filter(year=2026)
    assert targets.count() == 3 * 4
    assert set(targets.values_list("source", flat=True)) == {TargetSource.SUGGESTED}
    result = assistant.run(_unit(TOWNSHIP), 2026)
    first = _unit(VILLAGES[0])
    births = targets.get(orgunit=first, code="births")
    assert births.value == round(result.rows[first.pk].births)
    assert births.basis == result.rows[first.pk].basis["births"]
    srb = targets.get(orgunit=first, code="srb")
    assert srb.direction == "within" and srb.low is not None and srb.low < 103
    assert not targets.filter(
        orgunit__code=TOWNSHIP
    ).exists()  # its own targets come from the county
    event = AuditEvent.objects.get(action="targets.set_targets")
    assert event.actor == personas.chengjiang


def test_accepting_one_unit(structures, personas) -> None:
    client = personas.client(personas.county)
    response = client.post(
        "/population/accept/", {"scope": TOWNSHIP, "year": "2026", "unit": VILLAGES[2]}
    )
    assert response.status_code == 302
    assert set(Target.objects.values_list("orgunit__code", flat=True)) == {VILLAGES[2]}
    assert AuditEvent.objects.filter(action="targets.set_targets").count() == 1


def test_the_county_accepts_for_its_townships(structures, personas) -> None:
    client = personas.client(personas.county)
    client.post("/population/accept/", {"scope": "331003", "year": "2026"})
    codes = set(Target.objects.values_list("orgunit__code", flat=True))
    assert codes == {TOWNSHIP, "331003001"}  # the townships with structures below them


def test_accept_access(structures, personas) -> None:
    outsider = personas.client(personas.dongcheng)
    assert (
        outsider.post("/population/accept/", {"scope": TOWNSHIP, "year": "2026"}).status_code == 404
    )
    village = personas.client(personas.village)
    assert (
        village.post("/population/accept/", {"scope": TOWNSHIP, "year": "2026"}).status_code == 403
    )
    leader = personas.client(personas.leader)
    assert (
        leader.post("/population/accept/", {"scope": "331003", "year": "2026"}).status_code == 403
    )
    unknown = personas.client(personas.chengjiang)
    response = unknown.post(
        "/population/accept/", {"scope": TOWNSHIP, "year": "2026", "unit": OUTSIDE_VILLAGE}
    )
    assert response.status_code == 404
    assert not Target.objects.exists()
    assert not AuditEvent.objects.filter(action="targets.set_targets").exists()


def test_pages_access(structures, personas) -> None:
    outsider = personas.client(personas.dongcheng)
    assert outsider.get(f"/population/?scope={TOWNSHIP}").status_code == 404
    assert outsider.get(f"/population/units/{VILLAGES[0]}/").status_code == 404
    assert outsider.get(f"/population/backtest/?scope={TOWNSHIP}").status_code == 404
    admin = personas.client(personas.sysadmin)
    assert admin.get("/population/").status_code == 403
    assert admin.get(f"/population/units/{VILLAGES[0]}/").status_code == 403
    assert admin.get("/population/backtest/").status_code == 403


def test_unit_page_compares_with_last_year(structures, personas) -> None:
    client = personas.client(personas.village)
    response = client.get(f"/population/units/{VILLAGES[0]}/?year=2026")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-pyramid="start"' in text and 'data-pyramid="end"' in text
    assert 'id="pyramid-data"' in text
    assert "2025年实际" in text
    boys, girls, _deaths = MONTHLY[VILLAGES[0]]
    assert f'data-label="2025年实际">{12 * (boys + girls)}</td>' in text


def test_no_structure_gives_a_message_not_an_error(personas, catalog) -> None:
    client = personas.client(personas.county)
    response = client.get("/population/?year=2026")
    assert response.status_code == 200
    assert "还没有2025年末的人口年龄结构" in response.content.decode()
    bad = client.get("/population/?year=abc")
    assert bad.status_code == 200


def test_backtest_shows_the_share_inside_the_80_percent_range(structures, personas) -> None:
    found = assistant.backtest(_unit("331003"), 2025)
    assert found.births_80.units == 4
    # Every village had exactly the same births in 2024 and 2025, and the
    # structure is the same: each actual lies at the centre of its range.
    assert found.births_80.inside == 4
    assert found.births_80.share == 1.0
    client = personas.client(personas.county)
    response = client.get("/population/backtest/?year=2025")
    text = response.content.decode()
    assert response.status_code == 200
    assert "100%" in text and "4/4" in text
