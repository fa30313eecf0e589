"""Hostile input against every page and API endpoint of targets, contracts,
assessment and population.

The routes are read from the URL resolver and the OpenAPI document, so a new
page or endpoint is walked without touching this file. Each is requested as
every persona, with the seeded objects' ids and codes, other townships' ids,
ids that do not exist, and query strings and form posts full of junk: empty,
letters, zero, negative, huge, NaN, Infinity, bad years, HTML, formula text,
NUL bytes, very long text; uploads that are empty, binary, HTML or broken
workbooks; API bodies that are not JSON at all. What must hold:

- no answer is a server error (5xx), and no NUL byte reaches the database
  (PostgreSQL refuses them, so on PostgreSQL that would be a 500);
- a refused or invalid request (4xx, an error message, a form with errors)
  changes no row of the four apps and writes no audit row;
- nothing changes in the four apps without an audit row;
- a refusal reads in Chinese;
- 东城街道's officer never gets a 200 on an object of 澄江街道 (and 澄江街道's
  people never on one of 东城街道), and the three administrators and a user
  without a role get nothing;
- pages escape the HTML they were sent, and downloaded workbooks hold no
  formula made from typed text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import inspect
import io
import json
import re
import traceback
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from django.apps import apps
from django.contrib.messages import constants as message_level
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.forms import BaseForm, BaseFormSet
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from renkou.accounts.models import Role, User
from renkou.assessment import actions as assessment_actions
from renkou.assessment import actions_review
from renkou.assessment import pay as pay_module
from renkou.assessment.models import PayRule, Scheme, SchemeStatus
from renkou.assessment.review_context import field_choices
from renkou.assessment.views_editor import editor_from
from renkou.audit.models import AuditEvent
from renkou.catalog.models import DataSet
from renkou.catalog.seed import import_default_catalog
from renkou.contracts import actions as contract_actions
from renkou.contracts.models import Contract
from renkou.orgunits.models import Level, OrgUnit, RegionClass
from renkou.population.actions import StructureRow, do_import_population_structures
from renkou.reporting.exchange import import_values
from renkou.targets import excel_io
from renkou.targets.actions import do_set_target
from renkou.targets.models import Target
from tests.assessment.review.conftest import SCHEME as REVIEW_SCHEME
from tests.assessment.review.conftest import build_run, inputs
from tests.conftest import Personas, make_user
from tests.population.conftest import MONTHLY, POPULATION, pyramid

pytestmark = pytest.mark.django_db

APPS = ("targets", "contracts", "assessment", "population")
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
CONTRACT_SCHEME = Path(__file__).resolve().parents[1] / "examples" / "schemes" / "township.yaml"

CJ, CJ_VILLAGE, CJ_VILLAGE2, CJ_VILLAGE3 = (
    "331003006",
    "331003006200",
    "331003006204",
    "331003006208",
)
DC, DC_VILLAGE, DC_VILLAGE2 = "331003001", "331003001001", "331003001002"
COUNTY = "331003"

BUSINESS = ("county", "chengjiang", "village", "dongcheng", "leader")
NO_BUSINESS = ("sysadmin", "secadmin", "auditadmin", "norole", "anonymous")
PERSONAS = (*BUSINESS, *NO_BUSINESS)
# Anyone may check a printed contract's code: these pages are public by design.
PUBLIC = {"contracts:verify", "contracts:verify_code"}
# The uploader's own workbook handed back with its problems marked: formulas in it
# are the uploader's own, not text someone else typed.
ECHOES = {"targets:excel_marked"}

# Form fields and query parameters are set to each of these in turn.
HOSTILE: dict[str, str] = {
    "junk": "abc",
    "blank": "",
    "zero": "0",
    "negative": "-1",
    "huge": "9" * 30,
    "exponent": "1e309",
    "nan": "NaN",
    "infinity": "-Infinity",
    "year99999": "99999",
    "superscript": "²",
    "formula": "=cmd|' /C calc'!A0",
    "html": "<script>alert(1)</script>",
    "long": "长" * 5000,
    "nul": "a\x00b",
    "xml_nul": "a_x0000_b",  # how a workbook spells a NUL byte
}
# JSON values for API bodies (NaN and Infinity are written as the bare words
# Python's json module writes, which many clients send).
JSON_HOSTILE: dict[str, Any] = {
    "junk": "abc",
    "blank": "",
    "zero": 0,
    "negative": -1,
    "huge": 10**30,
    "huge_float": 1e308,
    "nan": float("nan"),
    "infinity": float("inf"),
    "nan_text": "NaN",
    "null": None,
    "true": True,
    "list": [1],
    "object": {"a": 1},
    "formula": "=cmd|' /C calc'!A0",
    "html": "<script>alert(1)</script>",
    "long": "长" * 5000,
    "nul": "a\x00b",
}
MALFORMED_JSON: dict[str, bytes] = {
    "empty": b"",
    "truncated": b'{"item": ',
    "null": b"null",
    "list": b"[]",
    "number": b"123",
    "string": b'"x"',
    "binary": bytes(range(256)),
    "deep": b"[" * 50_000 + b"]" * 50_000,
    "duplicate_keys": b'{"note": 1, "note": "x"}',
}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


FILES: dict[str, tuple[str, bytes]] = {
    "empty_file": ("empty.xlsx", b""),
    "binary_file": ("data.xlsx", bytes(range(256)) * 64),
    "html_file": ("page.xlsx", b"<html><body><script>alert(1)</script></body></html>"),
    "fake_pdf": ("../../etc/passwd.pdf", b"%PDF-1.4\n%junk that is not a pdf"),
    "zip_file": ("book.xlsx", _zip_without_workbook()),
    "png_file": ("photo.png", PNG),
}


def _laughs(levels: int = 9) -> bytes:
    """YAML of a few hundred bytes whose aliases stand for 9**levels strings."""
    lines = ["l0: &l0 [" + ",".join(["lol"] * 9) + "]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ",".join([f"*l{level - 1}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


SCHEME_FILES: dict[str, tuple[str, bytes]] = {
    "yaml_broken": ("s.yaml", b"items: [\n  - code: a\n    points: ["),
    "yaml_python_tag": ("s.yaml", b"!!python/object/apply:os.system ['echo hi']"),
    "yaml_nan": ("s.yaml", b"code: x\nname: y\nitems:\n  - {code: a, name: b, points: .nan}\n"),
    "yaml_scalar": ("s.yaml", b"just text"),
    "yaml_laughs": ("s.yaml", _laughs()),
    "json_nan": ("s.json", b'{"code": "x", "name": "y", "items": [{"points": NaN}]}'),
    "json_deep": ("s.json", b"[" * 50_000 + b"]" * 50_000),
    "json_huge_number": (
        "s.json",
        b'{"code": "x", "name": "y", "precision": 1e400, "items": '
        b'[{"code": "a", "name": "b", "points": 1e400, "value": "v", '
        b'"rule": {"type": "threshold", "target": 99999999999999999999999999}}]}',
    ),
    "utf16": ("s.yaml", "code: 中文".encode("utf-16")),
    "json_nul": ("s.json", b'{"code": "a\\u0000b", "name": "y\\u0000", "items": []}'),
}


# --- the world the requests run against ---------------------------------------------------


@dataclass
class Arg:
    """A value for a URL parameter, and whose object it names."""

    value: str
    owner: str = ""  # "cj": 澄江街道's side; "dc": 东城街道's side; "" anyone's or nobody's


@dataclass
class Base:
    """A valid write of a route by the persona who may make it; each field is then spoilt."""

    route: str
    persona: str
    kwargs: dict[str, str]
    data: dict[str, Any]
    query: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    spoil: tuple[str, ...] = ()  # the fields to spoil, when not all of them


@dataclass
class World:
    args: dict[str, list[Arg]]  # "<route>|<param>" or "<param>" -> values
    bases: list[Base]
    users: dict[str, User]
    workbooks: dict[str, tuple[str, str, dict[str, str], bytes, int]]


def _unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def _seed_figures(p: Personas) -> None:
    import_default_catalog()
    DataSet.objects.update(lock_days=0)
    rows: list[str] = []
    for unit, (boys, girls, deaths) in MONTHLY.items():
        for year in (2024, 2025):
            for month in range(1, 13):
                period = f"{year}{month:02d}"
                rows += [
                    f"births_male,{period},{unit},{boys}",
                    f"births_female,{period},{unit},{girls}",
                    f"deaths,{period},{unit},{deaths}",
                    f"population,{period},{unit},{POPULATION[unit]}",
                ]
    data = ("dataelement,period,orgunit,value\n" + "\n".join(rows) + "\n").encode()
    summary = import_values(acting_user=p.county, data=data, kind="csv")
    assert summary.status == "SUCCESS", summary.conflicts
    county = _unit(COUNTY)
    for year in (2024, 2025):
        structures = []
        for code, total in POPULATION.items():
            male, female = pyramid(total)
            structures.append(StructureRow(_unit(code).pk, male, female))
        do_import_population_structures(acting_user=None, year=year, rows=structures, scope=county)


def _seed_targets(p: Personas) -> dict[str, Target]:
    def count(user: User, code: str, indicator: str, value: int) -> Target:
        return do_set_target(
            acting_user=user,
            orgunit=_unit(code),
            year=2026,
            code=indicator,
            kind="count",
            direction="at_least",
            value=Decimal(value),
            basis="按近三年出生数测算",
        )

    srb = do_set_target(
        acting_user=p.county,
        orgunit=_unit(CJ),
        year=2026,
        code="srb",
        kind="rate",
        direction="within",
        low=Decimal(103),
        high=Decimal(107),
    )
    return {
        "cj": count(p.county, CJ, "births", 420),
        "cj_srb": srb,
        "dc": count(p.county, DC, "births", 300),
        "cj_village": count(p.chengjiang, CJ_VILLAGE, "births", 30),
        "dc_village": count(p.dongcheng, DC_VILLAGE, "births", 20),
    }


def _seed_contracts(p: Personas) -> dict[str, Contract]:
    county = _unit(COUNTY)
    street = RegionClass.objects.get_or_create(code="street", defaults={"name": "街道"})[0]
    OrgUnit.objects.filter(code__in=[CJ, DC]).update(region_class=street)
    data = yaml.safe_load(CONTRACT_SCHEME.read_text(encoding="utf-8"))
    PayRule.objects.create(owner=county, year=2026, grade="优秀", coefficient=Decimal("1.2"))
    Scheme.objects.create(
        owner=county,
        year=2026,
        level=Level.TOWNSHIP,
        code=data["code"],
        name=data["name"],
        data=data,
        status=SchemeStatus.ACTIVE,
        created_by=p.county,
    )
    contract_actions.do_draft_contracts(acting_user=p.county, issuer=county, year=2026)
    found = {c.recipient.code: c for c in Contract.objects.select_related("recipient")}
    for code in (CJ, DC):
        contract_actions.do_issue_contract(acting_user=p.county, contract=found[code])
    return {
        "cj": Contract.objects.get(pk=found[CJ].pk),
        "dc": Contract.objects.get(pk=found[DC].pk),
        "draft": found["331003101"],
    }


def _seed_assessment(p: Personas, reviewer: User) -> dict[str, Any]:
    township = build_run(
        COUNTY,
        Level.TOWNSHIP,
        p.county,
        [
            inputs(DC, 48, 50, 100, 95),
            inputs(CJ, 40, 50, 100, 95),
            inputs("331003101", 30, 30, 97, 80),
            inputs("331003200", 20, 25, 100, 92, fraud=1),
        ],
    )
    actions_review.do_release_run(acting_user=p.county, run=township, appeal_days=30)
    units = {u.orgunit.code: u for u in township.units.select_related("orgunit", "run")}
    appeal_cj = actions_review.do_file_appeal(
        acting_user=p.chengjiang, run_unit=units[CJ], item_code="births", reason="出生数漏报"
    )
    appeal_dc = actions_review.do_file_appeal(
        acting_user=p.dongcheng, run_unit=units[DC], item_code="births", reason="出生数漏报"
    )
    adjustment_cj = actions_review.do_propose_adjustment(
        acting_user=p.county,
        run_unit=units[CJ],
        item_code="quality",
        field="quality",
        new_value=Decimal(97),
        reason="disaster",
        note="台风",
    )
    adjustment_dc = actions_review.do_propose_adjustment(
        acting_user=p.county,
        run_unit=units[DC],
        item_code="quality",
        field="quality",
        new_value=Decimal(97),
        reason="disaster",
        note="台风",
    )
    village_rows = [
        inputs(CJ_VILLAGE, 50, 50, 100, 95),
        inputs(CJ_VILLAGE2, 40, 50, 98, 95),
        inputs(CJ_VILLAGE3, 30, 30, 100, 95, fraud=1),
    ]
    published = build_run(CJ, Level.VILLAGE, p.chengjiang, village_rows, year=2025)
    open_run = build_run(CJ, Level.VILLAGE, p.chengjiang, village_rows, year=2024)
    actions_review.do_release_run(acting_user=p.chengjiang, run=open_run, appeal_days=30)
    open_units = {u.orgunit.code: u for u in open_run.units.select_related("orgunit", "run")}
    appeal_village = actions_review.do_file_appeal(
        acting_user=p.village,
        run_unit=open_units[CJ_VILLAGE],
        item_code="births",
        reason="出生数漏报",
    )
    adjustment_village = actions_review.do_propose_adjustment(
        acting_user=p.chengjiang,
        run_unit=open_units[CJ_VILLAGE2],
        item_code="quality",
        field="quality",
        new_value=Decimal(97),
        reason="disaster",
        note="台风",
        evidence=SimpleUploadedFile("photo.png", PNG, content_type="image/png"),
    )
    outsider_rows = [inputs(DC_VILLAGE, 40, 50, 100, 95), inputs(DC_VILLAGE2, 30, 30, 97, 80)]
    outsider = build_run(DC, Level.VILLAGE, p.dongcheng, outsider_rows, year=2025)
    pay_rules = [pay_module.RuleRow(None, "优秀", None, None, Decimal("1.2"), None)]
    actions_review.do_save_pay_rules(
        acting_user=p.chengjiang, owner=_unit(CJ), year=2025, rules=pay_rules
    )
    actions_review.do_publish_run(acting_user=p.chengjiang, run=published, title="", number="")
    actions_review.do_save_roster(
        acting_user=p.chengjiang,
        village=_unit(CJ_VILLAGE),
        cadres=[pay_module.CadreRow("张三", "村党组织书记", Decimal(60000))],
    )
    actions_review.do_save_roster(
        acting_user=p.dongcheng,
        village=_unit(DC_VILLAGE),
        cadres=[pay_module.CadreRow("李四", "村党组织书记", Decimal(50000))],
    )
    fact_cj = assessment_actions.do_record_fact(
        acting_user=p.county,
        orgunit=_unit(CJ),
        year=2025,
        code="data_fraud",
        value=Decimal(0),
        note="核实无误",
        evidence=SimpleUploadedFile("fact.png", PNG, content_type="image/png"),
    )
    fact_dc = assessment_actions.do_record_fact(
        acting_user=p.dongcheng,
        orgunit=_unit(DC_VILLAGE),
        year=2025,
        code="data_fraud",
        value=Decimal(0),
        note="核实无误",
    )
    outsider_units = {u.orgunit.code: u for u in outsider.units.select_related("orgunit")}
    draft = Scheme.objects.create(
        owner=_unit(COUNTY),
        year=2026,
        level=Level.VILLAGE,
        code="draft-scheme",
        name="村级考核细则（草稿）",
        data=REVIEW_SCHEME,
        created_by=p.county,
    )
    return {
        "draft_scheme": draft,
        "township": township,
        "published": published,
        "open": open_run,
        "outsider": outsider,
        "ru_cj": units[CJ],
        "ru_dc": units[DC],
        "ru_village": open_units[CJ_VILLAGE],
        "ru_village2": open_units[CJ_VILLAGE2],
        "ru_outsider": outsider_units[DC_VILLAGE],
        "appeal_cj": appeal_cj,
        "appeal_dc": appeal_dc,
        "appeal_village": appeal_village,
        "adjustment_cj": adjustment_cj,
        "adjustment_dc": adjustment_dc,
        "adjustment_village": adjustment_village,
        "fact_cj": fact_cj,
        "fact_dc": fact_dc,
        "reviewer": reviewer,
    }


def _editor_post(data: Mapping[str, Any]) -> dict[str, str]:
    """The scheme editor's form, filled from a scheme the way the page shows it."""
    editor = editor_from(data)
    post = {f"s-{key}": value for key, value in editor.settings.items()}
    post.update({f"f-{key}": "1" for key, on in editor.flags.items() if on})
    for section, rows in editor.sections.items():
        post[f"{section}-count"] = str(len(rows))
        for row in rows:
            for column, value in row.values.items():
                post[f"{section}-{row.index}-{column}"] = value
    post["advanced"] = editor.advanced
    return post


