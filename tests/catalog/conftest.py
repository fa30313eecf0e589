from __future__ import annotations

import pytest

from renkou.catalog.seed import import_default_catalog


@pytest.fixture
def default_catalog(db) -> None:
    import_default_catalog()
