"""Recursive-descent parser from tokens to a typed syntax tree.

Grammar, loosest binding first::

    formula        := or
    or             := and (("or" | "||") and)*
    and            := not (("and" | "&&") not)*
    not            := ("not" | "!") not | comparison
    comparison     := additive (("<" | "<=" | ">" | ">=" | "==" | "!=") additive)?
    additive       := multiplicative (("+" | "-") multiplicative)*
    multiplicative := unary (("*" | "/") unary)*
    unary          := ("-" | "+") unary | primary
    primary        := number | operand | name "(" [or ("," or)*] ")" | "(" or ")"

Types are checked while parsing (numbers for arithmetic, conditions for
logic), so a formula that parses can always be evaluated without a type error.
"""

from __future__ import annotations

from collections.abc import Callable

from renkou.formula.errors import FormulaError
from renkou.formula.lexer import Token, TokenKind, tokenize
from renkou.formula.nodes import (
    Additive,
    And,
    Call,
    Comparison,
    Multiplicative,
    Negate,
    Node,
    Not,
    Number,
    Operand,
    Or,
    ValueType,
)

__all__ = ["COMPARISON_OPERATORS", "FUNCTIONS", "MAX_LENGTH", "MAX_NESTING", "parse_tree"]

# Real indicator formulas are a few hundred characters and nest a handful of
# levels; these limits stop hostile or broken input long before Python's own
# recursion limit, whose error would tell a user nothing.
MAX_LENGTH = 20_000
MAX_NESTING = 32

COMPARISON_OPERATORS = ("<", "<=", ">", ">=", "==", "!=")
_ORDERING_OPERATORS = frozenset({"<", "<=", ">", ">="})

# name -> (minimum arguments, maximum arguments or None for any)
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "sum": (1, None),
    "min": (1, None),
    "max": (1, None),
    "abs": (1, 1),
    "if": (3, 3),
    "coalesce": (2, None),
}


def _type_error(node: Node, expected: ValueType) -> FormulaError:
    if expected is ValueType.NUMBER:
        return FormulaError(
            node.position,
            "此处应为数值，却是条件（比较或逻辑运算的结果）",
            "expected a number here, found a condition (the result of a comparison or logic)",
        )
    return FormulaError(
        node.position,
        "此处应为条件（比较或逻辑运算），却是数值",
        "expected a condition (a comparison or logical expression) here, found a number",
    )