def _changed(template: bytes) -> bytes:
    """The targets template with 东岙里村's births target raised to 33."""
    book = load_workbook(io.BytesIO(template))
    sheet = book[excel_io.DATA_SHEET]
    codes = [cell.value for cell in sheet[2]]
    for row in sheet.iter_rows(min_row=excel_io.FIRST_ROW):
        if (
            row[codes.index("orgunit")].value == CJ_VILLAGE
            and row[codes.index("code")].value == "births"
        ):
            row[codes.index("value")].value = 33
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _stage(user: User, content: bytes) -> str:
    return excel_io.stage(user, SimpleUploadedFile("targets.xlsx", content)).key


def build_world(p: Personas) -> World:
    reviewer = make_user("reviewer", Role.COUNTY_ASSESSOR, COUNTY)
    _seed_figures(p)
    targets = _seed_targets(p)
    contracts = _seed_contracts(p)
    a = _seed_assessment(p, reviewer)
    cj_units = [_unit(c) for c in (CJ, CJ_VILLAGE, CJ_VILLAGE2, CJ_VILLAGE3)]
    template_cj = excel_io.build(2026, _unit(CJ), cj_units[1:])
    template_dc = excel_io.build(2026, _unit(DC), [_unit(DC_VILLAGE), _unit(DC_VILLAGE2)])
    key_cj = _stage(p.chengjiang, _changed(template_cj))
    key_dc = _stage(p.dongcheng, template_dc)
    scheme_cj = a["published"].scheme
    scheme_dc = a["outsider"].scheme
    scheme_county = a["township"].scheme

    def pk(obj: Any, owner: str = "") -> Arg:
        return Arg(str(obj.pk), owner)

    wrong = [Arg("0"), Arg("999999"), Arg("9" * 25)]
    runs = [
        pk(a["township"]),
        pk(a["published"], "cj"),
        pk(a["open"], "cj"),
        pk(a["outsider"], "dc"),
        *wrong,
    ]
    run_units = [
        pk(a["ru_cj"], "cj"),
        pk(a["ru_village"], "cj"),
        pk(a["ru_dc"], "dc"),
        pk(a["ru_outsider"], "dc"),
        *wrong,
    ]
    unit_codes = [
        Arg(CJ, "cj"),
        Arg(CJ_VILLAGE, "cj"),
        Arg(DC, "dc"),
        Arg(DC_VILLAGE, "dc"),
        Arg(COUNTY),
        Arg("999999999999"),
        Arg("abc"),
        Arg("<b>x</b>"),
        Arg("x" * 300),
        Arg("a\x00b"),
        Arg("3310030062000"),
    ]
    args: dict[str, list[Arg]] = {
        "targets:target|pk": [
            pk(targets["cj"], "cj"),
            pk(targets["cj_village"], "cj"),
            pk(targets["cj_srb"], "cj"),
            pk(targets["dc_village"], "dc"),
            *wrong,
        ],
        "targets:cascade|pk": [
            pk(targets["cj"], "cj"),
            pk(targets["cj_srb"], "cj"),
            pk(targets["dc"], "dc"),
            pk(targets["cj_village"], "cj"),
            *wrong,
        ],
        "targets:excel_preview|key": [Arg(key_cj, "cj"), Arg(key_dc, "dc"), Arg("0" * 32)],
        "targets:excel_marked|key": [Arg(key_cj, "cj"), Arg(key_dc, "dc"), Arg("..%2F" * 8)],
        "code": unit_codes,
        "contracts:verify_code|code": [
            Arg(str(contracts["cj"].code)),
            Arg(str(contracts["cj"].code).lower().replace("-", "")),
            Arg("RK-AAAA-AAAA-AAAA"),
            Arg("abc"),
            Arg("a\x00b"),
            Arg("长" * 200),
        ],
        "contracts|pk": [
            pk(contracts["cj"], "cj"),
            pk(contracts["dc"], "dc"),
            pk(contracts["draft"]),
            *wrong,
        ],
        "assessment:scheme|pk": [
            pk(scheme_county),
            pk(scheme_cj, "cj"),
            pk(scheme_dc, "dc"),
            *wrong,
        ],
        "assessment:fact_evidence|pk": [pk(a["fact_cj"], "cj"), pk(a["fact_dc"], "dc"), *wrong],
        "assessment:run|pk": runs,
        "assessment:unit|pk": run_units,
        "assessment:adjustment|pk": [
            pk(a["adjustment_cj"], "cj"),
            pk(a["adjustment_village"], "cj"),
            pk(a["adjustment_dc"], "dc"),
            *wrong,
        ],
        "assessment:appeal|pk": [
            pk(a["appeal_cj"], "cj"),
            pk(a["appeal_village"], "cj"),
            pk(a["appeal_dc"], "dc"),
            *wrong,
        ],
        "assessment:pay_rules|year": [Arg("2025"), Arg("0"), Arg("99999"), Arg("9" * 25)],
        "assessment:roster|code": [
            Arg(CJ_VILLAGE, "cj"),
            Arg(DC_VILLAGE, "dc"),
            Arg(CJ),
            Arg("abc"),
            Arg("a\x00b"),
        ],
        "fmt": [Arg("yaml"), Arg("xlsx"), Arg("pdf"), Arg("exe"), Arg("x" * 300)],
        "fmt_name": [Arg("pdf"), Arg("xlsx"), Arg("html"), Arg("%2E%2E")],
    }
    # Routes sharing an object type share its ids.
    for route in ("scheme_edit", "scheme_replace", "scheme_status", "run_start", "scheme_export"):
        args[f"assessment:{route}|pk"] = args["assessment:scheme|pk"]
    for route in (
        "run_xlsx",
        "run_review",
        "run_release",
        "run_publish",
        "notice_file",
        "published",
        "pay_list",
        "pay_list_xlsx",
    ):
        args[f"assessment:{route}|pk"] = runs
    for route in ("unit_review", "adjustment_propose", "appeal_file"):
        args[f"assessment:{route}|pk"] = run_units
    for route in ("adjustment_decide", "adjustment_evidence"):
        args[f"assessment:{route}|pk"] = args["assessment:adjustment|pk"]
    for route in ("appeal_decide", "appeal_evidence"):
        args[f"assessment:{route}|pk"] = args["assessment:appeal|pk"]
    for route in ("detail", "pdf", "issue", "amend", "acknowledge"):
        args[f"contracts:{route}|pk"] = args["contracts|pk"]
    # API paths: /assessment/runs/{pk}, /assessment/run-units/{pk}, …
    args.update(
        {
            "api:/contracts/|pk": args["contracts|pk"],
            "api:/assessment/runs/|run_id": runs,
            "api:/assessment/runs/|pk": runs,
            "api:/assessment/results/|unit_id": run_units,
            "api:/assessment/run-units/|pk": run_units,
            "api:/assessment/adjustments/|pk": args["assessment:adjustment|pk"],
            "api:/assessment/appeals/|pk": args["assessment:appeal|pk"],
        }
    )

    item_field = field_choices(a["ru_village2"], "births")[0][0]
    bases = [
        Base(
            "targets:new",
            "chengjiang",
            {"code": CJ_VILLAGE},
            {
                "code": "births",
                "kind": "count",
                "direction": "at_least",
                "value": "31",
                "basis": "按人口测算",
                "reason": "年中调整",
            },
            query={"year": "2026"},
        ),
        Base(
            "targets:target",
            "chengjiang",
            {"pk": str(targets["cj_village"].pk)},
            {
                "kind": "count",
                "direction": "at_least",
                "value": "32",
                "low": "",
                "high": "",
                "basis": "按人口测算",
                "reason": "年中调整",
            },
        ),
        Base(
            "targets:cascade",
            "chengjiang",
            {"pk": str(targets["cj"].pk)},
            {"basis": "population", "reason": "分解到村"},
        ),
        Base(
            "targets:cascade",
            "chengjiang",
            {"pk": str(targets["cj_srb"].pk)},
            {"basis": "equal", "reason": "分解到村", f"adj-{cj_units[1].pk}": "1"},
        ),
        Base("targets:excel_upload", "chengjiang", {}, {}, files={"file": ("t.xlsx", template_cj)}),
        Base("targets:excel_preview", "chengjiang", {"key": key_cj}, {"reason": "导入"}),
        Base("contracts:draft", "county", {}, {"issuer": COUNTY, "year": "2026"}),
        Base("contracts:issue", "county", {"pk": str(contracts["draft"].pk)}, {}),
        Base("contracts:issue_all", "county", {}, {"issuer": COUNTY, "year": "2026"}),
        Base("contracts:amend", "county", {"pk": str(contracts["dc"].pk)}, {"reason": "目标调整"}),
        Base(
            "contracts:acknowledge",
            "chengjiang",
            {"pk": str(contracts["cj"].pk)},
            {"signer_name": "王五", "confirm": "on"},
        ),
        Base("contracts:verify", "village", {}, {"code": str(contracts["cj"].code)}),
        Base(
            "contracts:verify_code",
            "village",
            {"code": str(contracts["cj"].code)},
            {},
            files={"file": ("c.pdf", bytes(contracts["cj"].pdf))},
        ),
        Base(
            "assessment:scheme_new",
            "county",
            {},
            {"year": "2027", "level": "4"},
            files={"upload": ("s.yaml", yaml.safe_dump(REVIEW_SCHEME).encode())},
        ),
        Base(
            "assessment:scheme_replace",
            "county",
            {"pk": str(scheme_county.pk)},
            {},
            files={"upload": ("s.yaml", yaml.safe_dump(REVIEW_SCHEME).encode())},
        ),
        Base(
            "assessment:scheme_edit",
            "county",
            {"pk": str(scheme_county.pk)},
            _editor_post(scheme_county.data),
            spoil=(
                "s-code",
                "s-precision",
                "s-points",
                "items-count",
                "items-0-points",
                "items-0-rule_type",
                "items-0-params",
                "items-0-more",
                "grades-0-min",
                "vetoes-0-when",
                "advanced",
            ),
        ),
        Base(
            "assessment:scheme_status",
            "county",
            {"pk": str(a["draft_scheme"].pk)},
            {"status": "active"},
        ),
        Base("assessment:run_start", "chengjiang", {"pk": str(scheme_cj.pk)}, {}),
        Base(
            "assessment:facts",
            "county",
            {},
            {"unit": CJ, "year": "2025", "code": "data_fraud", "value": "1", "note": "核实"},
            files={"evidence": ("e.png", PNG)},
        ),
        Base(
            "assessment:run_release",
            "dongcheng",
            {"pk": str(a["outsider"].pk)},
            {"appeal_days": "7"},
        ),
        Base(
            "assessment:adjustment_propose",
            "chengjiang",
            {"pk": str(a["ru_village2"].pk)},
            {
                "item_code": "births",
                "field": item_field,
                "new_value": "44",
                "reason": "disaster",
                "note": "台风",
            },
        ),
        Base(
            "assessment:adjustment_decide",
            "county",
            {"pk": str(a["adjustment_village"].pk)},
            {"decision": "approve", "note": "同意"},
        ),
        Base(
            "assessment:appeal_file",
            "chengjiang",
            {"pk": str(a["ru_cj"].pk)},
            {"item_code": "quality", "reason": "质量评分有误"},
        ),
        Base(
            "assessment:appeal_decide",
            "county",
            {"pk": str(a["appeal_cj"].pk)},
            {
                "decision": "uphold",
                "field": "births",
                "new_value": "45",
                "decision_reason": "核实",
            },
        ),
        Base(
            "assessment:pay_rules",
            "chengjiang",
            {"year": "2025"},
            {
                "rules-TOTAL_FORMS": "1",
                "rules-INITIAL_FORMS": "0",
                "rules-MIN_NUM_FORMS": "0",
                "rules-MAX_NUM_FORMS": "60",
                "rules-0-grade": "优秀",
                "rules-0-min_score": "",
                "rules-0-max_score": "",
                "rules-0-coefficient": "1.3",
                "rules-0-amount": "",
            },
        ),
        Base(
            "assessment:roster",
            "chengjiang",
            {"code": CJ_VILLAGE},
            {
                "cadres-TOTAL_FORMS": "1",
                "cadres-INITIAL_FORMS": "0",
                "cadres-MIN_NUM_FORMS": "0",
                "cadres-MAX_NUM_FORMS": "40",
                "cadres-0-name": "赵六",
                "cadres-0-post": "村委会主任",
                "cadres-0-base_pay": "55000",
            },
        ),
        Base(
            "assessment:roster_import",
            "chengjiang",
            {},
            {},
            files={"file": ("r.xlsx", pay_module.roster_template(_unit(CJ)))},
        ),
        Base(
            "assessment:run_publish",
            "dongcheng",
            {"pk": str(a["outsider"].pk)},
            {"title": "通报", "number": "东政〔2026〕1号"},
        ),
        Base(
            "population:accept",
            "county",
            {},
            {"scope": CJ, "year": "2026", "unit": CJ_VILLAGE, "reason": "采纳"},
        ),
    ]
    workbooks: dict[str, tuple[str, str, dict[str, str], bytes, int]] = {
        # route[#variant]: (persona, file field, query, valid workbook, first data row)
        "targets:excel_upload": ("chengjiang", "file", {}, template_cj, 3),
        # With one target changed, so that a bad year would reach the database.
        "targets:excel_upload#changed": ("chengjiang", "file", {}, _changed(template_cj), 3),
        "assessment:roster_import": (
            "chengjiang",
            "file",
            {},
            pay_module.roster_template(_unit(CJ)),
            2,
        ),
    }
    from renkou.population.excel import TemplateRow, build_template

    population_book = build_template(
        2025,
        CJ,
        "澄江街道",
        [TemplateRow(CJ_VILLAGE, "东岙里村委会", "澄江街道", *pyramid(1200))],
    )
    bases.append(
        Base(
            "population:import",
            "chengjiang",
            {},
            {},
            query={"scope": CJ},
            files={"file": ("p.xlsx", population_book)},
        )
    )
    workbooks["population:import"] = ("chengjiang", "file", {"scope": CJ}, population_book, 3)
    users = {name: getattr(p, name) for name in PERSONAS if name != "anonymous"}
    users["reviewer"] = reviewer
    return World(args, bases, users, workbooks)


