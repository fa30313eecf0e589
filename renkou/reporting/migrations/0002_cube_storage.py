"""Cubes are stored uncompressed on PostgreSQL.

A cube is 28 periods × its slots of float64, about 9 KB. PostgreSQL would
compress each with pglz on every write, which costs more than computing a
province's rollups; the cubes are read whole anyway. SQLite does not compress.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def uncompressed(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE reporting_rollupcube ALTER COLUMN data SET STORAGE EXTERNAL")


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]
    operations = [migrations.RunPython(uncompressed, migrations.RunPython.noop)]
