from __future__ import annotations

from django.db.models import Count, QuerySet

from renkou.orgunits.models import Level, OrgUnit, subtree_q


def level_counts(path: str) -> list[tuple[str, int]]:
    """(level label, number of units) for every level at or below the unit with ``path``."""
    rows = (
        OrgUnit.objects.filter(subtree_q(path))
        .values("level")
        .annotate(n=Count("id"))
        .order_by("level")
    )
    return [(str(Level(row["level"]).label), row["n"]) for row in rows]


def children_of(unit: OrgUnit) -> QuerySet[OrgUnit]:
    """Direct children with the number of their own children, in one query."""
    return (
        OrgUnit.objects.filter(parent=unit)
        .select_related("region_class")
        .annotate(child_count=Count("children"))
        .order_by("code")
    )


def search_units(path: str, text: str, *, limit: int = 50) -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(subtree_q(path), name__contains=text)
        .select_related("parent")
        .order_by("level", "code")[:limit]
    )


def ancestors_within(unit: OrgUnit, scope_path: str) -> list[OrgUnit]:
    """The unit's ancestors that the viewer may see (at or below their home unit)."""
    codes = unit.ancestor_codes
    found = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found and found[c].path.startswith(scope_path)]
