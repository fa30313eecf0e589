"""Reads of population structure for other apps."""

from __future__ import annotations

from collections.abc import Iterable


def women_15_49(year: int, unit_ids: Iterable[int]) -> dict[int, int]:
    """Women aged 15–49 per unit for the year (units without data are left out)."""
    return {}
