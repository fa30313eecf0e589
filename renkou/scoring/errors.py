"""Errors raised by the scoring kernel.

Both errors carry every problem found, not just the first, so that an assessor
can fix a scheme or a units file in one round instead of one line at a time.
"""

from __future__ import annotations

__all__ = ["SchemeError", "UnitsError"]

# Listing thousands of identical problems helps nobody; the count says the rest.
_SHOWN = 20


class SchemeError(ValueError):
    """A scheme that cannot be scored; ``problems`` holds ``(path, message)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]], *, source: str = "") -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(self.describe())

    def lines(self) -> list[str]:
        return [f"{path}: {message}" if path else message for path, message in self.problems]

    def describe(self) -> str:
        return "\n".join(self.lines())


class UnitsError(ValueError):
    """Units that cannot be scored; ``problems`` holds ``(unit, key, message)`` triples.

    ``unit`` is the unit's code (or its position when it has none) and ``key``
    the value, target or column at fault, so the cadre knows which cell to fix.
    """

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        self.problems = list(problems)
        super().__init__(self.describe())

    def lines(self) -> list[str]:
        return [
            ": ".join(part for part in (unit, key, message) if part)
            for unit, key, message in self.problems
        ]

    def describe(self) -> str:
        lines = self.lines()
        if len(lines) > _SHOWN:
            lines = [*lines[:_SHOWN], f"… (+{len(lines) - _SHOWN})"]
        return "\n".join(lines)
