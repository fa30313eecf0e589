"""dataValueSets in and out: CSV and JSON by codes, all-or-nothing, the API and the command."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from renkou.audit.models import AuditEvent
from renkou.jobs.models import Job
from renkou.reporting.exchange import import_values
from renkou.reporting.models import DataValue, Report, ValueChange
from tests.reporting.conftest import OTHER_VILLAGE, PERIOD, VILLAGE

pytestmark = pytest.mark.django_db

GOOD = (
    "dataelement,period,orgunit,value,comment\n"
    f"births_male,{PERIOD},{VILLAGE},3,\n"
    f"births_female,{PERIOD},{VILLAGE},2,双胞胎之一\n"
    f"population,{PERIOD},{OTHER_VILLAGE},2980,\n"
)


def count() -> int:
    return DataValue.objects.count()


def test_a_csv_is_imported_by_codes_and_reimporting_changes_nothing(personas, october):
    summary = import_values(acting_user=personas.county, data=GOOD.encode(), kind="csv")
    assert summary.status == "SUCCESS" and summary.imported == 3
    assert DataValue.objects.get(element__code="births_female").comment == "双胞胎之一"
    assert Report.objects.filter(period=PERIOD).count() == 2
    events = AuditEvent.objects.count()
    again = import_values(acting_user=personas.county, data=GOOD.encode(), kind="csv")
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 3)
    assert AuditEvent.objects.count() == events


def test_changed_values_are_updated_with_their_history(personas, october):
    import_values(acting_user=personas.county, data=GOOD.encode(), kind="csv")
    changed = GOOD.replace(f"births_male,{PERIOD},{VILLAGE},3", f"births_male,{PERIOD},{VILLAGE},4")
    summary = import_values(acting_user=personas.county, data=changed.encode(), kind="csv")
    assert (summary.imported, summary.updated) == (0, 1)
    history = ValueChange.objects.get()
    assert (history.old_value, history.new_value) == ("3", "4")
    assert AuditEvent.objects.filter(action="reporting.import_values").count() == 2


def test_a_csv_without_a_header_and_in_gb18030_is_read(personas, october):
    data = f"births_male,{PERIOD},{VILLAGE},1,备注\n".encode("gb18030")
    summary = import_values(acting_user=personas.county, data=data, kind="csv")
    assert summary.imported == 1
    assert DataValue.objects.get().comment == "备注"


def test_json_in_the_dhis2_shape_is_imported(personas, october):
    document = {
        "period": PERIOD,
        "orgUnit": VILLAGE,
        "dataValues": [
            {"dataElement": "deaths", "value": "1"},
            {"dataElement": "population", "value": 3001, "orgUnit": OTHER_VILLAGE},
        ],
    }
    summary = import_values(
        acting_user=personas.county, data=json.dumps(document).encode(), kind="json"
    )
    assert summary.imported == 2
    assert DataValue.objects.get(element__code="population").orgunit.code == OTHER_VILLAGE


def test_any_conflict_writes_nothing_and_lists_every_problem(personas, october):
    bad = (
        GOOD
        + f"nonsense,{PERIOD},{VILLAGE},1,\n"
        + f"deaths,2026-09,{VILLAGE},1,\n"
        + f"deaths,{PERIOD},331003001001,1,\n"  # outside 澄江街道
        + f"deaths,{PERIOD},{VILLAGE},abc,\n"
        + f"births_male,{PERIOD},{OTHER_VILLAGE},99,\n"
        + f"births_male,{PERIOD},{OTHER_VILLAGE},1.5,\n"
        + f"deaths,{PERIOD},331003006,1,\n"  # a township does not report village elements
        + f"births_male,{PERIOD},{VILLAGE},3,\n"  # duplicate of line 2
    )
    summary = import_values(acting_user=personas.chengjiang, data=bad.encode(), kind="csv")
    assert summary.status == "ERROR" and count() == 0
    reasons = {c.line: c.reason for c in summary.conflicts}
    assert "数据项编码不存在" in reasons[5]
    assert "报告期无效" in reasons[6]
    assert "不在您的管辖范围内" in reasons[7]
    assert "不是数字" in reasons[8]
    assert "超出合理范围 0–30" in reasons[9]
    assert "不是整数" in reasons[10]
    assert "不在该层级单位的月报表中" in reasons[11]
    assert "不止一次" in reasons[12]
    # skipInvalid writes the rest.
    summary = import_values(
        acting_user=personas.chengjiang, data=bad.encode(), kind="csv", skip_invalid=True
    )
    assert summary.status == "WARNING" and count() == 2  # the duplicate pair is refused too


def test_a_dry_run_writes_nothing(personas, october):
    summary = import_values(
        acting_user=personas.county, data=GOOD.encode(), kind="csv", dry_run=True
    )
    assert summary.imported == 3 and count() == 0


def test_values_of_submitted_reports_are_refused_only_if_they_change(personas, october):
    import_values(acting_user=personas.county, data=GOOD.encode(), kind="csv")
    Report.objects.filter(orgunit__code=VILLAGE).update(status="submitted")
    same = import_values(acting_user=personas.county, data=GOOD.encode(), kind="csv")
    assert same.status == "SUCCESS"
    changed = GOOD.replace(",3,\n", ",4,\n", 1)
    summary = import_values(acting_user=personas.county, data=changed.encode(), kind="csv")
    assert summary.status == "ERROR" and "已提交或已审核" in summary.conflicts[0].reason


@pytest.mark.parametrize(
    ("data", "kind", "message"),
    [
        (b"", "csv", "文件是空的"),
        (b"a,b\n1,2\n", "csv", "至少有4列"),
        (b"dataelement,period,value\nx,1,2\n", "csv", "缺少列：orgunit"),
        (b"{not json", "json", "不是有效的 JSON"),
        (b'{"values": []}', "json", "dataValues"),
    ],
)
def test_unreadable_files_get_one_reason(personas, october, data, kind, message):
    from renkou.reporting.exchange import ExchangeFileError

    with pytest.raises(ExchangeFileError, match=message):
        import_values(acting_user=personas.county, data=data, kind=kind)


def test_the_api_imports_csv_and_json_and_refuses_conflicts_with_409(personas, october):
    client = personas.client(personas.chengjiang)
    response = client.post("/api/v1/dataValueSets", GOOD, content_type="text/csv")
    assert response.status_code == 200, response.content
    assert response.json()["importCount"]["imported"] == 3
    bad = {
        "dataValues": [
            {"dataElement": "deaths", "period": PERIOD, "orgUnit": "331003001001", "value": "1"}
        ]
    }
    response = client.post("/api/v1/dataValueSets", bad, content_type="application/json")
    assert response.status_code == 409
    assert "不在您的管辖范围内" in response.json()["conflicts"][0]["reason"]
    response = client.post("/api/v1/dataValueSets", "x", content_type="text/csv")
    assert response.status_code == 400


def test_the_api_refuses_roles_that_cannot_enter_data(personas, october):
    for user in (personas.leader, personas.sysadmin, personas.auditadmin):
        response = personas.client(user).post(
            "/api/v1/dataValueSets", GOOD, content_type="text/csv"
        )
        assert response.status_code == 403
    assert count() == 0


@pytest.mark.django_db(transaction=True)
def test_large_imports_run_as_a_job_with_progress(personas, october):
    client = personas.client(personas.chengjiang)
    response = client.post("/api/v1/dataValueSets?background=true", GOOD, content_type="text/csv")
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["job"])
    call_command("worker", "--batch")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert "新增3个值" in job.message and count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_failed_import_job_offers_its_problem_list(personas, october):
    client = personas.client(personas.chengjiang)
    bad = GOOD + f"deaths,{PERIOD},331003001001,1,\n"
    response = client.post("/api/v1/dataValueSets?background=true", bad, content_type="text/csv")
    call_command("worker", "--batch")
    job = Job.objects.get(pk=response.json()["job"])
    assert job.status == Job.Status.FAILED and "1处问题" in job.message
    assert job.error_file and count() == 0


def test_export_in_both_shapes_and_404_outside_the_scope(personas, october):
    import_values(acting_user=personas.county, data=GOOD.encode(), kind="csv")
    client = personas.client(personas.chengjiang)
    url = f"/api/v1/dataValueSets?dataSet=village_monthly&period={PERIOD}&orgUnit=331003006"
    document = client.get(url).json()
    assert {v["dataElement"] for v in document["dataValues"]} == {
        "births_male",
        "births_female",
        "population",
    }
    text = client.get(url + "&format=csv").content.decode()
    assert text.splitlines()[0] == "dataelement,period,orgunit,value,comment"
    assert f"births_male,{PERIOD},{VILLAGE},3," in text
    outsider = personas.client(personas.dongcheng)
    assert outsider.get(url).status_code == 404
    assert outsider.get(url.replace("331003006", VILLAGE)).status_code == 404
    # Round trip: what was exported imports as unchanged.
    again = import_values(acting_user=personas.county, data=text.encode(), kind="csv")
    assert again.unchanged == 3 and again.imported == 0


def test_the_commands_import_and_export(personas, october, tmp_path, capsys):
    source = tmp_path / "values.csv"
    source.write_text(GOOD, encoding="utf-8")
    call_command("import_values", str(source), "--user", "county")
    assert count() == 3
    target = tmp_path / "out.json"
    call_command(
        "export_values",
        "--data-set",
        "village_monthly",
        "--period",
        PERIOD,
        "--orgunit",
        "331003",
        "--format",
        "json",
        "-o",
        str(target),
    )
    assert len(json.loads(target.read_text(encoding="utf-8"))["dataValues"]) == 3
    source.write_text(GOOD + f"deaths,{PERIOD},999,1,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_values", str(source))
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_values", str(tmp_path / "missing.csv"))


def test_the_bulk_path_writes_the_same_values(personas, october, monkeypatch):
    """Province-scale files take the bulk path (COPY on PostgreSQL); force it on a small one."""
    from renkou.reporting import writes

    monkeypatch.setattr(writes, "COPY_THRESHOLD", 1)
    summary = import_values(acting_user=personas.county, data=GOOD.encode(), kind="csv")
    assert summary.imported == 3
    stored = {
        (v.element.code, v.comment, v.text): v.value
        for v in DataValue.objects.select_related("element")
    }
    assert stored == {
        ("births_male", "", ""): 3,
        ("births_female", "双胞胎之一", ""): 2,
        ("population", "", ""): 2980,
    }
    changed = GOOD.replace(",3,\n", ",4,\n", 1)
    assert (
        import_values(acting_user=personas.county, data=changed.encode(), kind="csv").updated == 1
    )
    assert DataValue.objects.get(element__code="births_male").value == 4
