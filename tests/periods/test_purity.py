"""The periods kernel depends on nothing but the standard library."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import renkou.periods

SOURCE = Path(renkou.periods.__file__).parent


def test_it_imports_only_the_standard_library() -> None:
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                allowed = module.split(".")[0] in sys.stdlib_module_names
                assert allowed or module.startswith("renkou.periods"), (
                    f"{path.name} imports {module}"
                )
