"""Hypothesis strategies that write formulas from the grammar."""

from __future__ import annotations

from hypothesis import strategies as st

MAX_DEPTH = 4
EXACT_DEPTH = 3

spaces = st.sampled_from(["", " ", "  ", "\t", "\n", "\u3000"])
codes = st.sampled_from(["a", "b", "births", "pop_total", "出生", "de.1", "x-2"])
modifiers = st.sampled_from(["", ".previous", ".ytd", ".PREVIOUS", ".Ytd"])
literals = st.from_regex(r"[0-9]{1,6}(\.[0-9]{0,4})?|\.[0-9]{1,4}", fullmatch=True)


def cased(draw: st.DrawFn, word: str) -> str:
    return draw(st.sampled_from([word, word.upper(), word.capitalize()]))


@st.composite
def number_text(draw: st.DrawFn, depth: int = 0, exact: bool = False) -> str:
    """Text for a numeric expression drawn from the grammar.

    ``exact`` keeps to small integers without division, so that any correct
    evaluation, in Decimal or in binary floating point, gives the same answer.
    """
    s = draw(spaces)
    deepest = EXACT_DEPTH if exact else MAX_DEPTH
    branch = draw(st.integers(0, 1 if depth >= deepest else 8))
    if branch == 0:
        return str(draw(st.integers(0, 9))) if exact else draw(literals)
    if branch == 1:
        return f"#{{{s}{draw(codes)}{s}}}{draw(modifiers)}"
    inner = number_text(depth + 1, exact)
    if branch == 2:
        operator = draw(st.sampled_from(["+", "-", "*"] if exact else ["+", "-", "*", "/"]))
        left, right = draw(inner), draw(inner)
        # Brackets around operands, needed or not, exercise grouping and precedence.
        if draw(st.booleans()):
            left = f"({left})"
        if draw(st.booleans()):
            right = f"({right})"
        return f"{left}{s}{operator}{draw(spaces)}{right}"
    if branch == 3:
        return f"-{s}{draw(inner)}"
    if branch == 4:
        return f"({s}{draw(inner)}{draw(spaces)})"
    if branch == 5:
        name = draw(st.sampled_from(["sum", "min", "max"]))
        args = draw(st.lists(inner, min_size=1, max_size=3))
        return f"{cased(draw, name)}({f',{s}'.join(args)})"
    if branch == 6:
        return f"{cased(draw, 'abs')}({draw(inner)})"
    if branch == 7:
        condition = draw(boolean_text(depth + 1, exact))
        return f"{cased(draw, 'if')}({condition},{s}{draw(inner)}, {draw(inner)})"
    args = draw(st.lists(inner, min_size=2, max_size=3))
    return f"{cased(draw, 'coalesce')}({', '.join(args)})"


@st.composite
def boolean_text(draw: st.DrawFn, depth: int = 0, exact: bool = False) -> str:
    """Text for a condition drawn from the grammar; ``exact`` as for number_text."""
    s = draw(spaces)
    branch = draw(st.integers(0, 0 if depth >= (EXACT_DEPTH if exact else MAX_DEPTH) else 6))
    if branch == 0:
        operator = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        left = draw(number_text(depth + 1, exact))
        return f"{left}{s}{operator}{s}{draw(number_text(depth + 1, exact))}"
    inner = boolean_text(depth + 1, exact)
    if branch == 1:
        word = draw(st.sampled_from([" and ", " AND ", "&&", " or ", " Or ", "||"]))
        left, right = draw(inner), draw(inner)
        if draw(st.booleans()):
            left = f"({left})"
        if draw(st.booleans()):
            right = f"({right})"
        return f"{left}{word}{right}"
    if branch == 2:
        return f"{draw(st.sampled_from(['not ', 'NOT ', '!', '! ']))}{draw(inner)}"
    if branch == 3:
        return f"({s}{draw(inner)})"
    if branch == 4:
        # Conditions compared with each other need brackets: comparisons do not chain.
        operator = draw(st.sampled_from(["==", "!="]))
        return f"({draw(inner)}){s}{operator}{s}({draw(inner)})"
    if branch == 5:
        return f"if({draw(inner)}, {draw(inner)}, {draw(inner)})"
    return f"coalesce({draw(inner)},{s}{draw(inner)})"


formula_text = st.one_of(number_text(), boolean_text())
exact_formula_text = st.one_of(number_text(exact=True), boolean_text(exact=True))
