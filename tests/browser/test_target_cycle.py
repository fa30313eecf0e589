"""The whole target-responsibility cycle of one year, in chromium, as a county runs it.

黄岩区 sets its 2025 births target and cascades it to its townships; issues the
responsibility contracts; 澄江街道's head signs on a phone; the villages' monthly
figures arrive month by month through the dataValueSets API; in January 2026 the
county runs the assessment; one assessor proposes an adjustment for 东城街道 and
a second approves it; the results go back to the townships, 澄江街道 appeals on a
phone and the appeal is upheld; the run is re-scored and published; the village
run's grades become each cadre's performance pay, exported to Excel.

Each step is checked on what the page shows, against figures worked out by hand
in ``cycle_data``. Setup that is not part of the cycle (the catalogue, the
schemes, region classes, the rosters of villages other than 东岙里村委会) is
seeded with actions.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from renkou.accounts.models import Role
from renkou.assessment import pay
from renkou.assessment.actions import do_create_scheme, do_set_scheme_status
from renkou.assessment.actions_review import do_save_roster
from renkou.assessment.models import Adjustment, Appeal, Run, RunUnit, Scheme, SchemeStatus
from renkou.catalog.seed import import_default_catalog
from renkou.dashboard.demo import seed_region_classes
from renkou.jobs.actions import run_job_now
from renkou.orgunits.models import Level, OrgUnit
from tests.browser import cycle_data as data
from tests.browser.conftest import DESKTOP, PHONE, shoot
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
NAMES = {
    data.DONGCHENG: "东城街道",
    data.CHENGJIANG: "澄江街道",
    data.NINGXI: "宁溪镇",
    data.YUTOU: "屿头乡",
}


def at(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def shown(number: Decimal) -> str:
    """A score as the pages print it: 91.00 → 91, 85.11 → 85.11."""
    return format(number.normalize(), "f")


class Desk:
    """One person signed in to the app in their own browser context; console
    errors and page errors go to ``problems``."""

    def __init__(
        self,
        browser: Any,
        base: str,
        problems: list[str],
        username: str,
        viewport: dict[str, int],
    ) -> None:
        self.base = base
        self.viewport = viewport
        self.problems = problems
        self.context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
        self.page = self.context.new_page()
        self.page.on(
            "console",
            lambda msg: (
                self.problems.append(f"{username}: {msg.text}") if msg.type == "error" else None
            ),
        )
        self.page.on("pageerror", lambda exc: self.problems.append(f"{username}: {exc}"))
        self.username = username
        self.sign_in()

    def sign_in(self, landing: str = "/") -> None:
        """Sign in (again: a sign-in lapses after 30 idle minutes, and the clock jumps ahead)."""
        self.page.goto(f"{self.base}/accounts/login/?next={landing}")
        self.page.fill("#id_username", self.username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(f"{self.base}{landing}")

    def go(self, path: str) -> None:
        response = self.page.goto(f"{self.base}{path}")
        assert response is not None and response.status == 200, (path, response and response.status)

    def text(self, selector: str = "main") -> str:
        return str(self.page.inner_text(selector))

    def fits(self) -> None:
        """Nothing spills sideways (once the style sheets of a new page are in)."""
        self.page.wait_for_load_state("load")
        width = self.page.evaluate("document.documentElement.scrollWidth")
        wide = self.page.evaluate(
            "Array.from(document.querySelectorAll('main *'))"
            ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
            ".slice(0, 8)"
            ".map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))"
        )
        assert width <= self.viewport["width"], (self.page.url, width, wide)

    def csrf(self) -> str:
        return str(next(c["value"] for c in self.context.cookies() if c["name"] == "csrftoken"))

    def close(self) -> None:
        self.context.close()


def league_row(desk: Desk, code: str) -> dict[str, str]:
    row = desk.page.locator(f"#league-rows tr[data-unit='{code}']")
    return {
        "rank": row.locator(".r-rank").inner_text().strip(),
        "name": row.locator(".r-name").inner_text().strip(),
        "total": row.locator(".r-total").inner_text().strip(),
        "grade": row.locator(".r-grade").inner_text().strip(),
        "flags": row.locator(".r-flags").inner_text().strip(),
    }


def item_row(desk: Desk, item: str) -> list[str]:
    cells = desk.page.locator(f"#unit-items tr[data-item='{item}'] td")
    return [cells.nth(i).inner_text().strip() for i in range(cells.count())]


def seed_setup(personas: Any) -> None:
    """What exists before the year starts: catalogue, region classes, the
    county's two schemes, a second county assessor and most village rosters."""
    import_default_catalog()
    seed_region_classes(lambda line: None)
    county = OrgUnit.objects.get(code=data.COUNTY)
    personas.county.full_name = "王建华"
    personas.county.save(update_fields=["full_name"])
    reviewer = make_user("reviewer", Role.COUNTY_ASSESSOR, data.COUNTY)
    reviewer.full_name = "周敏"
    reviewer.save(update_fields=["full_name"])
    for scheme_data, source, level in (
        (data.township_scheme(), data.TOWNSHIP_SCHEME_YAML, Level.TOWNSHIP),
        (data.village_scheme(), data.VILLAGE_SCHEME_YAML, Level.VILLAGE),
    ):
        scheme = do_create_scheme(
            acting_user=personas.county,
            owner=county,
            year=data.YEAR,
            level=level,
            data=scheme_data,
            source=source,
        )
        do_set_scheme_status(acting_user=personas.county, scheme=scheme, status=SchemeStatus.ACTIVE)
    for code, cadres in data.ROSTER_ON_FILE.items():
        do_save_roster(
            acting_user=personas.county,
            village=OrgUnit.objects.get(code=code),
            cadres=[pay.CadreRow(name, post, Decimal(base)) for name, post, base in cadres],
        )


