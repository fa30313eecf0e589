"""绩效挂钩: rule validation, matching, pay against hand-worked figures (half up
to the fen), roster editing and Excel import, the pay list exported to Excel."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from renkou.assessment import pay
from renkou.assessment.actions_review import do_save_pay_rules, do_save_roster
from renkou.assessment.models import Cadre, PayRule
from renkou.assessment.review_context import ReviewError
from renkou.audit.models import AuditEvent
from renkou.orgunits.models import OrgUnit, RegionClass
from tests.assessment.review.conftest import VILLAGES

pytestmark = pytest.mark.django_db

D = Decimal


def grade_rules() -> list[pay.RuleRow]:
    return [
        pay.RuleRow(None, grade, None, None, D(k), None)
        for grade, k in [("优秀", "1.2"), ("良好", "1.0"), ("合格", "0.8"), ("不合格", "0.5")]
    ]


def roster(code: str, *rows: tuple[str, str, str]) -> None:
    do_save_roster(
        acting_user=None,
        village=OrgUnit.objects.get(code=code),
        cadres=[pay.CadreRow(n, p, D(b)) for n, p, b in rows],
    )


def test_rule_problems():
    street = RegionClass(code="street", name="街道")
    problems = pay.rule_problems(
        [
            pay.RuleRow(None, "优秀", None, None, D("1.2"), D("100")),
            pay.RuleRow(None, "", D("90"), None, D("1.1"), None),
            pay.RuleRow(None, "", D("80"), D("95"), D("1"), None),
            pay.RuleRow(street, "", D("80"), D("95"), D("1"), None),
            pay.RuleRow(None, "良好", D("80"), None, D("1"), None),
            pay.RuleRow(None, "优秀", None, None, D("1.3"), None),
            pay.RuleRow(None, "", D("70"), D("60"), None, D("10")),
        ]
    )
    assert problems == [
        "第1行：请填写绩效系数或奖励金额，二者只能选其一",
        "第3行：分数段与第2行重叠",
        "第5行：请填写等级，或填写分数段，二者只能选其一",
        "第6行：等级“优秀”与第1行重复",
        "第7行：最低分应小于最高分",
    ]
    assert pay.rule_problems(grade_rules()) == []


def test_invalid_rules_write_nothing(personas):
    county = OrgUnit.objects.get(code="331003")
    with pytest.raises(ReviewError, match="二者只能选其一"):
        do_save_pay_rules(
            acting_user=personas.county,
            owner=county,
            year=2025,
            rules=[pay.RuleRow(None, "优秀", None, None, None, None)],
        )
    assert not PayRule.objects.exists()


def test_band_and_class_matching(village_run, personas):
    county = OrgUnit.objects.get(code="331003")
    do_save_pay_rules(
        acting_user=personas.county,
        owner=county,
        year=2025,
        rules=[
            pay.RuleRow(None, "", D("90"), None, None, D("3000")),
            pay.RuleRow(None, "", D("60"), D("90"), None, D("1000")),
            pay.RuleRow(None, "", None, D("60"), None, D("0")),
        ],
    )
    rules = pay.rules_for(county, 2025)
    first, second, _third = (village_run.units.get(orgunit__code=code) for code in VILLAGES)
    assert pay.match_rule(rules, first).amount == D("3000")  # 100 points
    assert pay.match_rule(rules, second).amount == D("1000")  # 86 points
    second.total = D("90")
    assert pay.match_rule(rules, second).amount == D("3000")  # the upper bound is open


def test_pay_list_against_hand_worked_figures(village_run, personas):
    units = {u.orgunit.code: u for u in village_run.units.select_related("orgunit")}
    assert [(units[c].total, units[c].grade) for c in VILLAGES] == [
        (D("100"), "优秀"),
        (D("86"), "良好"),
        (D("100"), "不合格"),  # vetoed: data fraud
    ]
    # The county's table serves the township's village run.
    do_save_pay_rules(
        acting_user=personas.county,
        owner=OrgUnit.objects.get(code="331003"),
        year=2025,
        rules=grade_rules(),
    )
    roster(VILLAGES[0], ("王建国", "村党组织书记", "68000"), ("李秀英", "村计生专干", "43200.50"))
    roster(VILLAGES[1], ("张志强", "村委会主任", "62000"))
    roster(VILLAGES[2], ("陈丽华", "村计生专干", "43333.33"))
    pays = pay.pay_list(village_run)
    assert pays.rules_owner.code == "331003"
    lines = {
        line.cadre.name: line.pay for t in pays.townships for v in t.villages for line in v.lines
    }
    assert lines == {
        "王建国": D("81600.00"),  # 68,000 × 1.2
        "李秀英": D("51840.60"),  # 43,200.50 × 1.2
        "张志强": D("62000.00"),  # 62,000 × 1.0
        "陈丽华": D("21666.67"),  # 43,333.33 × 0.5 = 21,666.665, half up
    }
    assert [t.name for t in pays.townships] == ["澄江街道"]
    assert pays.townships[0].total == D("217107.27")
    assert pays.total == D("217107.27")


def test_pay_excel_for_finance(village_run, personas):
    do_save_pay_rules(
        acting_user=personas.chengjiang,
        owner=OrgUnit.objects.get(code="331003006"),
        year=2025,
        rules=grade_rules(),
    )
    roster(VILLAGES[0], ("王建国", "村党组织书记", "68000"))
    roster(VILLAGES[2], ("陈丽华", "村计生专干", "43333.33"))
    client = personas.client(personas.chengjiang)
    page = client.get(f"/assessment/pay/runs/{village_run.pk}/").content.decode()
    assert "81,600.00" in page and "21,666.67" in page and "无名册" in page
    start = AuditEvent.objects.count()
    response = client.get(f"/assessment/pay/runs/{village_run.pk}/pay.xlsx")
    assert response.status_code == 200
    assert AuditEvent.objects.count() == start + 1
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["绩效报酬发放表"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    by_name = {r[5]: r for r in rows if r[5]}
    assert by_name["王建国"][7:9] == (68000, 81600)
    assert by_name["陈丽华"][8] == pytest.approx(21666.67)
    assert rows[-1][0] == "总计" and rows[-1][8] == pytest.approx(103266.67)
    totals = list(book["乡镇汇总"].iter_rows(min_row=2, values_only=True))
    assert totals[0][:3] == ("澄江街道", 3, 2)


def test_roster_page_saves_and_refuses_bad_rows(personas):
    client = personas.client(personas.chengjiang)
    url = f"/assessment/pay/cadres/{VILLAGES[0]}/"
    assert client.get(url).status_code == 200
    form = {
        "cadres-TOTAL_FORMS": "3",
        "cadres-INITIAL_FORMS": "0",
        "cadres-0-name": "王建国",
        "cadres-0-post": "村党组织书记",
        "cadres-0-base_pay": "68000",
        "cadres-1-name": "王建国",
        "cadres-1-post": "村会计",
        "cadres-1-base_pay": "",
    }
    bad = client.post(url, form)
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "第2行：请填写基本报酬" in text and "第2行：姓名与第1行重复" in text
    assert not Cadre.objects.exists()
    form.update({"cadres-1-name": "李秀英", "cadres-1-base_pay": "43200"})
    start = AuditEvent.objects.count()
    assert client.post(url, form).status_code == 302
    assert AuditEvent.objects.count() == start + 1
    assert sorted(Cadre.objects.values_list("name", "base_pay")) == [
        ("李秀英", D("43200.00")),
        ("王建国", D("68000.00")),
    ]


def upload(client, rows: list[list[object]], name: str = "名册.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.title = pay.ROSTER_SHEET
    sheet.append(pay.ROSTER_HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return client.post("/assessment/pay/cadres/import/", {"file": buffer})


def test_roster_template_and_import(personas):
    client = personas.client(personas.chengjiang)
    template = client.get("/assessment/pay/cadres/template.xlsx")
    book = load_workbook(io.BytesIO(template.content))
    codes = [r[0] for r in book[pay.ROSTER_SHEET].iter_rows(min_row=2, values_only=True)]
    assert codes == VILLAGES
    bad = upload(
        client,
        [
            [VILLAGES[0], "东岙里村委会", "王建国", "村党组织书记", 68000],
            [VILLAGES[1], "横屋村委会", "", "村委会主任", "六万"],
            ["331003001001", "百花社区居委会", "周敏", "村计生专干", 40000],
        ],
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "未写入任何数据" in text
    for expected in ("请填写姓名", "请填写0到999999之间的数字", "不是澄江街道的村（居）"):
        assert expected in text
    assert not Cadre.objects.exists()
    good = upload(
        client,
        [
            [VILLAGES[0], "东岙里村委会", "王建国", "村党组织书记", 68000],
            [VILLAGES[0], "东岙里村委会", "李秀英", "村计生专干", 43200.5],
            [VILLAGES[1], "横屋村委会", "张志强", "村委会主任", 62000],
        ],
    )
    assert good.status_code == 302
    assert Cadre.objects.filter(active=True).count() == 3
    assert AuditEvent.objects.latest("seq").action == "assessment.import_roster"
    not_excel = client.post(
        "/assessment/pay/cadres/import/",
        {"file": io.BytesIO(b"name,post\n")},
    )
    assert not_excel.status_code == 400


def test_rules_page(personas):
    client = personas.client(personas.county)
    assert client.get("/assessment/pay/rules/2025/").status_code == 200
    base = {"rules-TOTAL_FORMS": "2", "rules-INITIAL_FORMS": "0"}
    bad = client.post(
        "/assessment/pay/rules/2025/",
        {**base, "rules-0-grade": "优秀", "rules-0-coefficient": "1.2", "rules-0-amount": "10"},
    )
    assert "第1行：请填写绩效系数或奖励金额，二者只能选其一" in bad.content.decode()
    assert not PayRule.objects.exists()
    good = client.post(
        "/assessment/pay/rules/2025/",
        {
            **base,
            "rules-0-grade": "优秀",
            "rules-0-coefficient": "1.2",
            "rules-1-min_score": "0",
            "rules-1-max_score": "60",
            "rules-1-amount": "0",
        },
    )
    assert good.status_code == 302
    assert PayRule.objects.count() == 2
    assert AuditEvent.objects.latest("seq").action == "assessment.save_pay_rules"
