"""What a contract says (a JSON snapshot) and its PDF.

``build_content`` gathers the parties, the recipient's targets, the items of
the year's scheme with their rules in plain Chinese, and the consequences
(grades, vetoes, grade ceilings, bonuses, pay linkage). The snapshot is kept
on the contract, so the document never changes when targets or the scheme do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from renkou.catalog.models import DataElement, Indicator
from renkou.contracts.describe import Describer, item_text, num, resolve_for_class
from renkou.orgunits.models import Level, OrgUnit
from renkou.scoring.text import fmt
from renkou.targets.models import Direction, Target

if TYPE_CHECKING:
    from renkou.assessment.models import Scheme
    from renkou.contracts.models import Contract

DIGITS = "〇一二三四五六七八九"


def year_zh(year: int) -> str:
    return "".join(DIGITS[int(d)] for d in str(year))


def small_number_zh(n: int) -> str:
    """1..31 as written in dates: 一, 十, 十二, 二十, 三十一."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return DIGITS[ones]
    head = "" if tens == 1 else DIGITS[tens]
    return head + "十" + (DIGITS[ones] if ones else "")


def date_zh(day: dt.date | None) -> str:
    """二〇二六年一月五日, as dated on an official document."""
    if day is None:
        return "　　年　月　日"
    return f"{year_zh(day.year)}年{small_number_zh(day.month)}月{small_number_zh(day.day)}日"


