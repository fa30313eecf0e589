"""Copy the front-end libraries from node_modules into static files.

Government intranets have no internet, so every library is served from our own
static files; they come from the npm registry via package-lock.json and are
never committed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
    "@picocss/pico/css/pico.min.css": "pico/pico.min.css",
}


def main() -> int:
    source_root = ROOT / "node_modules"
    target_root = ROOT / "renkou" / "static" / "vendor"
    missing = [name for name in FILES if not (source_root / name).exists()]
    if missing:
        print("缺少前端依赖（请先运行 npm ci）：" + ", ".join(missing), file=sys.stderr)
        return 1
    for source, target in FILES.items():
        destination = target_root / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source_root / source, destination)
    print(f"copied {len(FILES)} front-end files into renkou/static/vendor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
