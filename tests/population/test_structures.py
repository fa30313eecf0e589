"""Population structures: the selector, the import action, the Excel round trip and the API."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from renkou.audit.models import AuditEvent
from renkou.orgunits.models import OrgUnit
from renkou.population.actions import StructureRow, do_import_population_structures
from renkou.population.excel import TemplateRow, build_template, read_upload
from renkou.population.models import PopulationStructure
from renkou.population.selectors import women_15_49

from .conftest import OUTSIDE_VILLAGE, POPULATION, VILLAGES, pyramid

pytestmark = pytest.mark.django_db


def _unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def test_women_15_49_sums_the_seven_female_groups(units) -> None:
    county = _unit("331003")
    male = [10] * 18
    female = list(range(1, 19))  # groups 15–19 … 45–49 hold 4 … 10
    village = _unit(VILLAGES[0])
    do_import_population_structures(
        acting_user=None, year=2025, rows=[StructureRow(village.pk, male, female)], scope=county
    )
    assert women_15_49(2025, [village.pk, _unit(VILLAGES[1]).pk]) == {
        village.pk: 4 + 5 + 6 + 7 + 8 + 9 + 10
    }
    assert women_15_49(2024, [village.pk]) == {}
    row = PopulationStructure.objects.get()
    assert row.total == 180 + sum(female)
    assert row.under_3 == round(0.6 * (10 + 1))


def test_import_writes_one_audit_row_and_reports_what_changed(personas) -> None:
    county = _unit("331003")
    rows = [StructureRow(_unit(c).pk, *pyramid(POPULATION[c])) for c in VILLAGES]
    first = do_import_population_structures(
        acting_user=personas.county, year=2025, rows=rows, scope=county
    )
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    changed = [StructureRow(rows[0].orgunit_id, [1] * 18, [1] * 18), *rows[1:]]
    second = do_import_population_structures(
        acting_user=personas.county, year=2025, rows=changed, scope=county
    )
    assert (second.created, second.updated, second.unchanged) == (0, 1, 2)
    events = AuditEvent.objects.filter(action="population.import_structures")
    assert events.count() == 2
    assert events.order_by("pk").last().changes["updated"] == 1


def _filled_template(tmp_path: Path, edit=None) -> Path:
    rows = [TemplateRow(c, f"村{c[-3:]}", "澄江街道", None, None) for c in VILLAGES]
    content = build_template(2025, "331003006", "澄江街道", rows)
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["人口结构"]
    for row in range(3, 3 + len(VILLAGES)):
        male, female = pyramid(POPULATION[VILLAGES[row - 3]])
        for index, value in enumerate(male + female):
            sheet.cell(row=row, column=4 + index, value=value)
    if edit is not None:
        edit(sheet)
    path = tmp_path / "filled.xlsx"
    workbook.save(path)
    return path


def test_excel_round_trip_imports_every_row(personas, tmp_path: Path) -> None:
    client = personas.client(personas.chengjiang)
    path = _filled_template(tmp_path)
    with path.open("rb") as handle:
        response = client.post("/population/import/?scope=331003006", {"file": handle})
    assert response.status_code == 302
    assert PopulationStructure.objects.filter(year=2025).count() == 3
    stored = PopulationStructure.objects.get(orgunit__code=VILLAGES[1], year=2025)
    assert stored.total == POPULATION[VILLAGES[1]]
    assert AuditEvent.objects.filter(action="population.import_structures").count() == 1


def test_template_download_has_every_unit_of_the_scope(personas) -> None:
    client = personas.client(personas.chengjiang)
    response = client.get("/population/template.xlsx?scope=331003006&year=2025")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["人口结构"]
    codes = [sheet.cell(row=r, column=1).value for r in range(3, sheet.max_row + 1)]
    assert codes == ["331003006", *VILLAGES]
    assert sheet.cell(row=1, column=4).value == "男0–4"
    assert sheet.cell(row=1, column=39).value == "女85+"


def test_bad_cells_are_listed_and_nothing_is_written(personas, tmp_path: Path) -> None:
    def spoil(sheet) -> None:
        sheet.cell(row=3, column=5, value=-3)
        sheet.cell(row=4, column=10, value="很多")
        sheet.cell(row=5, column=1, value=OUTSIDE_VILLAGE)
        sheet.cell(row=5, column=20).value = None

    path = _filled_template(tmp_path, spoil)
    parsed = read_upload(path)
    reasons = {(p.row, p.column): p.reason for p in parsed.problems}
    assert reasons[(3, "E")] == "人数不能为负数"
    assert "不是数字" in reasons[(4, "J")]
    assert "没有填写" in reasons[(5, "T")]
    client = personas.client(personas.chengjiang)
    with path.open("rb") as handle:
        response = client.post("/population/import/?scope=331003006", {"file": handle})
    assert response.status_code == 200
    text = response.content.decode()
    assert "未导入任何数据" in text and "人数不能为负数" in text
    assert not PopulationStructure.objects.exists()
    assert not AuditEvent.objects.filter(action="population.import_structures").exists()


def test_a_unit_outside_the_scope_is_a_row_problem(personas, tmp_path: Path) -> None:
    path = _filled_template(
        tmp_path, lambda sheet: sheet.cell(row=5, column=1, value=OUTSIDE_VILLAGE)
    )
    client = personas.client(personas.chengjiang)
    with path.open("rb") as handle:
        response = client.post("/population/import/?scope=331003006", {"file": handle})
    assert "不是澄江街道下的乡镇、村" in response.content.decode()
    assert not PopulationStructure.objects.exists()


def test_a_file_that_is_not_a_template_gets_a_clear_message(personas) -> None:
    client = personas.client(personas.chengjiang)
    response = client.post(
        "/population/import/?scope=331003006",
        {"file": io.BytesIO(b"not a workbook")},
    )
    assert response.status_code == 200
    assert "不是有效的 Excel" in response.content.decode()


def test_import_and_template_access(personas) -> None:
    outsider = personas.client(personas.dongcheng)
    assert outsider.get("/population/import/?scope=331003006").status_code == 404
    assert outsider.get("/population/template.xlsx?scope=331003006").status_code == 404
    admin = personas.client(personas.sysadmin)
    assert admin.get("/population/import/?scope=331003006").status_code == 403
    leader = personas.client(personas.leader)
    assert leader.get("/population/template.xlsx?scope=331003").status_code == 403


def test_api_reads_structures_in_scope(personas) -> None:
    county = _unit("331003")
    rows = [
        StructureRow(_unit(c).pk, *pyramid(POPULATION[c])) for c in [*VILLAGES, OUTSIDE_VILLAGE]
    ]
    do_import_population_structures(acting_user=None, year=2025, rows=rows, scope=county)
    client = personas.client(personas.chengjiang)
    listed = client.get("/api/v1/population?year=2025").json()
    assert [r["orgunit"] for r in listed] == VILLAGES
    one = client.get(f"/api/v1/population/{VILLAGES[0]}?year=2025").json()
    assert sum(one["male"]) + sum(one["female"]) == POPULATION[VILLAGES[0]]
    assert one["groups"][0] == "0–4" and one["groups"][-1] == "85+"
    assert client.get(f"/api/v1/population/{OUTSIDE_VILLAGE}?year=2025").status_code == 404
    assert client.get("/api/v1/population?year=2025&under=331003001").status_code == 404
    assert client.get(f"/api/v1/population/{VILLAGES[0]}?year=2024").status_code == 404
    admin = personas.client(personas.sysadmin)
    assert admin.get(f"/api/v1/population/{VILLAGES[0]}?year=2025").status_code == 403
