"""The one error the formula kernel raises for bad formula text."""

from __future__ import annotations

__all__ = ["FormulaError"]


class FormulaError(ValueError):
    """Formula text that cannot be parsed, with where and why.

    ``position`` is the 0-based index into the text the user typed; the
    messages count characters from 1, as people do. ``str(error)`` is the
    Chinese message, ``message_en`` the English one; ``reason`` and
    ``reason_en`` are the same without the location. ``part`` names the side
    of a ``left op right`` rule the position refers to ("left" or "right"),
    or is None for a whole formula.
    """

    def __init__(
        self,
        position: int,
        reason: str,
        reason_en: str,
        *,
        located: bool = True,
        part: str | None = None,
    ) -> None:
        self.position = position
        self.reason = reason
        self.reason_en = reason_en
        self.located = located
        self.part = part
        self.message, self.message_en = self._compose()
        super().__init__(self.message)

    def _compose(self) -> tuple[str, str]:
        side_zh = {"left": "左式", "right": "右式"}.get(self.part or "", "")
        side_en = {"left": "left side, ", "right": "right side, "}.get(self.part or "", "")
        if not self.located:
            prefix_zh = f"{side_zh}：" if side_zh else ""
            prefix_en = side_en.removesuffix(", ") + ": " if side_en else ""
            return f"{prefix_zh}{self.reason}", f"{prefix_en}{self.reason_en}"
        where = self.position + 1
        return (
            f"{side_zh}第{where}个字符处：{self.reason}",
            f"{side_en}at character {where}: {self.reason_en}",
        )

    def on_side(self, part: str) -> FormulaError:
        """The same error, marked as belonging to one side of a rule."""
        return FormulaError(
            self.position, self.reason, self.reason_en, located=self.located, part=part
        )
