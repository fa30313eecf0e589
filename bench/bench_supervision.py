"""Monthly supervision: scoring, sampling, a demo year, the bulletin, the
assessment inputs."""

from __future__ import annotations

import random
import time
from decimal import Decimal

from django.db import connection

from renkou.orgunits.models import Level, OrgUnit
from renkou.supervision import bulletin, sampling
from renkou.supervision.scoring import Finding, ItemRule, OverdueRule, Style, score_sheet


def _scoring() -> None:
    rng = random.Random(1)
    rules = [
        ItemRule(f"X{i}", "项", Decimal(10), Style.OCCURRENCE, Decimal("0.5"), Decimal(5))
        if i % 3
        else ItemRule(f"X{i}", "项", Decimal(5), Style.YES_NO, Decimal(5))
        for i in range(12)
    ]
    sheets = 20_000
    started = time.perf_counter()
    for _ in range(sheets):
        findings = {
            r.code: Finding(occurrences=rng.randrange(4), failed=rng.random() < 0.2) for r in rules
        }
        score_sheet(
            rules, findings, overdue_rule=OverdueRule(Decimal("0.5"), Decimal(2)), overdue_tasks=1
        )
    elapsed = time.perf_counter() - started
    print(f"   score {sheets} inspections × 12 items: {elapsed:.2f} s ({sheets / elapsed:,.0f}/s)")


def _sampling() -> None:
    townships = OrgUnit.objects.filter(code__startswith="33", level=Level.TOWNSHIP).count()
    strata: dict[str, list[sampling.Candidate]] = {}
    for code, parent in OrgUnit.objects.filter(
        code__startswith="33", level=Level.VILLAGE
    ).values_list("code", "parent__code"):
        strata.setdefault(str(parent), []).append(sampling.Candidate(code, Decimal("1.00")))
    if not strata:
        print("   (no villages imported; sampling figure skipped)")
        return
    villages = sum(len(v) for v in strata.values())
    started = time.perf_counter()
    sampling.draw(20260105, strata, 2)
    elapsed = time.perf_counter() - started
    print(f"   draw 2 villages in each of {townships} townships ({villages} villages):", end="")
    print(f" {elapsed:.2f} s")


def _demo_year() -> None:
    from renkou.accounts.models import Role, User
    from renkou.supervision.demo import seed_supervision
    from renkou.supervision.models import Plan, PlanStatus
    from renkou.supervision.selectors import assessment_inputs

    county = OrgUnit.objects.filter(code="331003").first()
    if county is None:
        print("   (黄岩区 not imported; demo-year figures skipped)")
        return
    if not User.objects.filter(username="county").exists():
        User.objects.create(username="county", role=Role.COUNTY_ASSESSOR, home_unit=county)
    started = time.perf_counter()
    seed_supervision(lambda line: print("   " + line))
    print(f"   seed a year of 黄岩区 supervision: {time.perf_counter() - started:.1f} s")
    plan = (
        Plan.objects.filter(root=county, status=PlanStatus.CLOSED)
        .order_by("-year", "-month")
        .first()
    )
    if plan is not None:
        started = time.perf_counter()
        pdf = bulletin.render_pdf(plan)
        took = time.perf_counter() - started
        print(f"   bulletin PDF for {plan.month_label}: {took:.2f} s, {len(pdf) // 1024} KB")
    codes = list(
        OrgUnit.objects.filter(path__startswith=county.path).values_list("code", flat=True)
    )
    started = time.perf_counter()
    values = assessment_inputs(plan.year if plan else 2026, codes)
    elapsed = (time.perf_counter() - started) * 1000
    print(f"   assessment_inputs for {len(values)} units: {elapsed:.0f} ms")


def main() -> None:
    print(f"   database: {connection.vendor}")
    _scoring()
    _sampling()
    _demo_year()
