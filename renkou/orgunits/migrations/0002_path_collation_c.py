"""Paths compare byte by byte on PostgreSQL.

Subtree queries are range scans on ``path`` ("33/3310/" <= path < "33/33100"),
which rely on "/" sorting just before "0". Locale collations such as
zh_CN.UTF-8 or en_US.UTF-8 ignore punctuation at the first level, so the
column uses the "C" collation there. SQLite already compares bytes.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

COLUMNS = [("orgunits_orgunit", "path", 255)]


def to_c_collation(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, length in COLUMNS:
        schema_editor.execute(
            f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"'
        )


class Migration(migrations.Migration):
    dependencies = [("orgunits", "0001_initial")]
    operations = [migrations.RunPython(to_c_collation, migrations.RunPython.noop)]
