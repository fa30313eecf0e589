"""The rollup kernel stays free of Django: it takes Arrow and numpy, returns numpy."""

from __future__ import annotations

import sys
from pathlib import Path

import renkou.rollup
from tests.formula.test_purity import imported_modules

SOURCE = Path(renkou.rollup.__file__).parent
ALLOWED = ("renkou.rollup", "renkou.formula", "renkou.periods", "numpy", "pyarrow", "duckdb")


def test_it_imports_only_the_standard_library_numpy_arrow_duckdb_and_kernels() -> None:
    for path in SOURCE.rglob("*.py"):
        for module in imported_modules(path):
            top = module.split(".")[0]
            assert top in sys.stdlib_module_names or module.startswith(ALLOWED), (path, module)
