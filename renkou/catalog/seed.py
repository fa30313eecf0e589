"""The default catalogue, imported by `renkou demo` (and by anyone who wants it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from renkou.catalog.actions import CatalogImportReport, do_import_catalog
from renkou.catalog.document import check_document, load_document
from renkou.catalog.selectors import known_codes

DEFAULT_CATALOG = Path(__file__).with_name("default_catalog.yaml")


def import_default_catalog() -> CatalogImportReport:
    document = check_document(load_document(DEFAULT_CATALOG.read_bytes()), known=known_codes())
    return do_import_catalog(acting_user=None, document=document, source_label=DEFAULT_CATALOG.name)


def seed_catalog(log: Callable[[str], None]) -> None:
    """Adds what is missing; a catalogue the county has edited keeps its edits."""
    from renkou.catalog.models import DataSet

    if DataSet.objects.filter(code="village_monthly").exists():
        log("默认指标目录已存在，跳过。")
        return
    report = import_default_catalog()
    log("导入默认指标目录：" + report.summary())
