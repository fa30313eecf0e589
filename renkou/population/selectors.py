"""Reads of population structure for other apps."""

from __future__ import annotations

from collections.abc import Iterable

from renkou.population.models import PopulationStructure

_CHUNK = 500


def women_15_49(year: int, unit_ids: Iterable[int]) -> dict[int, int]:
    """Women aged 15–49 per unit for the year (units without data are left out)."""
    ids = sorted(set(unit_ids))
    found: dict[int, int] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = PopulationStructure.objects.filter(
            year=year, orgunit_id__in=ids[start : start + _CHUNK]
        ).values_list("orgunit_id", "women_15_49")
        found.update(rows)
    return found


def structures(year: int, unit_ids: Iterable[int]) -> dict[int, tuple[list[int], list[int]]]:
    """(male, female) counts by five-year group per unit for the year."""
    ids = sorted(set(unit_ids))
    found: dict[int, tuple[list[int], list[int]]] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = PopulationStructure.objects.filter(
            year=year, orgunit_id__in=ids[start : start + _CHUNK]
        ).values_list("orgunit_id", "male", "female")
        for unit, male, female in rows:
            found[unit] = (list(male), list(female))
    return found


def years_with_data(unit_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(unit_ids))[:_CHUNK]
    return sorted(
        set(
            PopulationStructure.objects.filter(orgunit_id__in=ids)
            .values_list("year", flat=True)
            .distinct()
        )
    )
