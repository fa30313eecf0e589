"""Splits formula text into tokens, reporting the first character it cannot use."""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from renkou.formula.errors import FormulaError
from renkou.formula.nodes import Modifier, Ref

__all__ = ["Token", "TokenKind", "is_valid_code", "tokenize"]


class TokenKind(enum.Enum):
    NUMBER = "number"
    OPERAND = "operand"
    NAME = "name"
    OPERATOR = "operator"
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    END = "end"


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    position: int
    number: Decimal | None = None
    ref: Ref | None = None


# Spelling alternatives map to one canonical operator so the parser and the
# renderer only ever see and, or, not.
_TWO_CHAR_OPERATORS = {
    "<=": "<=",
    ">=": ">=",
    "==": "==",
    "!=": "!=",
    "&&": "and",
    "||": "or",
}
_ONE_CHAR_OPERATORS = {"+": "+", "-": "-", "*": "*", "/": "/", "<": "<", ">": ">", "!": "not"}
_WORD_OPERATORS = frozenset({"and", "or", "not"})
_MODIFIERS = {m.value: m for m in Modifier if m is not Modifier.CURRENT}

# Characters a Chinese keyboard produces in place of the ASCII ones; each maps
# to exactly one character so error positions still point into the original.
_EXTRA_FOLDS = {"×": "*", "÷": "/", "（": "(", "）": ")", "，": ","}


def _fold(text: str) -> str:
    folded = []
    for char in text:
        if char.isascii():
            folded.append(char)
            continue
        normal = _EXTRA_FOLDS.get(char) or unicodedata.normalize("NFKC", char)
        folded.append(normal if len(normal) == 1 and normal.isascii() else char)
    return "".join(folded)


def _is_code_char(char: str) -> bool:
    return char.isalnum() or char in "_.-"


def is_valid_code(code: str) -> bool:
    """Whether ``code`` can be written as ``#{code}``: letters, digits, ``_ . -``.

    The catalogue uses this to refuse element codes no formula could name.
    """
    return bool(code) and all(_is_code_char(char) for char in code)


def _is_name_start(char: str) -> bool:
    return char.isascii() and (char.isalpha() or char == "_")


def _is_name_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9"


class _Lexer:
    def __init__(self, text: str) -> None:
        self.source = text
        self.text = _fold(text)
        self.pos = 0

    def char(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def tokens(self) -> list[Token]:
        found: list[Token] = []
        while True:
            while self.char() and self.char().isspace():
                self.pos += 1
            if not self.char():
                found.append(Token(TokenKind.END, "", self.pos))
                return found
            found.append(self.token())

    def token(self) -> Token:
        start = self.pos
        char = self.char()
        if char == "#":
            return self.operand()
        if _is_digit(char) or (char == "." and _is_digit(self.char(1))):
            return self.number()
        if _is_name_start(char):
            while _is_name_char(self.char()):
                self.pos += 1
            word = self.text[start : self.pos].lower()
            kind = TokenKind.OPERATOR if word in _WORD_OPERATORS else TokenKind.NAME
            return Token(kind, word, start)
        pair = self.text[start : start + 2]
        if pair in _TWO_CHAR_OPERATORS:
            self.pos += 2
            return Token(TokenKind.OPERATOR, _TWO_CHAR_OPERATORS[pair], start)
        if char in _ONE_CHAR_OPERATORS:
            self.pos += 1
            return Token(TokenKind.OPERATOR, _ONE_CHAR_OPERATORS[char], start)
        for kind in (TokenKind.LPAREN, TokenKind.RPAREN, TokenKind.COMMA):
            if char == kind.value:
                self.pos += 1
                return Token(kind, char, start)
        raise self.unknown_character(start)

    def unknown_character(self, start: int) -> FormulaError:
        char = self.source[start]
        if char == "=":
            return FormulaError(
                start, "单个 = 不是运算符，判断相等请用 ==", "a single = is not an operator; use =="
            )
        if char in "&|":
            word = "and" if char == "&" else "or"
            return FormulaError(
                start,
                f"单个 {char} 不是运算符，请用 {char * 2} 或 {word}",
                f"a single {char} is not an operator; use {char * 2} or {word}",
            )
        if char.isalpha():
            return FormulaError(
                start,
                f"无法识别的字符 '{char}'：数据元要写成 #{{代码}} 的形式",
                f"unexpected character '{char}': write data elements as #{{code}}",
            )
        return FormulaError(start, f"无法识别的字符 '{char}'", f"unexpected character '{char}'")

    def number(self) -> Token:
        start = self.pos
        while _is_digit(self.char()):
            self.pos += 1
        if self.char() == ".":
            self.pos += 1
            while _is_digit(self.char()):
                self.pos += 1
        text = self.text[start : self.pos]
        return Token(TokenKind.NUMBER, text, start, number=Decimal(text))

    def operand(self) -> Token:
        start = self.pos
        if self.char(1) != "{":
            raise FormulaError(
                start,
                "# 后面应紧跟 {，数据元要写成 #{代码} 的形式",
                "# must be followed by {; write data elements as #{code}",
            )
        self.pos += 2
        while self.char().isspace():
            self.pos += 1
        code_start = self.pos
        while self.char() and _is_code_char(self.char()):
            self.pos += 1
        code = self.text[code_start : self.pos]
        while self.char().isspace():
            self.pos += 1
        if self.char() != "}":
            raise self.bad_operand_character(code)
        if not code:
            raise FormulaError(self.pos, "数据元代码为空", "the data element code is empty")
        self.pos += 1
        modifier = self.modifier()
        return Token(
            TokenKind.OPERAND,
            self.source[start : self.pos],
            start,
            ref=Ref(code, modifier),
        )

    def bad_operand_character(self, code: str) -> FormulaError:
        char = self.char()
        if not char:
            return FormulaError(
                self.pos, "数据元缺少右花括号 }", "the data element is missing its closing }"
            )
        if code and _is_code_char(char):
            return FormulaError(
                self.pos, "数据元代码中不能有空格", "a data element code cannot contain spaces"
            )
        shown = self.source[self.pos]
        return FormulaError(
            self.pos,
            f"数据元代码中不能有字符 '{shown}'（是否漏了右花括号 }}？）",
            f"a data element code cannot contain '{shown}' (is the closing }} missing?)",
        )

    def modifier(self) -> Modifier:
        if self.char() != ".":
            return Modifier.CURRENT
        dot = self.pos
        self.pos += 1
        while _is_name_char(self.char()):
            self.pos += 1
        word = self.text[dot + 1 : self.pos].lower()
        found = _MODIFIERS.get(word)
        if found is None:
            shown = self.source[dot : self.pos] if word else "."
            raise FormulaError(
                dot,
                f"未知的修饰符 '{shown}'：只能用 .previous（上一期）或 .ytd（年初至今）",
                f"unknown modifier '{shown}': use .previous (previous period) or "
                f".ytd (year to date)",
            )
        return found


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an END token; raises FormulaError."""
    return _Lexer(text).tokens()