# --- routes ---------------------------------------------------------------------------------

_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    name: str  # "targets:board"
    pattern: str  # "/targets/unit/<str:code>/"
    view: Callable[..., Any]

    @property
    def params(self) -> list[tuple[str, str]]:
        return [(m["converter"] or "str", m["name"]) for m in _PARAM.finditer(self.pattern)]

    def url(self, values: Mapping[str, str]) -> str:
        def fill(match: re.Match[str]) -> str:
            return quote(values[match["name"]], safe="%")

        return _PARAM.sub(fill, self.pattern)


def app_routes(namespace: str) -> list[Route]:
    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str, current: str | None) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern), entry.namespace or current)
            elif isinstance(entry, URLPattern) and current == namespace:
                found.append(
                    Route(f"{namespace}:{entry.name}", prefix + str(entry.pattern), entry.callback)
                )

    walk(get_resolver().url_patterns, "/", None)
    return found


def _source(view: Callable[..., Any]) -> str:
    return inspect.getsource(inspect.unwrap(view))


def accepts_post(route: Route) -> bool:
    return "POST" in _source(route.view)


def reads(route: Route, name: str) -> bool:
    return bool(re.search(rf"\.(GET|POST)\.get\(\s*\"{name}\"", _source(route.view)))


def field_names(namespace: str) -> list[str]:
    """Every form field and request parameter the app's views read."""
    names: set[str] = set()
    for module in list(_app_modules(namespace)):
        if ".forms" in module.__name__:
            for obj in vars(module).values():
                if (
                    isinstance(obj, type)
                    and issubclass(obj, BaseForm)
                    and obj.__module__ == module.__name__
                ):
                    names.update(getattr(obj, "base_fields", {}))
        if ".views" in module.__name__:
            names.update(
                re.findall(r"\.(?:GET|POST)\.get\(\s*\"([^\"]+)\"", inspect.getsource(module))
            )
    if namespace == "assessment":
        for prefix, form in (
            ("rules", "grade min_score max_score coefficient amount"),
            ("cadres", "name post base_pay"),
        ):
            names.update(f"{prefix}-{key}" for key in ("TOTAL_FORMS", "INITIAL_FORMS"))
            names.update(f"{prefix}-0-{key}" for key in form.split())
        names.update(
            (
                "items-count",
                "grades-count",
                "s-precision",
                "s-points",
                "items-0-points",
                "items-0-params",
                "advanced",
            )
        )
    return sorted(names)


