"""State changes of population structures: one transaction and one audit row each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from renkou.audit.actions import record_event
from renkou.orgunits.models import OrgUnit
from renkou.population.models import (
    GROUP_COUNT,
    PopulationStructure,
    StructureSource,
    derived_figures,
)

if TYPE_CHECKING:
    from renkou.accounts.models import User


@dataclass(frozen=True)
class StructureRow:
    orgunit_id: int
    male: Sequence[int]
    female: Sequence[int]


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return f"新增{self.created}个单位，更新{self.updated}个，未变{self.unchanged}个"


@transaction.atomic
def do_import_population_structures(
    *,
    acting_user: User | None,
    year: int,
    rows: Sequence[StructureRow],
    scope: OrgUnit,
    source: str = StructureSource.IMPORTED,
) -> ImportSummary:
    """Store each unit's structure for the year (checked rows only); one audit row.

    The caller has checked every row (counts, units in ``scope``); this writes
    them all or, on any database error, none.
    """
    for row in rows:
        if len(row.male) != GROUP_COUNT or len(row.female) != GROUP_COUNT:
            raise ValueError("each row needs 18 counts per sex")
    now = timezone.now()
    existing = {
        s.orgunit_id: s
        for s in PopulationStructure.objects.filter(
            year=year, orgunit_id__in=[r.orgunit_id for r in rows]
        )
    }
    created: list[PopulationStructure] = []
    changed: list[PopulationStructure] = []
    unchanged = 0
    for row in rows:
        male, female = [int(v) for v in row.male], [int(v) for v in row.female]
        figures = derived_figures(male, female)
        found = existing.get(row.orgunit_id)
        if found is None:
            created.append(
                PopulationStructure(
                    orgunit_id=row.orgunit_id,
                    year=year,
                    male=male,
                    female=female,
                    source=source,
                    updated_by=acting_user,
                    updated_at=now,
                    **figures,
                )
            )
        elif found.male == male and found.female == female:
            unchanged += 1
        else:
            found.male, found.female = male, female
            found.total = figures["total"]
            found.women_15_49 = figures["women_15_49"]
            found.under_3 = figures["under_3"]
            found.source, found.updated_by, found.updated_at = source, acting_user, now
            changed.append(found)
    PopulationStructure.objects.bulk_create(created, batch_size=2000)
    PopulationStructure.objects.bulk_update(
        changed,
        ["male", "female", "total", "women_15_49", "under_3", "source", "updated_by", "updated_at"],
        batch_size=2000,
    )
    summary = ImportSummary(len(created), len(changed), unchanged)
    record_event(
        actor=acting_user,
        action="population.import_structures",
        object_type="population.populationstructure",
        object_repr=f"{scope.name} {year}年人口结构",
        org_path=scope.path,
        changes={
            "year": year,
            "source": str(source),
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
        },
    )
    return summary
