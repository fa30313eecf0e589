"""State changes of administrative divisions. Each writes its audit row."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction

from renkou.audit.actions import diff_fields, record_event, snapshot
from renkou.orgunits.importer import DivisionSet, check_rows, read_rows
from renkou.orgunits.models import Level, OrgUnit, RegionClass, path_upper_bound

if TYPE_CHECKING:
    from renkou.accounts.models import User

ProgressCallback = Callable[[int, int], None]
BATCH = 2000


@dataclass
class ImportReport:
    created: int = 0
    renamed: int = 0
    moved: int = 0
    unchanged: int = 0
    created_by_level: Counter[int] = field(default_factory=Counter)
    total_by_level: Counter[int] = field(default_factory=Counter)

    @property
    def changes(self) -> int:
        return self.created + self.renamed + self.moved

    def summary(self) -> str:
        if self.changes == 0:
            return f"没有变化：文件中的{self.unchanged}个单位与系统一致（0处变更）。"
        per_level = "，".join(
            f"{Level(level).label}{count}个" for level, count in sorted(self.total_by_level.items())
        )
        return (
            f"共{sum(self.total_by_level.values())}个单位（{per_level}）："
            f"新增{self.created}个，改名{self.renamed}个，调整上级{self.moved}个，"
            f"未变{self.unchanged}个。"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "created": self.created,
            "renamed": self.renamed,
            "moved": self.moved,
            "unchanged": self.unchanged,
            "by_level": {str(Level(k).label): v for k, v in sorted(self.total_by_level.items())},
        }


def plan_divisions(source: Path, *, root: str | None) -> DivisionSet:
    """Read and check the files against what the database already holds."""
    rows = read_rows(source)
    known = dict(OrgUnit.objects.values_list("code", "level"))
    return check_rows(rows, root=root, known_levels=known)


def import_divisions(
    *,
    acting_user: User | None,
    source: Path,
    root: str | None = None,
    progress: ProgressCallback | None = None,
    source_label: str = "",
) -> ImportReport:
    """Check the files, then write them; raises DivisionFileError and writes
    nothing when any row is bad. Reading and checking happen outside the write
    transaction so a slow read never holds the database."""
    plan = plan_divisions(source, root=root)
    return do_import_divisions(
        acting_user=acting_user,
        plan=plan,
        root=root,
        progress=progress,
        source_label=source_label or source.name,
    )


@transaction.atomic
def do_import_divisions(
    *,
    acting_user: User | None,
    plan: DivisionSet,
    root: str | None = None,
    progress: ProgressCallback | None = None,
    source_label: str = "",
) -> ImportReport:
    """Create or update every planned unit, all in one transaction."""
    report = ImportReport()
    total = len(plan.units)
    existing: dict[str, tuple[int, str, int | None, int, str]] = {
        code: (pk, name, parent_id, level, path)
        for pk, code, name, parent_id, level, path in OrgUnit.objects.values_list(
            "pk", "code", "name", "parent_id", "level", "path"
        )
    }
    ids = {code: values[0] for code, values in existing.items()}
    paths = {code: values[4] for code, values in existing.items()}

    to_update: list[OrgUnit] = []
    moved_paths: list[tuple[str, str]] = []
    done = 0
    # Units are sorted parents first, so a level's parents have ids before it is created.
    for level in sorted({unit.level for unit in plan.units}):
        batch: list[OrgUnit] = []
        for unit in (u for u in plan.units if u.level == level):
            report.total_by_level[unit.level] += 1
            parent_id = ids[unit.parent_code] if unit.parent_code else None
            path = (paths[unit.parent_code] if unit.parent_code else "") + unit.code + "/"
            paths[unit.code] = path
            current = existing.get(unit.code)
            if current is None:
                batch.append(
                    OrgUnit(
                        code=unit.code,
                        name=unit.name,
                        level=unit.level,
                        parent_id=parent_id,
                        path=path,
                    )
                )
                report.created += 1
                report.created_by_level[unit.level] += 1
                continue
            pk, name, old_parent, old_level, old_path = current
            if (name, old_parent, old_level, old_path) == (unit.name, parent_id, unit.level, path):
                report.unchanged += 1
                continue
            if name != unit.name:
                report.renamed += 1
            if old_parent != parent_id:
                report.moved += 1
            if old_path != path:
                moved_paths.append((old_path, path))
            to_update.append(
                OrgUnit(
                    pk=pk,
                    code=unit.code,
                    name=unit.name,
                    level=unit.level,
                    parent_id=parent_id,
                    path=path,
                )
            )
        created = OrgUnit.objects.bulk_create(batch, batch_size=BATCH)
        for obj in created:
            ids[obj.code] = obj.pk
        done += len(batch)
        if progress is not None:
            progress(min(done, total), total)
    if to_update:
        OrgUnit.objects.bulk_update(
            to_update, ["name", "parent_id", "level", "path"], batch_size=BATCH
        )
    _move_descendants(moved_paths, planned={u.code for u in plan.units})
    if progress is not None:
        progress(total, total)
    if report.changes:
        record_event(
            actor=acting_user,
            action="orgunits.import",
            object_type="orgunits.orgunit",
            object_id=root or "",
            object_repr=f"区划导入 {source_label}",
            changes=report.as_dict(),
        )
    return report


def _move_descendants(moved: list[tuple[str, str]], *, planned: set[str]) -> None:
    """Units not in the files whose ancestor moved get their path rewritten."""
    for old_path, new_path in moved:
        stale = OrgUnit.objects.filter(path__gt=old_path, path__lt=path_upper_bound(old_path))
        changed = [
            OrgUnit(pk=pk, path=new_path + path[len(old_path) :])
            for pk, code, path in stale.values_list("pk", "code", "path")
            if code not in planned
        ]
        OrgUnit.objects.bulk_update(changed, ["path"], batch_size=BATCH)


EDITABLE_FIELDS = ("name", "region_class_id", "closed_on", "successor_id")


@transaction.atomic
def do_update_orgunit(
    *,
    acting_user: User,
    unit: OrgUnit,
    name: str,
    region_class: RegionClass | None,
    closed_on: dt.date | None,
    successor: OrgUnit | None,
    reason: str = "",
) -> OrgUnit:
    before = snapshot(unit, EDITABLE_FIELDS)
    unit.name = name
    unit.region_class = region_class
    unit.closed_on = closed_on
    unit.successor = successor
    after = snapshot(unit, EDITABLE_FIELDS)
    changes = diff_fields(before, after)
    if changes:
        unit.save(update_fields=["name", "region_class", "closed_on", "successor"])
        record_event(
            actor=acting_user,
            action="orgunits.update",
            obj=unit,
            org_path=unit.path,
            changes=changes,
            reason=reason,
        )
    return unit


@transaction.atomic
def do_assign_region_classes(
    *, acting_user: User | None, root: OrgUnit, rule: dict[str, RegionClass]
) -> int:
    """Give every township under ``root`` the class its name ends with (街道/镇/乡).

    Only units without a class are touched, so a class set by hand is kept.
    """
    updated = 0
    townships = OrgUnit.objects.filter(
        path__gte=root.path,
        path__lt=path_upper_bound(root.path),
        level=Level.TOWNSHIP,
        region_class__isnull=True,
    )
    for unit in townships:
        for suffix, region_class in rule.items():
            if unit.name.endswith(suffix):
                unit.region_class = region_class
                unit.save(update_fields=["region_class"])
                updated += 1
                break
    if updated:
        record_event(
            actor=acting_user,
            action="orgunits.assign_region_classes",
            obj=root,
            org_path=root.path,
            changes={"assigned": updated, "rule": {k: v.code for k, v in rule.items()}},
        )
    return updated