def _app_modules(namespace: str) -> Iterator[Any]:
    import importlib
    import pkgutil

    package = importlib.import_module(f"renkou.{namespace}")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith(("forms", "views")):
            yield importlib.import_module(f"renkou.{namespace}.{info.name}")


# --- one request and what must hold about it -----------------------------------------------


def _refuse_nul(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
) -> Any:
    batches = params if many else [params]
    for batch in batches or []:
        values = batch.values() if isinstance(batch, Mapping) else (batch or [])
        for value in values:
            if isinstance(value, str) and ("\x00" in value or "\\u0000" in value):
                raise ValueError("a NUL byte would reach the database (PostgreSQL refuses it)")
    return execute(sql, params, many, context)


def fingerprint() -> dict[str, str]:
    """A digest of every row of the four apps' tables, and the audit row count."""
    digest: dict[str, str] = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            rows = model._default_manager.order_by("pk").values_list()
            blob = hashlib.sha256()
            for row in rows:
                for value in row:
                    blob.update(
                        bytes(value)
                        if isinstance(value, memoryview | bytes)
                        else repr(value).encode()
                    )
                blob.update(b"\n")
            digest[model._meta.label] = blob.hexdigest()
    digest["audit"] = str(AuditEvent.objects.count())
    return digest


def _rows_written() -> int | None:
    """Rows inserted, updated or deleted on this connection so far (SQLite only)."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT total_changes()")
        return int(cursor.fetchone()[0])


def _context(response: Any) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for context in getattr(response, "context", None) or []:
        flatten = getattr(context, "flatten", None)
        if flatten is not None:
            found.extend(flatten().items())
    return found


def _text_of(response: Any) -> str:
    """What the user reads: the page, or the JSON's strings (written with \\u escapes)."""
    text: str = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        with contextlib.suppress(ValueError):
            return json.dumps(json.loads(text), ensure_ascii=False)
    return text


