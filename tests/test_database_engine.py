from __future__ import annotations

import os

from django.db import connection


def test_it_runs_on_the_database_the_suite_was_asked_for(db):
    """The PostgreSQL pass of `make test` sets RENKOU_EXPECT_DB; this fails if
    the suite silently fell back to SQLite."""
    expected = os.environ.get("RENKOU_EXPECT_DB", "sqlite")
    assert connection.vendor == expected
