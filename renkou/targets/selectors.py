"""Reads of targets for the pages, the API and other apps (contracts, assessment)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from renkou.targets.models import Target, TargetVersion

__all__ = ["history", "targets_for", "targets_of_unit"]


def targets_for(year: int, unit_ids: Iterable[int]) -> dict[int, dict[str, Target]]:
    """``{unit id: {code: target}}`` for the units' current targets of the year.

    Units without targets are left out. One query per 900 units.
    """
    ids = sorted(set(unit_ids))
    out: dict[int, dict[str, Target]] = {}
    for start in range(0, len(ids), 900):
        for target in Target.objects.filter(year=year, orgunit_id__in=ids[start : start + 900]):
            out.setdefault(target.orgunit_id, {})[target.code] = target
    return out


def targets_of_unit(year: int, unit_id: int) -> QuerySet[Target]:
    return Target.objects.filter(year=year, orgunit_id=unit_id).order_by("code")


def history(target: Target) -> QuerySet[TargetVersion]:
    """Every version of the target, newest first, with who set it."""
    return target.versions.select_related("set_by").order_by("-version")