def refused(response: Any) -> bool:
    """Whether the request was turned down (status, an error message, a form with errors)."""
    if response.status_code >= 400:
        return True
    request = getattr(response, "wsgi_request", None)
    queued = getattr(getattr(request, "_messages", None), "_queued_messages", [])
    if any(m.level >= message_level.ERROR for m in queued):
        return True
    for key, value in _context(response):
        if key in ("problems", "file_error", "error", "problem") and value:
            return True
        if isinstance(value, BaseForm) and value.is_bound and value.errors:
            return True
        if isinstance(value, BaseFormSet) and value.is_bound and not value.is_valid():
            return True
    return False


CJK = re.compile(r"[\u4e00-\u9fff]")
NINJA_PARSE_ERROR = "Cannot parse request body"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sweep:
    world: World
    clients: dict[str, Client] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: set[str] = field(default_factory=set)
    writes: int = 0  # requests that changed something
    count: int = 0
    # The fingerprint of the tables as they are now, while nothing has written since.
    known: dict[str, str] | None = None
    written: int = -1

    def client(self, persona: str) -> Client:
        if persona not in self.clients:
            client = Client()
            if persona != "anonymous":
                client.force_login(self.world.users[persona])
            client.get("/healthz")
            self.clients[persona] = client
        return self.clients[persona]

    def fingerprint(self) -> dict[str, str]:
        """``fingerprint()``, skipped while SQLite counts no row written since the last one."""
        written = _rows_written()
        if self.known is None or written is None or written != self.written:
            self.known = fingerprint()
            self.written = written if written is not None else -1
        return self.known

    def request(
        self,
        persona: str,
        method: str,
        url: str,
        *,
        label: str,
        query: Mapping[str, str] | None = None,
        data: Mapping[str, Any] | None = None,
        body: bytes | None = None,
        route: str = "",
        owner: str = "",
        htmx: bool = False,
    ) -> Any:
        self.count += 1
        where = f"{persona} {method} {url}{'?' + urlencode(query) if query else ''} [{label}]"
        client = self.client(persona)
        before = self.fingerprint()
        try:
            with transaction.atomic(), connection.execute_wrapper(_refuse_nul):
                headers = {"HX-Request": "true"} if htmx else {}
                if method == "GET":
                    response = client.get(url, query or {}, headers=headers)
                elif body is not None:
                    full = f"{url}?{urlencode(query)}" if query else url
                    response = client.post(full, data=body, content_type="application/json")
                else:
                    full = f"{url}?{urlencode(query)}" if query else url
                    response = client.post(full, data or {})
        except Exception as error:
            frames = traceback.extract_tb(error.__traceback__)
            ours = [f for f in frames if "/renkou/" in f.filename] or frames
            spot = f"{Path(ours[-1].filename).name}:{ours[-1].lineno} {ours[-1].name}"
            self.problems.append(
                f"{where}: 500 {type(error).__name__}: {str(error)[:160]} at {spot}"
            )
            return None
        after = self.fingerprint()
        changed = [key for key in before if before[key] != after[key]]
        self.writes += bool(changed)
        status = response.status_code
        if status >= 500:
            self.problems.append(f"{where}: status {status}")
        if refused(response) and changed:
            self.problems.append(f"{where}: refused ({status}) but changed {changed}")
        if changed and before["audit"] == after["audit"]:
            self.problems.append(f"{where}: changed {changed} without an audit row")
        if status in (400, 403, 404, 409, 422) and not CJK.search(_text_of(response)):
            if NINJA_PARSE_ERROR in _text_of(response):
                # django-ninja's own answer to a body that is not JSON at all; turning
                # it into Chinese belongs in renkou/api.py's exception handlers.
                self.notes.add(f"{status} {NINJA_PARSE_ERROR!r} for a body that is not JSON")
            else:
                self.problems.append(f"{where}: refusal {status} without a Chinese message")
        if route not in PUBLIC:
            if persona in NO_BUSINESS and status < 300:
                self.problems.append(f"{where}: {persona} got {status}")
            if persona in NO_BUSINESS and changed:
                self.problems.append(f"{where}: {persona} changed {changed}")
            outsider = (persona == "dongcheng" and owner == "cj") or (
                persona in ("chengjiang", "village") and owner == "dc"
            )
            if outsider and (status == 200 or changed):
                self.problems.append(f"{where}: outsider got {status}, changed {changed}")
        if persona == "leader" and method == "POST" and changed:
            self.problems.append(f"{where}: the read-only leader changed {changed}")
        content_type = response.get("Content-Type", "")
        if (
            content_type.startswith("text/html")
            and b"<script>alert(1)</script>" in response.content
        ):
            self.problems.append(f"{where}: HTML sent in came back unescaped")
        if content_type.startswith(XLSX) and status == 200 and route not in ECHOES:
            self._check_workbook(where, response)
        return response

    def _check_workbook(self, where: str, response: Any) -> None:
        streamed = response.streaming
        content = b"".join(response.streaming_content) if streamed else response.content
        try:
            book = load_workbook(io.BytesIO(content))
        except Exception as error:
            self.problems.append(f"{where}: the workbook does not open: {error}")
            return
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f" and "cmd|" in str(cell.value):
                        self.problems.append(
                            f"{where}: typed text became formula {cell.coordinate}"
                        )

    def report(self, what: str) -> None:
        print(f"{what}: {self.count} requests, {len(self.problems)} problems")
        for note in sorted(self.notes):
            print(f"  note: {note}")
        shown = "\n".join(self.problems[:150])
        more = f"\n… and {len(self.problems) - 150} more" if len(self.problems) > 150 else ""
        assert not self.problems, f"{len(self.problems)} problems in {what}:\n{shown}{more}"