def _expect_type(node: Node, expected: ValueType) -> None:
    if node.type is not expected:
        raise _type_error(node, expected)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    # -- token helpers -----------------------------------------------------

    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not TokenKind.END:
            self.index += 1
        return token

    def at_operator(self, *texts: str) -> bool:
        token = self.peek()
        return token.kind is TokenKind.OPERATOR and token.text in texts

    def nested(self, position: int, parse: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise FormulaError(
                position,
                f"嵌套层数超过 {MAX_NESTING} 层，请简化公式",
                f"nested more than {MAX_NESTING} levels deep; simplify the formula",
            )
        try:
            return parse()
        finally:
            self.depth -= 1

    # -- grammar -----------------------------------------------------------

    def formula(self) -> Node:
        node = self.logical_or()
        token = self.peek()
        if token.kind is TokenKind.END:
            return node
        if token.kind is TokenKind.RPAREN:
            raise FormulaError(token.position, "多余的右括号", "unmatched closing parenthesis")
        if token.kind is TokenKind.COMMA:
            raise FormulaError(
                token.position,
                "逗号只能用在函数的参数之间",
                "a comma can only separate function arguments",
            )
        if token.kind is TokenKind.OPERATOR and token.text in COMPARISON_OPERATORS:
            raise self.chained_comparison(token)
        raise FormulaError(token.position, "缺少运算符", "missing an operator")

    def logical_or(self) -> Node:
        first = self.logical_and()
        if not self.at_operator("or"):
            return first
        operands = [first]
        while self.at_operator("or"):
            self.advance()
            operands.append(self.logical_and())
        for operand in operands:
            _expect_type(operand, ValueType.BOOLEAN)
        # (a or b) or c is the same chain as a or b or c; flattening keeps
        # render() and parse() exact inverses.
        if isinstance(first, Or):
            operands = [*first.operands, *operands[1:]]
        return Or(tuple(operands), position=first.position)

    def logical_and(self) -> Node:
        first = self.logical_not()
        if not self.at_operator("and"):
            return first
        operands = [first]
        while self.at_operator("and"):
            self.advance()
            operands.append(self.logical_not())
        for operand in operands:
            _expect_type(operand, ValueType.BOOLEAN)
        if isinstance(first, And):
            operands = [*first.operands, *operands[1:]]
        return And(tuple(operands), position=first.position)

    def logical_not(self) -> Node:
        if not self.at_operator("not"):
            return self.comparison()
        token = self.advance()

        def operand() -> Node:
            inner = self.logical_not()
            _expect_type(inner, ValueType.BOOLEAN)
            return Not(inner, position=token.position)

        return self.nested(token.position, operand)

    def comparison(self) -> Node:
        left = self.additive()
        if not self.at_operator(*COMPARISON_OPERATORS):
            return left
        token = self.advance()
        right = self.additive()
        if token.text in _ORDERING_OPERATORS:
            _expect_type(left, ValueType.NUMBER)
            _expect_type(right, ValueType.NUMBER)
        elif right.type is not left.type:
            raise _type_error(right, left.type)
        if self.at_operator(*COMPARISON_OPERATORS):
            raise self.chained_comparison(self.peek())
        return Comparison(left, token.text, right, position=left.position)

    def chained_comparison(self, token: Token) -> FormulaError:
        return FormulaError(
            token.position,
            "比较运算不能连写，请用 and 连接，例如 #{a} <= #{b} and #{b} <= #{c}",
            "comparisons cannot be chained; join them with and, e.g. #{a} <= #{b} and #{b} <= #{c}",
        )

    def additive(self) -> Node:
        first = self.multiplicative()
        rest: list[tuple[str, Node]] = []
        while self.at_operator("+", "-"):
            operator = self.advance().text
            rest.append((operator, self.multiplicative()))
        if not rest:
            return first
        _expect_type(first, ValueType.NUMBER)
        for _, operand in rest:
            _expect_type(operand, ValueType.NUMBER)
        if isinstance(first, Additive):
            return Additive(first.first, (*first.rest, *rest), position=first.position)
        return Additive(first, tuple(rest), position=first.position)

    def multiplicative(self) -> Node:
        first = self.unary()
        rest: list[tuple[str, Node]] = []
        while self.at_operator("*", "/"):
            operator = self.advance().text
            rest.append((operator, self.unary()))
        if not rest:
            return first
        _expect_type(first, ValueType.NUMBER)
        for _, operand in rest:
            _expect_type(operand, ValueType.NUMBER)
        if isinstance(first, Multiplicative):
            return Multiplicative(first.first, (*first.rest, *rest), position=first.position)
        return Multiplicative(first, tuple(rest), position=first.position)

    def unary(self) -> Node:
        if not self.at_operator("-", "+"):
            return self.primary()
        token = self.advance()

        def operand() -> Node:
            inner = self.unary()
            _expect_type(inner, ValueType.NUMBER)
            # Unary plus changes nothing, so it leaves no trace in the tree.
            return inner if token.text == "+" else Negate(inner, position=token.position)

        return self.nested(token.position, operand)

    def primary(self) -> Node:
        token = self.peek()
        if token.kind is TokenKind.NUMBER:
            self.advance()
            assert token.number is not None
            return Number(token.number, position=token.position)
        if token.kind is TokenKind.OPERAND:
            self.advance()
            assert token.ref is not None
            return Operand(token.ref, position=token.position)
        if token.kind is TokenKind.LPAREN:
            self.advance()
            return self.nested(token.position, lambda: self.parenthesised(token))
        if token.kind is TokenKind.NAME:
            return self.call()
        raise self.missing_operand(token)

    def parenthesised(self, opening: Token) -> Node:
        inner = self.logical_or()
        if self.peek().kind is not TokenKind.RPAREN:
            raise self.missing_closing(self.peek(), opening)
        self.advance()
        return inner

    def missing_closing(self, token: Token, opening: Token) -> FormulaError:
        if token.kind is TokenKind.END:
            return FormulaError(
                token.position,
                f"缺少右括号（与第{opening.position + 1}个字符处的左括号配对）",
                f"missing closing parenthesis for the one at character {opening.position + 1}",
            )
        if token.kind is TokenKind.COMMA:
            return FormulaError(
                token.position,
                "逗号只能用在函数的参数之间",
                "a comma can only separate function arguments",
            )
        if token.kind is TokenKind.OPERATOR and token.text in COMPARISON_OPERATORS:
            return self.chained_comparison(token)
        return FormulaError(
            token.position,
            "缺少运算符或右括号",
            "missing an operator or a closing parenthesis",
        )

    def missing_operand(self, token: Token) -> FormulaError:
        if token.kind is TokenKind.END:
            return FormulaError(
                token.position,
                "公式不完整，末尾缺少数值或数据元",
                "the formula is incomplete: a number or data element is missing at the end",
            )
        if token.kind is TokenKind.OPERATOR:
            if token.text == "not":
                return FormulaError(
                    token.position,
                    "此处不能直接用 not，请给 not 及其条件加上括号",
                    "not cannot be used here; put it and its condition in parentheses",
                )
            return FormulaError(
                token.position,
                f"运算符 {token.text} 前面缺少数值或数据元",
                f"a number or data element is missing before the operator {token.text}",
            )
        return FormulaError(
            token.position,
            "此处缺少数值或数据元",
            "a number or data element is missing here",
        )

    def call(self) -> Node:
        token = self.advance()
        name = token.text
        if name not in FUNCTIONS and self.peek().kind is not TokenKind.LPAREN:
            raise FormulaError(
                token.position,
                f"未知的名称 '{name}'：数据元要写成 #{{{name}}}",
                f"unknown name '{name}': write data elements as #{{{name}}}",
            )
        if name not in FUNCTIONS:
            known = "、".join(FUNCTIONS)
            raise FormulaError(
                token.position,
                f"未知的函数 '{name}'（可用：{known}）；数据元要写成 #{{代码}}",
                f"unknown function '{name}' (known: {', '.join(FUNCTIONS)}); "
                f"write data elements as #{{code}}",
            )
        if self.peek().kind is not TokenKind.LPAREN:
            raise FormulaError(
                self.peek().position,
                f"函数 {name} 后面应为左括号",
                f"the function {name} must be followed by an opening parenthesis",
            )
        opening = self.advance()
        return self.nested(opening.position, lambda: self.arguments(token, opening))

    def arguments(self, function: Token, opening: Token) -> Node:
        name = function.text
        args: list[Node] = []
        if self.peek().kind is TokenKind.RPAREN:
            self.advance()
        else:
            while True:
                args.append(self.logical_or())
                token = self.peek()
                if token.kind is TokenKind.COMMA:
                    self.advance()
                    continue
                if token.kind is TokenKind.RPAREN:
                    self.advance()
                    break
                if token.kind is TokenKind.END:
                    raise FormulaError(
                        token.position,
                        f"函数 {name} 缺少右括号（与第{opening.position + 1}个字符处的左括号配对）",
                        f"the function {name} is missing the closing parenthesis for the one "
                        f"at character {opening.position + 1}",
                    )
                if token.kind is TokenKind.OPERATOR and token.text in COMPARISON_OPERATORS:
                    raise self.chained_comparison(token)
                raise FormulaError(
                    token.position,
                    "函数的参数之间应为逗号",
                    "function arguments must be separated by commas",
                )
        return self.checked_call(function, tuple(args))

    def checked_call(self, function: Token, args: tuple[Node, ...]) -> Node:
        name = function.text
        least, most = FUNCTIONS[name]
        if len(args) < least or (most is not None and len(args) > most):
            if most == least:
                wanted_zh, wanted_en = f"{least}个", f"{least}"
            else:
                wanted_zh, wanted_en = f"至少{least}个", f"at least {least}"
            raise FormulaError(
                function.position,
                f"函数 {name} 需要{wanted_zh}参数，实际有{len(args)}个",
                f"the function {name} takes {wanted_en} argument(s), got {len(args)}",
            )
        if name == "if":
            condition, when_true, when_false = args
            _expect_type(condition, ValueType.BOOLEAN)
            if when_false.type is not when_true.type:
                raise _type_error(when_false, when_true.type)
            value_type = when_true.type
        elif name == "coalesce":
            value_type = args[0].type
            for arg in args[1:]:
                if arg.type is not value_type:
                    raise _type_error(arg, value_type)
        else:
            for arg in args:
                _expect_type(arg, ValueType.NUMBER)
            value_type = ValueType.NUMBER
        return Call(name, args, value_type, position=function.position)


def parse_tree(text: str) -> Node:
    """The syntax tree for ``text``; raises FormulaError on any problem."""
    if not isinstance(text, str):
        raise FormulaError(
            0,
            f"公式应为文本，而不是 {type(text).__name__}",
            f"a formula must be text, not {type(text).__name__}",
            located=False,
        )
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            MAX_LENGTH,
            f"公式过长（{len(text)} 个字符，最多 {MAX_LENGTH} 个）",
            f"the formula is too long ({len(text)} characters, at most {MAX_LENGTH})",
            located=False,
        )
    tokens = tokenize(text)
    if tokens[0].kind is TokenKind.END:
        raise FormulaError(0, "公式为空", "the formula is empty", located=False)
    return _Parser(tokens).formula()
