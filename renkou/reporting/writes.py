"""Writing values: the one path every form save, Excel upload and import goes through.

``plan_writes`` compares incoming values with what is stored (new, changed,
unchanged, cleared) without writing; ``write_values`` then writes a plan in
one transaction with its audit event, the history of every changed value,
draft reports for units that had none, and the rollups the change touches.

Imports may carry millions of values, so the SQL is issued in bulk:
``executemany`` upserts, and PostgreSQL's COPY for very large batches. The
upsert (``ON CONFLICT … DO UPDATE``) is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection, transaction
from django.utils import timezone

from renkou.audit.actions import record_event
from renkou.catalog.models import DataSetElement
from renkou.orgunits.models import OrgUnit
from renkou.periods import try_parse
from renkou.reporting.models import DataValue, Report, ReportStatus, ValueChange
from renkou.reporting.values import format_number

if TYPE_CHECKING:
    import datetime as dt

    from renkou.accounts.models import User

CHUNK = 500
COPY_THRESHOLD = 20_000
# Audit events list each changed value when there are few; beyond that they
# give counts, and the value history holds every change.
AUDIT_DETAIL_LIMIT = 200

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ValueRow:
    element_id: int
    orgunit_id: int
    period: str
    number: Decimal | None
    text: str = ""
    comment: str | None = None  # None keeps the stored comment

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.orgunit_id, self.period, self.element_id)

    @property
    def cleared(self) -> bool:
        return self.number is None and not self.text

    def stored(self) -> str | None:
        return format_number(self.number) if self.number is not None else (self.text or None)


@dataclass(frozen=True, slots=True)
class Existing:
    number: Decimal | None
    text: str
    comment: str

    def stored(self) -> str | None:
        return format_number(self.number) if self.number is not None else (self.text or None)


Key = tuple[int, str, int]


@dataclass
class WritePlan:
    creates: list[ValueRow] = field(default_factory=list)
    updates: list[tuple[ValueRow, Existing]] = field(default_factory=list)
    deletes: list[tuple[ValueRow, Existing]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changes(self) -> int:
        return len(self.creates) + len(self.updates) + len(self.deletes)

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.creates),
            "updated": len(self.updates),
            "deleted": len(self.deletes),
            "unchanged": self.unchanged,
        }


def _decimal(raw: Any) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, float):
        return Decimal(repr(raw))
    return Decimal(raw)


def load_existing(keys: Iterable[Key]) -> dict[Key, Existing]:
    """Stored values for the keys, one indexed query per period and 500 units."""
    units_by_period: dict[str, set[int]] = defaultdict(set)
    for unit, period, _element in keys:
        units_by_period[period].add(unit)
    found: dict[Key, Existing] = {}
    table = DataValue._meta.db_table
    with connection.cursor() as cursor:
        for period, units in units_by_period.items():
            ordered = sorted(units)
            for start in range(0, len(ordered), CHUNK):
                chunk = ordered[start : start + CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT orgunit_id, element_id, value, text, comment FROM {table} "  # noqa: S608 - fixed names
                    f"WHERE period = %s AND orgunit_id IN ({marks})",
                    [period, *chunk],
                )
                for unit, element, value, text, comment in cursor.fetchall():
                    found[(unit, period, element)] = Existing(
                        _decimal(value), text or "", comment or ""
                    )
    return found


def _same(row: ValueRow, old: Existing) -> bool:
    if row.number is not None or old.number is not None:
        if row.number is None or old.number is None or row.number != old.number:
            return False
    elif row.text != old.text:
        return False
    return row.comment is None or row.comment == old.comment


def plan_writes(rows: Sequence[ValueRow], existing: dict[Key, Existing] | None = None) -> WritePlan:
    """Classify each row against the stored value; a cleared cell deletes the value."""
    stored = existing if existing is not None else load_existing(row.key for row in rows)
    plan = WritePlan()
    for row in rows:
        old = stored.get(row.key)
        if old is None:
            if row.cleared:
                plan.unchanged += 1
            else:
                plan.creates.append(row)
        elif row.cleared:
            plan.deletes.append((row, old))
        elif _same(row, old):
            plan.unchanged += 1
        else:
            plan.updates.append((row, old))
    return plan


# -- SQL ---------------------------------------------------------------------------

_COLUMNS = "element_id, orgunit_id, period, value, text, comment, updated_at, updated_by_id"
_TABLE = DataValue._meta.db_table
_UPSERT = (
    f"INSERT INTO {_TABLE} ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "  # noqa: S608
    "ON CONFLICT (orgunit_id, period, element_id) DO UPDATE SET value = excluded.value, "
    "text = excluded.text, comment = excluded.comment, updated_at = excluded.updated_at, "
    "updated_by_id = excluded.updated_by_id"
)


def _params(row: ValueRow, comment: str, when: Any, user_id: int | None) -> tuple[Any, ...]:
    number = (
        connection.ops.adapt_decimalfield_value(row.number, 20, 6)
        if row.number is not None
        else None
    )
    return (row.element_id, row.orgunit_id, row.period, number, row.text, comment, when, user_id)


def _copy_upsert(rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: COPY into a temporary table, then one INSERT … ON CONFLICT."""
    table = DataValue._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE incoming_values (element_id bigint, orgunit_id bigint, "
            "period varchar(7), value numeric(20, 6), text varchar(200), comment varchar(200), "
            "updated_at timestamptz, updated_by_id bigint) ON COMMIT DROP"
        )
        raw = cursor.cursor
        with raw.copy(f"COPY incoming_values ({_COLUMNS}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for index, row in enumerate(rows, start=1):
                buffer.write("\t".join(_copy_text(part) for part in row))
                buffer.write("\n")
                if index % 50_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        cursor.execute(
            f"INSERT INTO {table} ({_COLUMNS}) SELECT {_COLUMNS} FROM incoming_values "  # noqa: S608
            "ON CONFLICT (orgunit_id, period, element_id) DO UPDATE SET value = excluded.value, "
            "text = excluded.text, comment = excluded.comment, updated_at = excluded.updated_at, "
            "updated_by_id = excluded.updated_by_id"
        )
        cursor.execute("DROP TABLE IF EXISTS incoming_values")


def copy_columns(table: pa.Table, *, upsert: bool) -> None:
    """PostgreSQL: values given as Arrow columns (in ``_COLUMNS`` order) through COPY.

    Arrow writes the CSV in C++, so millions of rows cost seconds, not minutes.
    Empty strings are written quoted and NULLs unquoted, as COPY's CSV expects.
    """
    target = DataValue._meta.db_table
    conflict = (
        "ON CONFLICT (orgunit_id, period, element_id) DO UPDATE SET value = excluded.value, "
        "text = excluded.text, comment = excluded.comment, updated_at = excluded.updated_at, "
        "updated_by_id = excluded.updated_by_id"
        if upsert
        else ""
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE incoming_values (element_id bigint, orgunit_id bigint, "
            "period varchar(7), value numeric(20, 6), text varchar(200), comment varchar(200), "
            "updated_at timestamptz, updated_by_id bigint) ON COMMIT DROP"
        )
        raw = cursor.cursor
        with raw.copy(f"COPY incoming_values ({_COLUMNS}) FROM STDIN WITH (FORMAT csv)") as copy:
            for start in range(0, table.num_rows, 500_000):
                buffer = io.BytesIO()
                pa_csv.write_csv(
                    table.slice(start, 500_000), buffer, pa_csv.WriteOptions(include_header=False)
                )
                copy.write(buffer.getvalue())
        cursor.execute(
            f"INSERT INTO {target} ({_COLUMNS}) SELECT {_COLUMNS} FROM incoming_values {conflict}"  # noqa: S608
        )
        cursor.execute("DROP TABLE IF EXISTS incoming_values")


def _copy_text(part: Any) -> str:
    if part is None:
        return "\\N"
    text = part.isoformat() if hasattr(part, "isoformat") else str(part)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _upsert(rows: list[tuple[Any, ...]], progress: ProgressCallback | None) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql" and len(rows) >= COPY_THRESHOLD:
        _copy_upsert(rows)
        return
    step = 50_000
    with connection.cursor() as cursor:
        for start in range(0, len(rows), step):
            cursor.executemany(_UPSERT, rows[start : start + step])
            if progress is not None:
                progress(min(start + step, len(rows)), len(rows))


def _insert_new(rows: list[tuple[Any, ...]]) -> None:
    """Values known to be new: a plain INSERT, cheaper than the upsert for millions of rows."""
    if not rows:
        return
    if connection.vendor == "postgresql" and len(rows) >= COPY_THRESHOLD:
        _copy_upsert(rows)
        return
    sql = f"INSERT INTO {_TABLE} ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 100_000):
            cursor.executemany(sql, rows[start : start + 100_000])


def _delete(keys: list[Key]) -> None:
    if not keys:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"DELETE FROM {DataValue._meta.db_table} "  # noqa: S608
            "WHERE orgunit_id = %s AND period = %s AND element_id = %s",
            keys,
        )


# -- reports and the audit trail ------------------------------------------------------


def ensure_reports(keys: Iterable[tuple[int, str, int]]) -> None:
    """Draft reports for units that wrote values of a data set they report but had no report."""
    memberships: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for element_id, data_set_id, period_type, level in DataSetElement.objects.values_list(
        "element_id", "data_set_id", "data_set__period_type", "data_set__reporting_level"
    ):
        memberships[element_id].append((data_set_id, period_type, level))
    wanted: set[tuple[int, int, str]] = set()
    pairs: set[tuple[int, str, int]] = set(keys)
    units = {unit for unit, _period, _element in pairs}
    levels = dict(_chunked_values(OrgUnit, units, ("id", "level")))
    period_types: dict[str, str] = {}
    for unit, period, element in pairs:
        if period not in period_types:
            parsed = try_parse(period)
            period_types[period] = parsed.type.value if parsed else ""
        for data_set_id, period_type, level in memberships.get(element, ()):
            if period_type == period_types[period] and levels.get(unit) == level:
                wanted.add((data_set_id, unit, period))
    if wanted:
        Report.objects.bulk_create(
            (
                Report(data_set_id=d, orgunit_id=u, period=p, status=ReportStatus.DRAFT)
                for d, u, p in sorted(wanted)
            ),
            batch_size=2000,
            ignore_conflicts=True,
        )


def _chunked_values(
    model: Any, ids: Iterable[int], fields: tuple[str, str]
) -> list[tuple[Any, Any]]:
    ordered = sorted(ids)
    found: list[tuple[Any, Any]] = []
    for start in range(0, len(ordered), CHUNK):
        found.extend(
            model.objects.filter(pk__in=ordered[start : start + CHUNK]).values_list(*fields)
        )
    return found


@dataclass
class WriteSummary:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    event_id: int | None = None

    @property
    def changes(self) -> int:
        return self.created + self.updated + self.deleted

    def text(self) -> str:
        return (
            f"新增{self.created}个值，修改{self.updated}个，清除{self.deleted}个，"
            f"{self.unchanged}个未变。"
        )


def _audit_details(plan: WritePlan, label: Callable[[ValueRow], str]) -> dict[str, Any]:
    if plan.changes > AUDIT_DETAIL_LIMIT:
        return {"counts": plan.counts()}
    changes: dict[str, Any] = {}
    for row in plan.creates:
        changes[label(row)] = [None, row.stored()]
    for row, old in plan.updates:
        changes[label(row)] = [old.stored(), row.stored()]
    for row, old in plan.deletes:
        changes[label(row)] = [old.stored(), None]
    return changes


@transaction.atomic
def write_values(
    *,
    acting_user: User | None,
    plan: WritePlan,
    action: str,
    object_repr: str,
    org_path: str = "",
    label: Callable[[ValueRow], str] | None = None,
    reason: str = "",
    progress: ProgressCallback | None = None,
    refresh: bool = True,
) -> WriteSummary:
    """Write a plan made by :func:`plan_writes`, with its audit event and value history.

    ``label`` names a value in the audit event (default: element, unit and
    period ids). Nothing is written, not even the audit event, when nothing
    changes.
    """
    summary = WriteSummary(
        created=len(plan.creates),
        updated=len(plan.updates),
        deleted=len(plan.deletes),
        unchanged=plan.unchanged,
    )
    if plan.changes == 0:
        return summary
    name = label or (lambda row: f"{row.element_id}@{row.orgunit_id}@{row.period}")
    event = record_event(
        actor=acting_user,
        action=action,
        object_type="reporting.datavalue",
        object_repr=object_repr,
        org_path=org_path,
        changes=_audit_details(plan, name),
        reason=reason,
    )
    summary.event_id = event.pk
    now = timezone.now()
    when = connection.ops.adapt_datetimefield_value(now)
    user_id = acting_user.pk if acting_user is not None and acting_user.pk else None
    upserts = [_params(row, row.comment or "", when, user_id) for row in plan.creates]
    upserts += [
        _params(row, old.comment if row.comment is None else row.comment, when, user_id)
        for row, old in plan.updates
    ]
    _upsert(upserts, progress)
    _delete([row.key for row, _old in plan.deletes])
    _history(plan, now, user_id, event.pk)
    touched = [row.key for row in plan.creates] + [row.key for row, _ in plan.updates]
    touched += [row.key for row, _ in plan.deletes]
    ensure_reports(touched)
    if refresh:
        from renkou.reporting.rollups import refresh_after_change

        refresh_after_change(touched)
    return summary


def _history(plan: WritePlan, now: dt.datetime, user_id: int | None, event_id: int) -> None:
    changes = [
        ValueChange(
            element_id=row.element_id,
            orgunit_id=row.orgunit_id,
            period=row.period,
            old_value=old.stored(),
            new_value=row.stored(),
            changed_at=now,
            changed_by_id=user_id,
            event_id=event_id,
        )
        for row, old in [*plan.updates, *plan.deletes]
    ]
    ValueChange.objects.bulk_create(changes, batch_size=2000)
