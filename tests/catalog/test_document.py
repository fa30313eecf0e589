"""The catalogue as YAML: every problem found at once, nothing written, round trips exact."""

from __future__ import annotations

import pytest
import yaml

from renkou.catalog.actions import do_import_catalog
from renkou.catalog.document import CatalogFileError, check_document, dump_document, load_document
from renkou.catalog.models import DataElement, DataSet, Indicator, ValidationRule
from renkou.catalog.seed import DEFAULT_CATALOG, import_default_catalog
from renkou.catalog.selectors import current_document, known_codes

pytestmark = pytest.mark.django_db


def problems_of(text: str) -> list[str]:
    with pytest.raises(CatalogFileError) as caught:
        check_document(load_document(text), known=known_codes())
    return [str(p) for p in caught.value.problems]


def test_the_default_catalogue_is_valid_and_covers_todays_work():
    report = import_default_catalog()
    assert report.created["element"] == 17 and report.created["indicator"] == 11
    data_set = DataSet.objects.get(code="village_monthly")
    assert data_set.reporting_level == 5 and data_set.period_type == "month"
    codes = set(DataElement.objects.values_list("code", flat=True))
    for code in [
        "births_male",
        "births_female",
        "deaths",
        "migration_in",
        "migration_out",
        "birth_registrations",
        "registered_30d",
        "prepreg_checks",
        "prepreg_eligible",
        "subsidy_applied",
        "subsidy_paid",
        "special_families",
        "special_visited",
        "childcare_places",
        "population",
    ]:
        assert code in codes
    names = set(Indicator.objects.values_list("name", flat=True))
    assert {"出生率", "死亡率", "自然增长率", "出生人口性别比", "生育登记及时率"} <= names
    assert {"孕前优生健康检查覆盖率", "育儿补贴发放率", "每千人口托位数", "月报及时率"} <= names
    assert Indicator.objects.get(code="srb").range_low == 103
    assert ValidationRule.objects.filter(data_set=data_set).count() == 5


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    import_default_catalog()
    again = import_default_catalog()
    assert again.changes == 0
    assert sum(again.unchanged.values()) == 17 + 11 + 1 + 5


def test_export_then_import_is_the_same_catalogue():
    import_default_catalog()
    text = dump_document(current_document())
    assert yaml.safe_load(text)["data_sets"][0]["elements"][0] == "births_male"
    document = check_document(load_document(text), known=known_codes())
    assert do_import_catalog(acting_user=None, document=document).changes == 0


def test_every_problem_is_reported_with_where_it_is():
    found = problems_of(
        """
version: 1
data_elements:
  - {code: 1bad, name: x}
  - {code: ok, name: "", value_type: money, plausible_min: 5, plausible_max: 2}
  - {code: ok, name: 重复}
indicators:
  - {code: rate, name: 率, numerator: "#{ok} / (", factor: 7}
  - {code: rate2, name: 率2, numerator: "#{nope}"}
data_sets:
  - code: ds
    name: 表
    elements: [ok, missing]
    rules:
      - {code: r1, name: 规则, left: "#{ok}", operator: "=<", right: "1", message: m}
"""
    )
    text = "\n".join(found)
    assert "data_elements[0].code：编码“1bad”无效" in text
    assert "data_elements[1].name：不能为空" in text
    assert "data_elements[1].value_type：“money”无效" in text
    assert "data_elements[1].plausible_max：上限小于下限" in text
    assert "data_elements[2].code：编码 ok 重复" in text
    assert "indicators[0].factor：倍数应为 1、100 或 1000" in text
    assert "indicators[0].numerator：第" in text  # position of the parse error
    assert "indicators[1].numerator：公式引用了不存在的数据项：nope" in text
    assert "data_sets[0].elements：数据项 missing 不存在" in text
    assert "data_sets[0].rules[0].operator" in text
    assert DataElement.objects.count() == 0


def test_rules_may_only_read_their_own_data_set():
    found = problems_of(
        """
data_elements:
  - {code: a, name: 甲}
  - {code: b, name: 乙}
data_sets:
  - code: ds
    name: 表
    elements: [a]
    rules:
      - {code: r1, name: 规则, left: "#{a}", operator: "<=", right: "#{b}", message: m}
"""
    )
    assert any("不属于本报表的数据项：b" in p for p in found)


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe\x00garbage", b"[1, 2, 3]", b"key: [unclosed", b"x" * (3 * 1024 * 1024)],
)
def test_files_that_are_not_a_catalogue_get_one_clear_message(content):
    with pytest.raises(CatalogFileError) as caught:
        load_document(content)
    assert len(caught.value.problems) == 1


def test_a_code_cannot_name_two_kinds_of_thing():
    import_default_catalog()
    found = problems_of("indicators:\n  - {code: births_male, name: x, numerator: '1'}\n")
    assert any("已被其他类型的对象使用" in p for p in found)


def test_the_packaged_file_is_the_one_seeded():
    assert DEFAULT_CATALOG.name == "default_catalog.yaml" and DEFAULT_CATALOG.exists()