# --- the walks -------------------------------------------------------------------------------


def _args_for(world: World, route: Route) -> list[dict[str, Arg]]:
    """Combinations of parameter values: each parameter's values in turn, the
    others at their first (own) value."""
    params = route.params
    if not params:
        return [{}]
    choices: dict[str, list[Arg]] = {}
    for converter, name in params:
        options = (
            world.args.get(f"{route.name}|{name}")
            or world.args.get(name)
            or (
                [Arg("1"), Arg("0"), Arg("9" * 25)]
                if converter == "int"
                else [Arg("abc"), Arg("a\x00b")]
            )
        )
        choices[name] = options
    first = {name: options[0] for name, options in choices.items()}
    combos = [first]
    for name, options in choices.items():
        for option in options[1:]:
            combos.append({**first, name: option})
    return combos


def _owner(combo: Mapping[str, Arg]) -> str:
    owners = {arg.owner for arg in combo.values() if arg.owner}
    return owners.pop() if len(owners) == 1 else ""


def _files(spec: Mapping[str, tuple[str, bytes]]) -> dict[str, SimpleUploadedFile]:
    return {
        name: SimpleUploadedFile(filename, content) for name, (filename, content) in spec.items()
    }


def _hostile_workbook(content: bytes, text: str, first_row: int, *, meta: bool) -> bytes:
    """The workbook with the year in its hidden sheet, or every data cell, set to ``text``
    (as a number where it reads as one, so NaN, Infinity and 1e30 arrive as numbers)."""
    book = load_workbook(io.BytesIO(content))
    value: str | float = text
    with contextlib.suppress(ValueError):
        value = float(text)
    if meta:
        if "_meta" not in book.sheetnames:
            return content
        sheet = book["_meta"]
        for row in sheet.iter_rows():
            if row[0].value == "year":
                row[1].value = value
    else:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(min_row=first_row, max_row=max(sheet.max_row, first_row)):
            for cell in row[2:]:
                cell.value = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def walk_pages(sweep: Sweep, namespace: str) -> None:
    world = sweep.world
    names = field_names(namespace)
    # The valid writes first, spoilt field by field, while their objects are still open.
    walk_bases(sweep, namespace)
    for route in app_routes(namespace):
        combos = _args_for(world, route)
        posts = accepts_post(route)
        for index, combo in enumerate(combos):
            url = route.url({name: arg.value for name, arg in combo.items()})
            owner = _owner(combo)
            # Every persona with the own ids, every business persona with every id:
            # a plain GET, and a plain POST (where the page takes one; else once).
            for persona in PERSONAS if index == 0 else BUSINESS:
                methods = ("GET", "POST") if posts or index == 0 else ("GET",)
                for method in methods:
                    sweep.request(
                        persona, method, url, label="plain", route=route.name, owner=owner
                    )
            if index:
                continue
            # The first (own) ids: hostile query strings and form posts from business users
            # (and from anybody on the public pages).
            for persona in BUSINESS if route.name not in PUBLIC else (*BUSINESS, "anonymous"):
                for label, value in HOSTILE.items():
                    query = dict.fromkeys(names, value)
                    sweep.request(
                        persona,
                        "GET",
                        url,
                        label=f"query {label}",
                        query=query,
                        route=route.name,
                        owner=owner,
                    )
                for name in ("unit", "issuer", "scope", "under"):
                    if reads(route, name) and persona == "dongcheng":
                        sweep.request(
                            persona,
                            "GET",
                            url,
                            label=f"foreign {name}",
                            query={name: CJ},
                            route=route.name,
                            owner="cj",
                        )
                # The fragments htmx asks for (league table, progress, list rows).
                parts = ("", "table", "progress") if reads(route, "part") else ("",)
                for part in parts:
                    for label in ("junk", "huge", "negative", "nul"):
                        query = {**dict.fromkeys(names, HOSTILE[label]), "part": part}
                        sweep.request(
                            persona,
                            "GET",
                            url,
                            label=f"htmx part={part} {label}",
                            query=query,
                            route=route.name,
                            owner=owner,
                            htmx=True,
                        )
                if not posts:
                    continue
                for label, value in HOSTILE.items():
                    form: dict[str, Any] = dict.fromkeys(names, value)
                    sweep.request(
                        persona,
                        "POST",
                        url,
                        label=f"form {label}",
                        data=form,
                        route=route.name,
                        owner=owner,
                    )
                for label, (filename, content) in FILES.items():
                    data = {
                        n: SimpleUploadedFile(filename, content)
                        for n in ("file", "upload", "evidence")
                    }
                    sweep.request(
                        persona, "POST", url, label=label, data=data, route=route.name, owner=owner
                    )
    walk_workbooks(sweep, namespace)
    # Pages and downloads again, now that hostile text has been written where it was accepted.
    for route in app_routes(namespace):
        url = route.url({name: arg.value for name, arg in _args_for(world, route)[0].items()})
        for persona in ("county", "chengjiang", "village"):
            sweep.request(persona, "GET", url, label="after the writes", route=route.name)


# Whose object each valid write in ``World.bases`` touches (for the outsider check).
BASE_OWNERS = {
    "targets:new": "cj",
    "targets:target": "cj",
    "targets:cascade": "cj",
    "targets:excel_preview": "cj",
    "contracts:amend": "dc",
    "contracts:acknowledge": "cj",
    "assessment:run_start": "cj",
    "assessment:facts": "cj",
    "assessment:run_release": "dc",
    "assessment:run_publish": "dc",
    "assessment:adjustment_propose": "cj",
    "assessment:adjustment_decide": "cj",
    "assessment:appeal_file": "cj",
    "assessment:appeal_decide": "cj",
    "assessment:roster": "cj",
    "population:accept": "cj",
    "population:import": "cj",
}


# Valid posts that write no row: a check of a code or a file, staging an upload.
READ_ONLY_BASES = {"contracts:verify", "contracts:verify_code", "targets:excel_upload"}


