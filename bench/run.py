"""Run every benchmark module (``bench/bench_*.py``) and print its figures.

Each module has a ``main() -> None`` that prints what it measured. Nothing here
asserts anything about time: the figures are for people to read.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
import time
from pathlib import Path


def _bench_database() -> None:
    """Benchmarks write to their own database, never the demo's.

    ``BENCH_DATABASE_URL`` points them at a PostgreSQL server; otherwise a
    throw-away SQLite file is used.
    """
    folder = tempfile.mkdtemp(prefix="renkou-bench-")
    os.environ["RENKOU_VAR_DIR"] = folder
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def main() -> None:
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent))
    _bench_database()
    only = set(sys.argv[1:])
    for path in sorted(here.glob("bench_*.py")):
        name = path.stem
        if only and name not in only and name.removeprefix("bench_") not in only:
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        module.main()
        print(f"   ({name} ran {time.perf_counter() - started:.1f} s in all)", flush=True)


if __name__ == "__main__":
    main()
