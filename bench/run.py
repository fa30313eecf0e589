"""Run every benchmark module (``bench/bench_*.py``) and print its figures.

Each module has a ``main() -> None`` that prints what it measured. Nothing here
asserts anything about time: the figures are for people to read.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent))
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