def run_scheme(desk: Desk, scheme: Scheme) -> Run:
    """Start a run on the scheme's page; a worker scores it; the page shows the league."""
    desk.go(f"/assessment/schemes/{scheme.pk}/")
    desk.page.click("#start-run")
    desk.page.wait_for_url(re.compile(r".*/assessment/runs/\d+/$"))
    run = Run.objects.get(pk=int(desk.page.url.rstrip("/").rsplit("/", 1)[1]))
    assert run.job_id is not None
    assert "排队中" in desk.text("#run-progress")
    run_job_now(run.job_id)  # what `renkou worker` does with the queued job
    # The progress box polls and reloads the page once the job is done.
    desk.page.wait_for_selector("#league-rows", timeout=20_000)
    run.refresh_from_db()
    return run


def test_the_whole_target_cycle(browser, live_server, personas):
    base = live_server.url
    problems: list[str] = []

    def sign_in(username: str, viewport: dict[str, int]) -> Desk:
        return Desk(browser, base, problems, username, viewport)

    with time_machine.travel(at(2025, 1, 2), tick=True) as clock:
        seed_setup(personas)
        township_scheme = Scheme.objects.get(level=Level.TOWNSHIP)
        village_scheme = Scheme.objects.get(level=Level.VILLAGE)

        # 1. The county sets 黄岩区's births target and cascades it to the townships.
        clock.move_to(at(2025, 1, 6))
        county = sign_in("county", DESKTOP)
        county.go(f"/targets/unit/{data.COUNTY}/new/?year=2025")
        county.page.select_option("#id_code", "births")
        county.page.select_option("#id_kind", "count")
        county.page.select_option("#id_direction", "at_least")
        county.page.fill("#id_value", str(data.COUNTY_BIRTHS))
        county.page.fill("#id_basis", "按近三年出生人数和育龄妇女变化测算")
        county.page.click("#target-form button[type=submit]")
        county.page.wait_for_selector("#current-goal")
        assert "目标已保存（第1版）" in county.text()
        assert str(data.COUNTY_BIRTHS) in county.text("#current-goal")
        county.page.click("text=分解到下级")
        county.page.wait_for_url(re.compile(r".*/targets/target/\d+/cascade/$"))
        # By population first: nobody has reported a population yet, and the page says so.
        county.page.select_option("#id_basis", "population")
        county.page.click("#cascade-preview-form button[type=submit]")
        county.page.wait_for_selector("#cascade-problem")
        assert "无法按人口分解" in county.text("#cascade-problem")
        county.page.select_option("#id_basis", "equal")
        county.page.click("#cascade-preview-form button[type=submit]")
        county.page.wait_for_selector("#cascade-table")
        rows = county.page.locator("#cascade-table tbody tr")
        parts = {
            rows.nth(i).locator("td").nth(0).inner_text().strip(): int(
                rows.nth(i).locator("td").nth(1).inner_text().strip().removeprefix("≥")
            )
            for i in range(rows.count())
        }
        assert parts == {NAMES[code]: value for code, value in data.SPLIT.items()}
        assert sum(parts.values()) == data.COUNTY_BIRTHS
        assert county.text("#cascade-total") == str(data.COUNTY_BIRTHS)
        assert f"≥{data.COUNTY_BIRTHS}" in county.text("#whole")
        assert f"上级目标 {data.COUNTY_BIRTHS}，分毫不差" in county.text("#cascade-table tfoot")
        shoot(county.page, "cycle-01-cascade-desktop")
        county.page.click("#cascade-confirm button[type=submit]")
        county.page.wait_for_selector(".msg-success")
        assert "已分解到4个下级单位（4个有变化）" in county.text()
        assert "平均分配" in county.text()

        # 2. The county drafts the contracts from the targets and the scheme, and issues them.
        county.go("/contracts/?year=2025")
        county.page.click("text=按目标和考核方案起草")
        county.page.wait_for_selector(".msg-success")
        assert "已起草4份" in county.text()
        county.page.once("dialog", lambda dialog: dialog.accept())
        county.page.click("text=下达4份草稿")
        county.page.wait_for_selector("text=已下达4份责任状")
        statuses = county.text("#contract-rows")
        assert statuses.count("已下达") == 4, statuses
        county.page.click(f"#contract-rows a:text('{NAMES[data.CHENGJIANG]}')")
        county.page.wait_for_url(re.compile(r".*/contracts/\d+/$"))
        contract_text = county.text()
        assert township_scheme.name in contract_text
        assert "出生监测数" in contract_text and str(data.SPLIT[data.CHENGJIANG]) in contract_text
        shoot(county.page, "cycle-02-contract-desktop")
        county.close()

        # 3. 澄江街道's head reads and signs the contract on a phone.
        clock.move_to(at(2025, 1, 8, 15))
        township = sign_in("chengjiang", PHONE)
        township.go("/contracts/mine/")
        township.page.click("text=阅读并签收")
        township.page.wait_for_selector("#acknowledge")
        township.fits()
        township.page.fill("#id_signer_name", "陈立新")
        township.page.check("#id_confirm")
        township.page.click("#acknowledge button[type=submit]")
        township.page.wait_for_selector(".msg-success")
        signed = township.text()
        assert "已签收。签收人、时间和地址已记录。" in signed
        assert "陈立新" in signed and "已签收" in signed
        township.fits()
        shoot(township.page, "cycle-03-acknowledged-phone")
        township.close()

        county = sign_in("county", DESKTOP)
        county.go("/contracts/?year=2025")
        row = county.page.locator("#contract-rows tr", has_text=NAMES[data.CHENGJIANG])
        assert "已签收" in row.inner_text()
        assert "陈立新 · 2025年1月8日" in row.inner_text()
        county.go("/contracts/board/?year=2025")
        board = county.text()
        assert "已签收 1 / 4" in board
        pending = county.text(".ct-pending")
        assert NAMES[data.CHENGJIANG] not in pending
        assert all(NAMES[c] in pending for c in (data.DONGCHENG, data.NINGXI, data.YUTOU))
        county.close()

        # 4. Values arrive: each township sends its villages' figures early each month.
        senders = {
            data.CHENGJIANG: sign_in("chengjiang", DESKTOP),
            data.DONGCHENG: sign_in("dongcheng", DESKTOP),
        }
        for month in range(1, 13):
            clock.move_to(at(2025 + month // 12, month % 12 + 1, 3))
            for code, sender in senders.items():
                sender.sign_in(landing="/contracts/mine/")
                body = data.month_csv(code, month)
                response = sender.page.request.post(
                    f"{base}/api/v1/dataValueSets",
                    data=body,
                    headers={"Content-Type": "text/csv", "X-CSRFToken": sender.csrf()},
                )
                assert response.status == 200, response.text()
                summary = response.json()
                assert summary["status"] == "SUCCESS", summary
                assert summary["importCount"]["imported"] == body.count("\n") - 1
        for sender in senders.values():
            sender.close()

        county = sign_in("county", DESKTOP)
        county.go(f"/targets/unit/{data.CHENGJIANG}/?year=2025")
        card = county.text("#target-births")
        assert f"目标 ≥{data.SPLIT[data.CHENGJIANG]}人" in card
        assert "1–12月出生人数30人，按时间进度（12/12）应达38人，完成79%，红灯" in card
        shoot(county.page, "cycle-04-progress-desktop")
        county.go("/targets/?year=2025")
        cell = county.page.locator("#target-board tr", has_text=NAMES[data.CHENGJIANG])
        assert f"{data.births(data.CHENGJIANG)}/{data.SPLIT[data.CHENGJIANG]}" in cell.inner_text()
        county.close()

        # 5. In January the county runs the assessment: the league table.
        clock.move_to(at(2026, 1, 12))
        county = sign_in("county", DESKTOP)
        run = run_scheme(county, township_scheme)
        dongcheng = league_row(county, data.DONGCHENG)
        chengjiang = league_row(county, data.CHENGJIANG)
        assert (dongcheng["total"], dongcheng["grade"]) == (shown(data.DONGCHENG_RAW), "良好")
        assert (chengjiang["total"], chengjiang["grade"]) == (shown(data.CHENGJIANG_RAW), "良好")
        assert [chengjiang["rank"], dongcheng["rank"]] == ["1", "2"]
        for code in (data.NINGXI, data.YUTOU):
            row_of = league_row(county, code)
            assert (row_of["total"], row_of["grade"]) == ("0", "不合格")
            assert "否决：总分低于60分" in row_of["flags"]
        assert "14条数据缺失提示" in county.text()
        shoot(county.page, "cycle-05-league-desktop")

        units = {
            u.orgunit.code: u for u in RunUnit.objects.filter(run=run).select_related("orgunit")
        }
        county.go(f"/assessment/results/{units[data.CHENGJIANG].pk}/")
        births = item_row(county, "births")
        assert births[:5] == ["出生监测数", "30", "30", "38", "23.68"]
        assert "出生监测数30，目标38，完成率78.95%，按30×30÷38计，得23.68分" in births[-1]

        # 6. Flexible assessment: a typhoon hit 东城街道; one assessor proposes, another approves.
        county.go(f"/assessment/results/{units[data.DONGCHENG].pk}/")
        county.page.click("text=提出柔性考核调整")
        county.page.select_option("#id_item_code", "births")
        county.page.select_option("#id_field", "target.births")
        county.page.fill("#id_new_value", str(data.DONGCHENG_ADJUSTED_TARGET))
        county.page.select_option("#id_reason", "disaster")
        county.page.fill(
            "#id_note", "7月台风“竹节草”过境，东城街道两个社区整体转移安置两周，出生目标按实核减。"
        )
        county.page.click("main form button[type=submit]")
        county.page.wait_for_url(re.compile(r".*/assessment/adjustments/\d+/$"))
        proposed = county.text()
        assert "待审核" in proposed
        assert "须由另一位有审核权限的同志审核" in proposed
        assert county.page.locator("form[action$='/decide/']").count() == 0
        adjustment = Adjustment.objects.get()
        county.close()

        reviewer = sign_in("reviewer", DESKTOP)
        reviewer.go(f"/assessment/adjustments/{adjustment.pk}/")
        reviewer.page.check("input[name=decision][value=approve]")
        reviewer.page.fill("#id_note", "经核对应急管理局转移安置台账，情况属实，同意调整。")
        reviewer.page.click("main form button[type=submit]")
        reviewer.page.wait_for_selector("text=已同意调整，考核结果已重新计分。")
        assert "已同意" in reviewer.text(".sv-head")
        shoot(reviewer.page, "cycle-06-adjustment-approved-desktop")
        reviewer.go(f"/assessment/results/{units[data.DONGCHENG].pk}/")
        assert reviewer.text(".as-total .r-total") == shown(data.DONGCHENG_FINAL)
        assert shown(data.DONGCHENG_RAW) in reviewer.text(".as-raw")
        assert reviewer.text(".as-summary .r-grade") == "优秀"
        births = item_row(reviewer, "births")
        assert births[2:6] == ["28", "30", "28", "22.11"]
        citation = (
            f"（柔性考核调整#{adjustment.pk}：自然灾害，出生人数目标由38调整为30，经周敏审核同意）"
        )
        assert citation in births[-1]
        shoot(reviewer.page, "cycle-07-unit-adjusted-desktop")
        reviewer.close()

        # 7. The county sends the results back to the townships for appeal.
        county = sign_in("county", DESKTOP)
        county.go(f"/assessment/runs/{run.pk}/review/")
        county.page.fill("#id_appeal_days", "10")
        county.page.click("text=反馈考核结果，开始申诉期")
        county.page.wait_for_selector(".msg-success")
        assert "考核结果已反馈各单位，申诉期至2026年1月22日。" in county.text()
        county.close()

        # 8. 澄江街道 appeals its births figure on a phone.
        clock.move_to(at(2026, 1, 14))
        township = sign_in("chengjiang", PHONE)
        township.go(f"/assessment/results/{units[data.CHENGJIANG].pk}/")
        assert township.text(".as-total .r-total") == shown(data.CHENGJIANG_RAW)
        assert township.text(".as-summary .r-grade") == "良好"
        township.fits()
        township.page.click("text=提出申诉")
        township.page.select_option("#id_item_code", "births")
        township.page.fill(
            "#id_reason",
            "12月有3名新生儿因户籍系统迁移未同步到月报，实际出生33人，附街道出生登记台账。",
        )
        township.fits()
        shoot(township.page, "cycle-08-appeal-form-phone")
        township.page.click("main form button[type=submit]")
        township.page.wait_for_url(re.compile(r".*/assessment/appeals/\d+/$"))
        assert "申诉已提交" in township.text()
        assert "待处理" in township.text(".sv-head")
        appeal = Appeal.objects.get()
        township.close()

        # 9. The county upholds the appeal: the figure is corrected and the run re-scored.
        clock.move_to(at(2026, 1, 16))
        county = sign_in("county", DESKTOP)
        county.go(f"/assessment/appeals/{appeal.pk}/")
        county.page.check("input[name=decision][value=uphold]")
        county.page.select_option("#id_field", "births")
        county.page.fill("#id_new_value", str(data.CHENGJIANG_CORRECTED_BIRTHS))
        county.page.fill(
            "#id_decision_reason", "经核对街道出生登记台账，12月少计3人属实，申诉成立。"
        )
        county.page.click("main form button[type=submit]")
        county.page.wait_for_selector("text=申诉成立，已更正数据并重新计分。")
        assert "申诉成立" in county.text(".sv-head")
        county.go(f"/assessment/runs/{run.pk}/")
        assert "第3次" in county.text(".as-sub")
        chengjiang = league_row(county, data.CHENGJIANG)
        dongcheng = league_row(county, data.DONGCHENG)
        assert (chengjiang["rank"], chengjiang["total"], chengjiang["grade"]) == (
            "1",
            shown(data.CHENGJIANG_FINAL),
            "优秀",
        )
        assert (dongcheng["rank"], dongcheng["total"], dongcheng["grade"]) == (
            "2",
            shown(data.DONGCHENG_FINAL),
            "优秀",
        )
        assert "已调整" in chengjiang["flags"] and "已调整" in dongcheng["flags"]
        county.close()

        township = sign_in("chengjiang", PHONE)
        township.go(f"/assessment/appeals/{appeal.pk}/")
        outcome = township.text()
        assert "申诉成立" in outcome and "已重新计分" in outcome
        township.go(f"/assessment/results/{units[data.CHENGJIANG].pk}/")
        assert township.text(".as-total .r-total") == shown(data.CHENGJIANG_FINAL)
        assert township.text(".as-summary .r-grade") == "优秀"
        township.fits()
        shoot(township.page, "cycle-09-appeal-upheld-phone")
        township.close()

        # 10. After the appeal period the county publishes; a leader reads the notice.
        clock.move_to(at(2026, 1, 26))
        county = sign_in("county", DESKTOP)
        county.go(f"/assessment/runs/{run.pk}/review/")
        county.page.click("text=发布考核结果（发布后不能再调整或申诉）")
        county.page.wait_for_url(f"{base}/assessment/published/{run.pk}/")
        published = county.text()
        assert "关于2025年度人口家庭工作目标管理责任制考核结果的通报" in published
        assert "澄江街道、东城街道" in county.text(".grid-2 section:first-child")
        assert "宁溪镇、屿头乡" in county.text(".grid-2 section:last-child")
        county.close()

        leader = sign_in("leader", DESKTOP)
        leader.go("/assessment/published/")
        leader.page.click(f"main a:text('{township_scheme.name}')")
        leader.page.wait_for_url(f"{base}/assessment/published/{run.pk}/")
        leader.page.wait_for_selector("[data-chart=bar] svg")
        ranking = leader.page.locator("table tr", has_text=NAMES[data.CHENGJIANG]).inner_text()
        assert shown(data.CHENGJIANG_FINAL) in ranking
        assert f"原始 {shown(data.CHENGJIANG_RAW)}" in ranking
        link = leader.page.locator("a", has_text="下载通报 PDF")
        notice = leader.page.request.get(f"{base}{link.get_attribute('href')}")
        assert notice.status == 200
        assert notice.headers["content-type"] == "application/pdf"
        assert notice.body().startswith(b"%PDF")
        shoot(leader.page, "cycle-10-published-desktop")
        leader.close()

        # 11. Pay linkage: the village run, the pay rules, a roster, the pay list in Excel.
        county = sign_in("county", DESKTOP)
        villages = run_scheme(county, village_scheme)
        for code, (total, grade) in data.VILLAGE_TOTALS.items():
            row_of = league_row(county, code)
            assert (row_of["total"], row_of["grade"]) == (shown(total), grade), code
        county.go(f"/assessment/runs/{villages.pk}/review/")
        county.page.click("text=发布考核结果（发布后不能再调整或申诉）")
        county.page.wait_for_url(f"{base}/assessment/published/{villages.pk}/")

        county.go("/assessment/pay/rules/2025/")
        for number, (grade, coefficient) in enumerate(data.PAY_RULES):
            if number == 2:
                # Two empty rows at a time: save, and two more appear.
                county.page.click("main form button[type=submit]")
                county.page.wait_for_selector("text=绩效挂钩规则已保存。")
            county.page.fill(f"#id_rules-{number}-grade", grade)
            county.page.fill(f"#id_rules-{number}-coefficient", coefficient)
        county.page.click("main form button[type=submit]")
        county.page.wait_for_selector("text=绩效挂钩规则已保存。")

        county.go("/assessment/pay/cadres/331003006200/")
        for number, (name, post, base_pay) in enumerate(data.ROSTER_ON_PAGE):
            county.page.fill(f"#id_cadres-{number}-name", name)
            county.page.fill(f"#id_cadres-{number}-post", post)
            county.page.fill(f"#id_cadres-{number}-base_pay", base_pay)
        county.page.click("main form button[type=submit]")
        county.page.wait_for_selector("text=村干部名册已保存。")

        county.go(f"/assessment/pay/runs/{villages.pk}/")
        figures = county.page.locator(".figures .num").all_inner_texts()
        assert figures == ["6", f"{data.TOTAL_PAY:,}"]
        section = county.page.locator("section.card", has_text=NAMES[data.CHENGJIANG])
        assert f"4 人，合计 {data.CHENGJIANG_PAY:,} 元" in section.locator("h2").inner_text()
        for name, amount in data.PAY.items():
            line = county.page.locator("tr", has_text=name).inner_text()
            assert f"{amount:,}" in line, (name, line)
        assert "示范 → 系数1.2" in county.text()
        shoot(county.page, "cycle-11-pay-list-desktop")
        with county.page.expect_download() as download_info:
            county.page.click("text=导出 Excel（财务）")
        workbook = load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
        sheet = workbook["绩效报酬发放表"]
        rows_by_name = {row[5]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
        for name, amount in data.PAY.items():
            assert Decimal(str(rows_by_name[name][8])) == amount, name
        assert rows_by_name["李秀英"][:5] == (
            "澄江街道",
            "东岙里村委会",
            90,
            "示范",
            "示范 → 系数1.2",
        )
        total_row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "总计")
        assert Decimal(str(total_row[8])) == data.TOTAL_PAY
        county.close()

    assert problems == []