def date_plain(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def contract_title(year: int) -> str:
    return f"{year}年度人口家庭工作目标管理责任书"


def catalogue_names(codes: Iterable[str]) -> dict[str, tuple[str, str]]:
    """``code → (name, unit)`` from the catalogue (indicators win over elements)."""
    wanted = set(codes)
    found: dict[str, tuple[str, str]] = {}
    for element in DataElement.objects.filter(code__in=wanted).only("code", "name", "unit"):
        found[element.code] = (element.name, element.unit)
    for indicator in Indicator.objects.filter(code__in=wanted).only("code", "name", "unit"):
        found[indicator.code] = (indicator.name, indicator.unit)
    return found


def _dec(value: Decimal | None) -> str:
    return fmt(value.normalize()) if value is not None else ""


def target_text(target: Target, unit: str) -> str:
    suffix = unit if unit and unit not in {"%", "‰"} else ""
    mark = unit if unit in {"%", "‰"} else ""
    if target.low is not None and target.high is not None:
        return f"{_dec(target.low)}{mark}—{_dec(target.high)}{mark}{suffix}"
    value = f"{_dec(target.value)}{mark}{suffix}"
    if target.direction == Direction.AT_MOST:
        return f"不高于{value}"
    if target.direction == Direction.WITHIN:
        return value
    return value if target.kind == "count" else f"不低于{value}"


def parent_issuer(recipient: OrgUnit) -> OrgUnit:
    if recipient.parent is None:
        raise ValueError("a contract needs a unit above the recipient")
    return recipient.parent


def active_scheme(issuer: OrgUnit, year: int, level: int) -> Scheme | None:
    from renkou.assessment.models import Scheme, SchemeStatus

    return (
        Scheme.objects.filter(owner=issuer, year=year, level=level, status=SchemeStatus.ACTIVE)
        .order_by("-version", "-id")
        .first()
    )


def _pay_lines(issuer: OrgUnit, year: int, recipient: OrgUnit) -> list[str]:
    from renkou.assessment.models import PayRule

    rules = PayRule.objects.filter(owner=issuer, year=year).filter(
        Q(region_class__isnull=True) | Q(region_class_id=recipient.region_class_id)
    )
    rows = sorted(
        rules,
        key=lambda r: (r.region_class_id is None, -(r.min_score or Decimal(-1)), r.grade),
    )
    # A class-specific row replaces the general row for the same grade or band.
    seen: set[tuple[str, Decimal | None]] = set()
    lines = []
    for rule in rows:
        key = (rule.grade, rule.min_score)
        if key in seen:
            continue
        seen.add(key)
        if rule.grade:
            who = f"考核等级为{rule.grade}的"
        elif rule.max_score is not None:
            who = f"总分{_dec(rule.min_score or Decimal(0))}分（含）至{_dec(rule.max_score)}分的"
        else:
            who = f"总分{_dec(rule.min_score or Decimal(0))}分及以上的"
        parts = []
        if rule.coefficient is not None:
            parts.append(f"绩效报酬系数为{_dec(rule.coefficient)}")
        if rule.amount is not None:
            parts.append(f"奖励{_dec(rule.amount)}元")
        if parts:
            lines.append(who + "，" + "，".join(parts))
    return lines


def build_content(
    *,
    year: int,
    recipient: OrgUnit,
    issuer: OrgUnit,
    scheme: Scheme | None,
    targets: Mapping[str, Target],
) -> dict[str, Any]:
    """Everything the document says, as plain JSON."""
    klass = recipient.region_class.code if recipient.region_class_id else None  # type: ignore[union-attr]
    data: Mapping[str, Any] = scheme.data if scheme is not None else {}
    raw_items = [resolve_for_class(e, klass) for e in data.get("items") or []]
    codes = set(targets) | {str(i.get("value") or "") for i in raw_items}
    names = catalogue_names(codes)
    target_texts = {
        code: target_text(t, names.get(code, ("", ""))[1]) for code, t in targets.items()
    }
    # A scheme item reads the unit's target under its own code; fall back to the
    # target of the figure it scores.
    item_targets: dict[str, str] = {}
    used: set[str] = set()
    for item in raw_items:
        code, value = str(item.get("code")), str(item.get("value") or "")
        for key in (code, value):
            if key in target_texts:
                item_targets[code] = target_texts[key]
                used.add(key)
                break
    label_names = {code: name for code, (name, _unit) in names.items()}
    describer = Describer(item_targets, label_names)
    items = []
    total = Decimal(0)
    for item in raw_items:
        skipped = bool(klass and klass in (item.get("skip_classes") or []))
        points = Decimal(str(item.get("points", 0)))
        if not skipped:
            total += points
        items.append(
            {
                "code": str(item.get("code")),
                "name": str(item.get("name", item.get("code"))),
                "points": num(points),
                "target": item_targets.get(str(item.get("code")), ""),
                "rule": "本单位不考核此项，总分按实际考核分值折算。"
                if skipped
                else item_text(item, describer),
                "skipped": skipped,
            }
        )
    other_targets = [
        {
            "code": code,
            "name": names.get(code, (code, ""))[0],
            "target": target_texts[code],
            "basis": targets[code].basis,
        }
        for code in sorted(targets)
        if code not in used
    ]
    grades_raw = (data.get("grades_by_class") or {}).get(klass) if klass else None
    grades_raw = grades_raw or data.get("grades") or []
    grades = []
    for grade in grades_raw:
        if grade.get("min") is not None:
            grades.append(f"{num(grade['min'])}分及以上为{grade['name']}")
        else:
            grades.append(f"其余为{grade['name']}")
    veto_grade = data.get("veto_grade") or (grades_raw[-1]["name"] if grades_raw else "不合格")
    bonuses = []
    for bonus in data.get("bonuses") or []:
        text = describer.rule(
            dict(bonus.get("rule") or {}), str(bonus.get("name")), str(bonus.get("code")), 0
        )
        if bonus.get("rule", {}).get("type") == "per_case":
            text = f"{bonus.get('name')}每1项加{num(bonus['rule'].get('amount'))}分"
        if bonus.get("cap") is not None:
            text += f"，最多加{num(bonus['cap'])}分"
        bonuses.append(text)
    return {
        "title": contract_title(year),
        "year": year,
        "issuer": {"code": issuer.code, "name": issuer.name},
        "recipient": {
            "code": recipient.code,
            "name": recipient.name,
            "level": recipient.level,
            "class": klass or "",
            "class_name": recipient.region_class.name if recipient.region_class_id else "",  # type: ignore[union-attr]
        },
        "scheme": (
            {"id": scheme.pk, "code": scheme.code, "name": scheme.name, "version": scheme.version}
            if scheme is not None
            else None
        ),
        "points": num(total),
        "items": items,
        "targets": other_targets,
        "grades": grades,
        "veto_grade": veto_grade,
        "vetoes": [str(v.get("name")) for v in data.get("vetoes") or []],
        "ceilings": [
            f"{c.get('name')}的，考核等级最高评为{c.get('max_grade')}"
            for c in data.get("ceilings") or []
        ],
        "bonuses": bonuses,
        "pay": _pay_lines(issuer, year, recipient),
        "recipient_is_village": recipient.level == Level.VILLAGE,
    }


def verify_base_url() -> str:
    """Where the public verification page lives, as printed on the document."""
    configured = str(getattr(settings, "PUBLIC_URL", "") or "")
    if configured:
        return configured.rstrip("/")
    hosts = [
        h for h in settings.ALLOWED_HOSTS if h not in {"*", "testserver"} and not h.startswith(".")
    ]
    host = hosts[0] if hosts else "127.0.0.1"
    return f"http://{host}:8000" if host in {"127.0.0.1", "localhost"} else f"https://{host}"


def pdf_context(contract: Contract) -> dict[str, Any]:
    content = contract.content
    issued = timezone.localtime(contract.issued_at).date() if contract.issued_at else None
    return {
        "c": content,
        "contract": contract,
        "issued_zh": date_zh(issued),
        "verify_url": f"{verify_base_url()}/contracts/verify/",
    }


def render_pdf(contract: Contract) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = render_to_string("contracts/contract_pdf.html", pdf_context(contract))
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
