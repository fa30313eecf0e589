"""``org_path`` compares byte by byte on PostgreSQL (see orgunits 0002)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def to_c_collation(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        'ALTER TABLE audit_auditevent ALTER COLUMN org_path TYPE varchar(255) COLLATE "C"'
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(to_c_collation, migrations.RunPython.noop)]