def walk_bases(sweep: Sweep, namespace: str) -> None:
    """Each valid write with one field spoilt at a time, by whoever may make it."""
    world = sweep.world
    routes = {r.name: r for r in app_routes(namespace)}
    for base in world.bases:
        if not base.route.startswith(namespace + ":"):
            continue
        writes = sweep.writes
        route = routes[base.route]
        url = route.url(base.kwargs)
        for name in base.spoil or [*base.data, *base.files]:
            for label, value in HOSTILE.items():
                data: dict[str, Any] = {**base.data, **_files(base.files)}
                if name in base.files:
                    if label not in ("blank", "html", "nul"):
                        continue
                    data[name] = SimpleUploadedFile(base.files[name][0], value.encode())
                else:
                    data[name] = value
                sweep.request(
                    base.persona,
                    "POST",
                    url,
                    label=f"{name}={label}",
                    query=base.query,
                    data=data,
                    route=route.name,
                )
            data = {k: v for k, v in {**base.data, **_files(base.files)}.items() if k != name}
            sweep.request(
                base.persona,
                "POST",
                url,
                label=f"without {name}",
                query=base.query,
                data=data,
                route=route.name,
            )
        if base.route in ("assessment:scheme_new", "assessment:scheme_replace"):
            for label, (filename, content) in {**SCHEME_FILES, **FILES}.items():
                data = {**base.data, "upload": SimpleUploadedFile(filename, content)}
                sweep.request(base.persona, "POST", url, label=label, data=data, route=route.name)
        if base.route == "assessment:scheme_edit":
            for label, (_filename, content) in SCHEME_FILES.items():
                text = content.decode("utf-8", "replace")
                for name in ("advanced", "items-0-params", "items-0-more"):
                    data = {**base.data, name: text}
                    sweep.request(
                        base.persona,
                        "POST",
                        url,
                        label=f"{name}={label}",
                        data=data,
                        route=route.name,
                    )
        # Other personas try the same valid write on this object.
        for persona in ("dongcheng", "chengjiang", "leader", "village", "norole"):
            if persona != base.persona:
                data = {**base.data, **_files(base.files)}
                owner = BASE_OWNERS.get(base.route, "")
                sweep.request(
                    persona,
                    "POST",
                    url,
                    label="valid, other persona",
                    query=base.query,
                    data=data,
                    route=route.name,
                    owner=owner,
                )
        # Finally the valid write itself.
        data = {**base.data, **_files(base.files)}
        sweep.request(
            base.persona, "POST", url, label="valid", query=base.query, data=data, route=route.name
        )
        # The valid write (or a spoilt one that was still valid) reached the action:
        # otherwise the spoilt fields above only ever met the form.
        if sweep.writes == writes and base.route not in READ_ONLY_BASES:
            sweep.problems.append(f"{base.route}: the valid write never wrote anything")


def walk_workbooks(sweep: Sweep, namespace: str) -> None:
    """The app's own templates with hostile cells, a hostile year, and a real formula."""
    routes = {r.name: r for r in app_routes(namespace)}
    for key, (persona, file_field, query, content, first_row) in sweep.world.workbooks.items():
        name = key.split("#")[0]
        if not name.startswith(namespace + ":"):
            continue
        url = routes[name].url({})
        for label, value in HOSTILE.items():
            if label == "nul":
                continue  # a workbook cannot hold a NUL byte
            for meta in (False, True):
                book = _hostile_workbook(content, value, first_row, meta=meta)
                upload = SimpleUploadedFile("hostile.xlsx", book)
                response = sweep.request(
                    persona,
                    "POST",
                    url,
                    label=f"{key} {'year' if meta else 'cells'}={label}",
                    query=query,
                    data={file_field: upload},
                    route=name,
                )
                # A staged target upload is previewed and confirmed next.
                if (
                    response is not None
                    and response.status_code == 302
                    and "/targets/excel/" in response["Location"]
                ):
                    preview = response["Location"]
                    sweep.request(
                        persona,
                        "GET",
                        preview,
                        label=f"preview {label}",
                        route="targets:excel_preview",
                    )
                    sweep.request(
                        persona,
                        "GET",
                        preview + "marked/",
                        label=f"marked {label}",
                        route="targets:excel_marked",
                    )
                    sweep.request(
                        persona,
                        "POST",
                        preview,
                        label=f"confirm {label}",
                        data={"reason": value},
                        route="targets:excel_preview",
                    )


# --- the API -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # "/api/v1/assessment/runs/{pk}/pay"
    query: tuple[str, ...]
    body: tuple[str, ...]

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)


def api_operations(app: str) -> list[Operation]:
    from renkou.api import api

    spec = api.get_openapi_schema()
    schemas = spec.get("components", {}).get("schemas", {})
    found = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if not str(op.get("operationId", "")).startswith(f"renkou_{app}_"):
                continue
            query = tuple(p["name"] for p in op.get("parameters", []) if p["in"] == "query")
            body: tuple[str, ...] = ()
            ref = (
                op.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
                .get("$ref")
            )
            if ref:
                body = tuple(schemas[ref.rsplit("/", 1)[1]].get("properties", {}))
            found.append(Operation(method.upper(), path, query, body))
    return found


API_BASES: dict[str, tuple[str, str, dict[str, Any]]] = {
    # path: (persona, object, valid body)
    "/api/v1/contracts/{pk}/acknowledge": ("chengjiang", "contract_cj", {"signer_name": "王五"}),
    "/api/v1/assessment/run-units/{pk}/adjustments": (
        "chengjiang",
        "ru_village2",
        {
            "item": "births",
            "field": "births",
            "new_value": "43",
            "reason": "disaster",
            "note": "台风",
        },
    ),
    "/api/v1/assessment/adjustments/{pk}/decision": (
        "county",
        "adjustment_village",
        {"approve": False, "note": "不同意"},
    ),
    "/api/v1/assessment/run-units/{pk}/appeals": (
        "chengjiang",
        "ru_cj",
        {"item": "timely", "reason": "及时率有误"},
    ),
    "/api/v1/assessment/appeals/{pk}/decision": (
        "county",
        "appeal_cj",
        {"upheld": False, "decision_reason": "不成立"},
    ),
}


def _api_args(world: World, op: Operation) -> list[dict[str, Arg]]:
    if not op.params:
        return [{}]
    # "/assessment/runs/{pk}/pay" is looked up as "api:/assessment/runs/|pk".
    prefix = op.path.removeprefix("/api/v1").split("{")[0]
    choices: dict[str, list[Arg]] = {}
    for name in op.params:
        choices[name] = (
            world.args.get(f"api:{prefix}|{name}")
            or world.args.get(name)
            or [Arg("1"), Arg("0"), Arg("9" * 25), Arg("abc")]
        )
    first = {name: options[0] for name, options in choices.items()}
    combos = [first]
    for name, options in choices.items():
        combos.extend({**first, name: option} for option in options[1:])
    return combos


