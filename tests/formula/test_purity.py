"""The formula kernel stays pure and never hands text to Python's evaluator."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import renkou.formula

SOURCE = Path(renkou.formula.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_it_imports_only_the_standard_library_and_the_periods_kernel() -> None:
    for path in SOURCE.rglob("*.py"):
        for module in imported_modules(path):
            top = module.split(".")[0]
            allowed = top in sys.stdlib_module_names or module.startswith(
                ("renkou.formula", "renkou.periods")
            )
            assert allowed, f"{path.name} imports {module}"


def test_it_never_calls_eval_exec_or_compile() -> None:
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"eval", "exec", "compile", "__import__"}, path.name
