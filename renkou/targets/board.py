"""The progress board: every unit below a root × every target code, coloured."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from renkou.orgunits.models import OrgUnit
from renkou.targets.figures import item_of
from renkou.targets.progress import AMBER, GREEN, NONE, RED, Progress, progress_for
from renkou.targets.selectors import targets_for

# The order codes appear in on the board; others follow alphabetically.
CODE_ORDER = (
    "births",
    "prepreg_checks",
    "registration_timeliness",
    "srb",
    "subsidy_payment_rate",
    "special_contact_coverage",
    "report_timeliness",
    "childcare_places_per_1000",
)


def code_sort_key(code: str) -> tuple[int, str]:
    return (CODE_ORDER.index(code) if code in CODE_ORDER else len(CODE_ORDER), code)


@dataclass
class BoardRow:
    unit: OrgUnit
    cells: list[Progress | None]
    counts: dict[str, int] = field(default_factory=dict)
    has_children: bool = False


@dataclass
class Board:
    root: OrgUnit
    year: int
    codes: list[tuple[str, str]]  # (code, name)
    total: BoardRow | None
    rows: list[BoardRow]

    @property
    def counts(self) -> dict[str, int]:
        out = {GREEN: 0, AMBER: 0, RED: 0, NONE: 0}
        for row in self.rows:
            for key, n in row.counts.items():
                out[key] += n
        return out


def build_board(root: OrgUnit, year: int, today: dt.date) -> Board:
    children = list(OrgUnit.objects.filter(parent=root, closed_on__isnull=True).order_by("path"))
    with_children = set(
        OrgUnit.objects.filter(parent__in=children).values_list("parent_id", flat=True).distinct()
    )
    targets = targets_for(year, [root.pk, *(c.pk for c in children)])
    progress = progress_for(year, targets, today)
    codes = sorted({c for by_code in targets.values() for c in by_code}, key=code_sort_key)
    names = []
    for code in codes:
        item = item_of(code)
        names.append((code, item.name if item else code))

    def row(unit: OrgUnit) -> BoardRow:
        mine = progress.get(unit.pk, {})
        cells = [mine.get(code) for code in codes]
        counts = {GREEN: 0, AMBER: 0, RED: 0, NONE: 0}
        for cell in cells:
            if cell is not None:
                counts[cell.status] += 1
        return BoardRow(unit, cells, counts, unit.pk in with_children)

    total = row(root) if root.pk in targets else None
    return Board(root, year, names, total, [row(child) for child in children])