def walk_api(sweep: Sweep, app: str, objects: Mapping[str, Any]) -> None:
    for op in api_operations(app):
        for index, combo in enumerate(_api_args(sweep.world, op)):
            url = op.path
            for name, arg in combo.items():
                url = url.replace("{" + name + "}", quote(arg.value, safe=""))
            owner = _owner(combo)
            for persona in PERSONAS:
                if op.method == "GET":
                    sweep.request(persona, "GET", url, label="plain", route=op.path, owner=owner)
                else:
                    sweep.request(
                        persona,
                        "POST",
                        url,
                        label="empty object",
                        body=b"{}",
                        route=op.path,
                        owner=owner,
                    )
            if index:
                continue
            for persona in BUSINESS:
                if op.method == "GET":
                    for label, value in HOSTILE.items():
                        query = dict.fromkeys(op.query, value)
                        sweep.request(
                            persona,
                            "GET",
                            url,
                            label=f"query {label}",
                            query=query,
                            route=op.path,
                            owner=owner,
                        )
                    if "under" in op.query and persona == "dongcheng":
                        sweep.request(
                            persona,
                            "GET",
                            url,
                            label="foreign under",
                            query={"under": CJ, "year": "2025"},
                            route=op.path,
                            owner="cj",
                        )
                    continue
                for label, raw in MALFORMED_JSON.items():
                    sweep.request(
                        persona,
                        "POST",
                        url,
                        label=f"body {label}",
                        body=raw,
                        route=op.path,
                        owner=owner,
                    )
                for label, value in JSON_HOSTILE.items():
                    body = json.dumps(dict.fromkeys(op.body, value)).encode()
                    sweep.request(
                        persona,
                        "POST",
                        url,
                        label=f"fields {label}",
                        body=body,
                        route=op.path,
                        owner=owner,
                    )
        if op.method == "POST" and op.path in API_BASES:
            persona, key, valid = API_BASES[op.path]
            target = objects[key]
            url = op.path.replace("{pk}", str(target.pk))
            for name in valid:
                for label, value in JSON_HOSTILE.items():
                    body = json.dumps({**valid, name: value}).encode()
                    sweep.request(
                        persona, "POST", url, label=f"{name}={label}", body=body, route=op.path
                    )
                body = json.dumps({k: v for k, v in valid.items() if k != name}).encode()
                sweep.request(
                    persona, "POST", url, label=f"without {name}", body=body, route=op.path
                )
            for other in ("dongcheng", "leader", "norole"):
                owner = "cj" if other == "dongcheng" else ""
                sweep.request(
                    other,
                    "POST",
                    url,
                    label="valid, other persona",
                    body=json.dumps(valid).encode(),
                    route=op.path,
                    owner=owner,
                )
            sweep.request(
                persona, "POST", url, label="valid", body=json.dumps(valid).encode(), route=op.path
            )


# --- the tests -----------------------------------------------------------------------------


@pytest.fixture
def sweep(personas: Personas) -> Iterator[Sweep]:
    with time_machine.travel(TODAY, tick=True):
        yield Sweep(build_world(personas))


@pytest.mark.parametrize("namespace", APPS)
def test_every_page_survives_hostile_input_and_refuses_outsiders(
    sweep: Sweep, namespace: str
) -> None:
    assert app_routes(namespace), f"no routes found for {namespace}"
    walk_pages(sweep, namespace)
    sweep.report(f"pages of {namespace}")


@pytest.mark.parametrize("app", APPS)
def test_every_api_endpoint_survives_hostile_input_and_refuses_outsiders(
    sweep: Sweep, app: str
) -> None:
    assert api_operations(app), f"no API operations found for {app}"
    objects: dict[str, Any] = {
        "contract_cj": Contract.objects.get(recipient__code=CJ, year=2026, version=1),
    }
    from renkou.assessment.models import Adjustment, Appeal, RunUnit

    objects["ru_village2"] = RunUnit.objects.get(orgunit__code=CJ_VILLAGE2, run__year=2024)
    objects["ru_cj"] = RunUnit.objects.get(orgunit__code=CJ, run__scheme__level=Level.TOWNSHIP)
    objects["adjustment_village"] = Adjustment.objects.get(orgunit__code=CJ_VILLAGE2)
    objects["appeal_cj"] = Appeal.objects.get(orgunit__code=CJ)
    walk_api(sweep, app, objects)
    sweep.report(f"API of {app}")


def test_the_walk_reaches_every_route_of_the_four_apps() -> None:
    """The routes come from the resolver and the OpenAPI document, not from a list here."""
    names = {r.name for namespace in APPS for r in app_routes(namespace)}
    assert {
        "targets:board",
        "contracts:acknowledge",
        "assessment:pay_list",
        "population:import",
    } <= names
    paths = {op.path for app in APPS for op in api_operations(app)}
    assert "/api/v1/assessment/run-units/{pk}/appeals" in paths
    assert "/api/v1/population/{code}" in paths


# --- the bugs the walk found, pinned one by one (fast, no walk) -------------------------------


def test_a_scheme_of_nested_yaml_aliases_is_refused_before_it_expands() -> None:
    from renkou.assessment.schemes_io import parse_upload
    from renkou.scoring import SchemeError

    name, content = SCHEME_FILES["yaml_laughs"]
    with pytest.raises(SchemeError, match="内容过大或嵌套过深"):
        parse_upload(name, content)


@pytest.mark.parametrize("variant", ["json_deep", "json_huge_number", "yaml_nan", "json_nul"])
def test_a_scheme_file_with_absurd_values_gets_problems_not_an_exception(variant: str) -> None:
    from renkou.assessment.schemes_io import parse_upload
    from renkou.scoring import SchemeError

    name, content = SCHEME_FILES[variant]
    with pytest.raises(SchemeError) as error:
        parse_upload(name, content)
    assert CJK.search(error.value.describe())


def test_a_huge_number_in_a_scheme_is_reported_where_it_is() -> None:
    from renkou.assessment.schemes_io import check_scheme
    from renkou.scoring import SchemeError

    data = json.loads(json.dumps(REVIEW_SCHEME))
    data["items"][0]["points"] = 10**30
    data["name"] = "考核\x00细则"
    with pytest.raises(SchemeError) as error:
        check_scheme(data)
    assert ("items[0].points", "数字超出允许范围。") in error.value.problems
    assert ("name", "含有不可见的空字符，请删除。") in error.value.problems


def test_the_scheme_editor_takes_junk_row_counts_for_none() -> None:
    from django.http import QueryDict

    from renkou.assessment.views_editor import editor_post

    editor, data, _origin = editor_post(QueryDict("items-count=abc&grades-count=-5&s-code=x"))
    assert data == {"code": "x"}
    assert [len(rows) for rows in editor.sections.values()] == [2, 2, 2, 2]


def test_a_population_workbook_with_an_odd_digit_for_its_year_is_refused(tmp_path: Path) -> None:
    from renkou.population.excel import build_template, read_upload
    from renkou.reporting.excel import ExcelFileError

    content = _hostile_workbook(build_template(2025, CJ, "澄江街道", []), "²", 3, meta=True)
    path = tmp_path / "p.xlsx"
    path.write_bytes(content)
    with pytest.raises(ExcelFileError, match="不是本系统生成的人口结构模板"):
        read_upload(path)


@pytest.mark.parametrize("year", ["-1", "0", "99999", "abc", "9" * 5000])
def test_a_targets_workbook_with_a_bad_year_writes_nothing(
    personas: Personas, tmp_path: Path, year: str
) -> None:
    import_default_catalog()
    villages = [_unit(CJ_VILLAGE), _unit(CJ_VILLAGE2)]
    path = tmp_path / "t.xlsx"
    path.write_bytes(
        _hostile_workbook(_changed(excel_io.build(2026, _unit(CJ), villages)), year, 3, meta=True)
    )
    preview = excel_io.check(personas.chengjiang, path)
    assert preview.error in (
        "模板中的年度无效，请重新下载目标模板。",
        "该文件不是本系统生成的目标模板，请重新下载目标模板后填写。",
    )
    assert not preview.rows


def test_a_roster_pay_beyond_any_salary_is_a_problem_of_its_cell(
    personas: Personas, tmp_path: Path
) -> None:
    content = pay_module.roster_template(_unit(CJ))
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    sheet["C2"], sheet["D2"], sheet["E2"] = "张三", "村党组织书记", 1e30
    path = tmp_path / "r.xlsx"
    book.save(path)
    rows, problems = pay_module.read_roster(path, _unit(CJ))
    assert not rows
    assert [(p.row, p.column) for p in problems] == [(2, "E")]


def test_a_unit_code_with_a_nul_byte_is_simply_not_found(personas: Personas) -> None:
    from django.http import Http404

    from renkou.contracts.access import get_issuer_for_user
    from renkou.population.access import get_scope_for_user
    from renkou.population.access import get_unit_for_user as population_unit
    from renkou.targets.access import get_unit_for_user as target_unit

    for lookup in (
        lambda: target_unit(personas.county, "331003\x00"),
        lambda: population_unit(personas.county, "331003\x00"),
        lambda: get_scope_for_user(personas.county, "331003\x00", accept=True),
        lambda: get_issuer_for_user(personas.county, "331003\x00"),
    ):
        with pytest.raises(Http404):
            lookup()
