from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from renkou.audit.models import AuditEvent
from renkou.orgunits.actions import import_divisions
from renkou.orgunits.importer import DivisionFileError, canonical_code
from renkou.orgunits.models import Level, OrgUnit, subtree_q

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent.parent / "data"


def _snapshot() -> list[tuple[str, str, str]]:
    return list(OrgUnit.objects.order_by("code").values_list("code", "name", "path"))


def test_it_imports_a_generic_csv_with_levels_and_paths():
    report = import_divisions(acting_user=None, source=DATA / "divisions_small.csv")
    assert report.created == 15
    village = OrgUnit.objects.get(code="331003006204")
    assert village.level == Level.VILLAGE
    assert village.parent.code == "331003006"
    assert village.path == "33/3310/331003/331003006/331003006204/"
    assert OrgUnit.objects.get(code="331003").level == Level.COUNTY


def test_subtree_query_finds_exactly_the_descendants():
    import_divisions(acting_user=None, source=DATA / "divisions_small.csv")
    chengjiang = OrgUnit.objects.get(code="331003006")
    codes = set(OrgUnit.objects.filter(subtree_q(chengjiang.path)).values_list("code", flat=True))
    assert codes == {"331003006", "331003006200", "331003006204", "331003006208"}
    huangyan = OrgUnit.objects.get(code="331003")
    assert OrgUnit.objects.filter(subtree_q(huangyan.path)).count() == 10


def test_reimporting_the_same_file_reports_zero_changes_and_writes_no_audit_row():
    import_divisions(acting_user=None, source=DATA / "divisions_small.csv")
    before = _snapshot()
    audit_rows = AuditEvent.objects.count()
    report = import_divisions(acting_user=None, source=DATA / "divisions_small.csv")
    assert report.changes == 0
    assert report.unchanged == 15
    assert "0处变更" in report.summary()
    assert _snapshot() == before
    assert AuditEvent.objects.count() == audit_rows


def test_a_renamed_unit_is_updated(tmp_path):
    import_divisions(acting_user=None, source=DATA / "divisions_small.csv")
    text = (DATA / "divisions_small.csv").read_text(encoding="utf-8")
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(text.replace("横屋村委会", "横屋村"), encoding="utf-8")
    report = import_divisions(acting_user=None, source=renamed)
    assert (report.created, report.renamed, report.moved) == (0, 1, 0)
    assert OrgUnit.objects.get(code="331003006204").name == "横屋村"
    event = AuditEvent.objects.get(action="orgunits.import", changes__renamed=1)
    assert event.changes["created"] == 0


def test_a_moved_unit_gets_new_paths_for_itself_and_its_descendants(tmp_path):
    import_divisions(acting_user=None, source=DATA / "divisions_small.csv")
    text = (DATA / "divisions_small.csv").read_text(encoding="utf-8")
    moved = tmp_path / "moved.csv"
    # 澄江街道 handed to 椒江区 (a made-up change, to exercise re-parenting).
    moved.write_text(
        text.replace("331003006,澄江街道,331003", "331003006,澄江街道,331002"), encoding="utf-8"
    )
    report = import_divisions(acting_user=None, source=moved)
    assert report.moved == 1
    assert OrgUnit.objects.get(code="331003006204").path == "33/3310/331002/331003006/331003006204/"


def test_twelve_digit_padded_codes_are_stored_in_short_form(tmp_path):
    source = tmp_path / "padded.csv"
    source.write_text(
        "code,name,parent_code\n330000000000,浙江省,\n331000000000,台州市,330000000000\n",
        encoding="utf-8",
    )
    import_divisions(acting_user=None, source=source)
    assert OrgUnit.objects.get(code="3310").parent.code == "33"
    assert canonical_code("331003006000") == "331003006"
    assert canonical_code("331003006204") == "331003006204"


def test_a_gb18030_file_saved_by_excel_is_read(tmp_path):
    source = tmp_path / "gbk.csv"
    source.write_bytes("code,name,parent_code\n33,浙江省,\n".encode("gb18030"))
    import_divisions(acting_user=None, source=source)
    assert OrgUnit.objects.get(code="33").name == "浙江省"


def test_root_keeps_the_subtree_and_its_ancestors_only(division_folder):
    report = import_divisions(acting_user=None, source=division_folder, root="331003006")
    assert report.created == 7  # 浙江省, 台州市, 黄岩区, 澄江街道 and its 3 villages
    assert not OrgUnit.objects.filter(code__in=["331002", "331003001"]).exists()


def test_root_not_in_the_files_is_a_clear_error(division_folder):
    with pytest.raises(DivisionFileError) as caught:
        import_divisions(acting_user=None, source=division_folder, root="440000")
    assert "44" in str(caught.value)


BROKEN = """code,name,parent_code
33,浙江省,
3310,台州市,33
33100X,黄岩区,3310
331003001,,3310
331002,椒江区,3310
331002,椒江区二,3310
331002001,海门街道,339999
331002001003,城隍浦社区,331002001
"""


def test_broken_rows_are_each_named_and_nothing_is_imported(tmp_path):
    source = tmp_path / "broken.csv"
    source.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(DivisionFileError) as caught:
        import_divisions(acting_user=None, source=source)
    problems = {(p.line, p.reason.split("：")[0][:6]) for p in caught.value.problems}
    lines = sorted(p.line for p in caught.value.problems)
    assert lines == [4, 5, 7, 8]
    reasons = " ".join(p.reason for p in caught.value.problems)
    assert "33100X" in reasons and "无效" in reasons
    assert "名称为空" in reasons
    assert "重复" in reasons and "第6行" in reasons
    assert "上级代码339999不存在" in reasons
    assert problems
    assert OrgUnit.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_missing_columns_are_reported(tmp_path):
    source = tmp_path / "cols.csv"
    source.write_text("code,title\n33,浙江省\n", encoding="utf-8")
    with pytest.raises(DivisionFileError) as caught:
        import_divisions(acting_user=None, source=source)
    assert "缺少列" in str(caught.value) and "parent_code" in str(caught.value)


def test_an_empty_or_binary_file_is_reported(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DivisionFileError, match="空"):
        import_divisions(acting_user=None, source=empty)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(DivisionFileError):
        import_divisions(acting_user=None, source=binary)
    assert OrgUnit.objects.count() == 0


def test_the_command_names_bad_lines_and_exits_non_zero(tmp_path, capsys):
    source = tmp_path / "broken.csv"
    source.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_divisions", str(source))
    err = capsys.readouterr().err
    assert "broken.csv 第4行" in err and "broken.csv 第8行" in err
    assert OrgUnit.objects.count() == 0


def test_the_command_reports_zero_changes_on_the_second_run(capsys):
    call_command("import_divisions", str(DATA / "divisions_small.csv"))
    call_command("import_divisions", str(DATA / "divisions_small.csv"))
    out = capsys.readouterr().out
    assert "0处变更" in out


@pytest.mark.django_db(transaction=False)
def test_zhejiang_from_the_china_division_package(china_division_dir):
    """The real data: 11 cities, 90 counties, 1,387 townships, 25,547 villages."""
    report = import_divisions(acting_user=None, source=china_division_dir, root="33")
    counts = dict(report.total_by_level)
    assert counts == {1: 1, 2: 11, 3: 90, 4: 1387, 5: 25547}
    assert (
        OrgUnit.objects.filter(level=Level.VILLAGE, path__startswith="33/3310/331003/").count()
        == 348
    )
    again = import_divisions(acting_user=None, source=china_division_dir, root="33")
    assert again.changes == 0 and again.unchanged == 1 + 11 + 90 + 1387 + 25547
