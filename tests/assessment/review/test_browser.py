"""In chromium: an assessor proposes an adjustment, a second approves it; the run
is released; 澄江街道 appeals on a phone; the assessor upholds it; the run is
published and a leader reads it. Screenshots at desktop and phone widths."""

from __future__ import annotations

import pytest

from renkou.assessment.models import Adjustment, Appeal, AppealStatus, DecisionStatus
from tests.assessment.review.conftest import CHENGJIANG, unit_of
from tests.browser.conftest import DESKTOP, PHONE, browser, shoot  # noqa: F401
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(browser, live_server, username: str, viewport):  # noqa: F811
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return context, page, problems


def test_adjustment_and_appeal_pages(browser, live_server, township_run, personas, reviewer):  # noqa: F811
    base = live_server.url
    unit = unit_of(township_run, CHENGJIANG)
    dongcheng = unit_of(township_run, "331003001")

    # The county assessor proposes: the figure list follows the chosen item.
    context, page, problems = sign_in(browser, live_server, "county", DESKTOP)
    page.goto(f"{base}/assessment/run-units/{dongcheng.pk}/adjust/")
    page.select_option("#id_item_code", "timely")
    assert page.locator("#id_field option:not([hidden])").all_inner_texts() == [
        "report_timeliness（100）"
    ]
    page.select_option("#id_item_code", "births")
    page.select_option("#id_field", "target.births")
    page.fill("#id_new_value", "45")
    page.select_option("#id_reason", "disaster")
    page.fill(
        "#id_note", "7月台风“竹节草”过境，东城街道两个社区整体转移安置两周，出生登记顺延至次年。"
    )
    shoot(page, "assessment-adjustment-form-desktop")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/assessment/adjustments/*/")
    assert "须由另一位有审核权限的同志审核" in page.inner_text("main")
    context.close()

    # The second assessor approves it.
    adjustment = Adjustment.objects.get()
    context, page, problems2 = sign_in(browser, live_server, "reviewer", DESKTOP)
    page.goto(f"{base}/assessment/adjustments/{adjustment.pk}/")
    page.check("input[name=decision][value=approve]")
    page.fill("#id_note", "经核对应急管理局转移安置台账，情况属实，同意调整。")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=已重新计分")
    assert "已同意" in page.inner_text("main")
    shoot(page, "assessment-adjustment-desktop")
    page.goto(f"{base}/assessment/run-units/{dongcheng.pk}/review/")
    assert "已调整" in page.inner_text("#review-unit-panel")
    shoot(page, "assessment-unit-review-desktop")
    context.close()
    adjustment.refresh_from_db()
    assert adjustment.status == DecisionStatus.APPROVED

    # The county releases the results for appeal.
    context, page, problems3 = sign_in(browser, live_server, "county", DESKTOP)
    page.goto(f"{base}/assessment/runs/{township_run.pk}/review/")
    page.fill("#id_appeal_days", "10")
    page.click("text=反馈考核结果，开始申诉期")
    page.wait_for_selector("text=申诉期至")
    shoot(page, "assessment-run-review-desktop")
    context.close()

    # 澄江街道 appeals on a phone.
    context, page, problems4 = sign_in(browser, live_server, "chengjiang", PHONE)
    page.goto(f"{base}/assessment/run-units/{unit.pk}/review/")
    shoot(page, "assessment-unit-review-phone")
    page.click("text=提出申诉")
    page.select_option("#id_item_code", "births")
    page.fill("#id_reason", "12月出生数据因系统迁移未同步，少计8人，附街道出生登记台账。")
    shoot(page, "assessment-appeal-form-phone")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/assessment/appeals/*/")
    assert "待处理" in page.inner_text("main")
    context.close()

    # The county upholds it; the correction fields show only for "upheld".
    appeal = Appeal.objects.get()
    context, page, problems5 = sign_in(browser, live_server, "county", DESKTOP)
    page.goto(f"{base}/assessment/appeals/{appeal.pk}/")
    page.check("input[name=decision][value=reject]")
    assert page.locator("#id_new_value").is_hidden()
    page.check("input[name=decision][value=uphold]")
    page.select_option("#id_field", "births")
    page.fill("#id_new_value", "48")
    page.fill("#id_decision_reason", "经核对街道出生登记台账，12月少计8人属实，申诉成立。")
    shoot(page, "assessment-appeal-decide-desktop")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=已更正数据并重新计分")
    shoot(page, "assessment-appeal-desktop")
    context.close()
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD

    # The unit sees the outcome on its phone.
    context, page, problems6 = sign_in(browser, live_server, "chengjiang", PHONE)
    page.goto(f"{base}/assessment/appeals/{appeal.pk}/")
    assert "申诉成立" in page.inner_text("main")
    shoot(page, "assessment-appeal-phone")
    context.close()

    # Published; the leader reads it.
    context, page, problems7 = sign_in(browser, live_server, "county", DESKTOP)
    page.goto(f"{base}/assessment/runs/{township_run.pk}/review/")
    page.click("text=发布考核结果（发布后不能再调整或申诉）")
    page.wait_for_url(f"{base}/assessment/published/{township_run.pk}/")
    context.close()
    context, page, problems8 = sign_in(browser, live_server, "leader", DESKTOP)
    page.goto(f"{base}/assessment/published/{township_run.pk}/")
    page.wait_for_selector("[data-chart=bar] svg")
    assert "澄江街道" in page.inner_text("main")
    shoot(page, "assessment-published-desktop")
    context.close()
    everything = problems + problems2 + problems3 + problems4 + problems5 + problems6
    assert everything + problems7 + problems8 == []
