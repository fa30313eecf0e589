"""The English catalogue: complete, faithful to its placeholders, and in use.

Chinese is the source language; renkou/locale/en/LC_MESSAGES/django.po holds the
English. Regenerate it with `renkou makemessages -l en` (see
renkou/locale/README.md), translate every new entry, and `make setup` compiles
it. These tests fail with the list of strings that still need English.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client
from django.utils.translation.template import templatize

from renkou.catalog.seed import import_default_catalog

PACKAGE = Path(settings.BASE_DIR) / "renkou"
PO_FILE = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

# Python %-placeholders, including the %% escape that blocktranslate adds.
PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACE = re.compile(r"\{[^{}]*\}")
# A str.format field, which xgettext only recognises with an ASCII name.
FIELD = re.compile(r"\{(?:[A-Za-z_]\w*(?:\.\w+|\[\w+\])*)?(?:![rsa])?(?::[^{}]*)?\}", re.ASCII)
TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
# Django's gettext keywords, as makemessages passes them to xgettext.
SINGULAR = {"_", "gettext", "gettext_lazy", "gettext_noop"}
PLURAL = {"ngettext", "ngettext_lazy"}
CONTEXT = {"pgettext", "pgettext_lazy"}
CONTEXT_PLURAL = {"npgettext", "npgettext_lazy"}


def load_catalogue() -> Catalog:
    with PO_FILE.open("rb") as handle:
        return read_po(handle)


def entries(catalogue: Catalog) -> list[Message]:
    return [m for m in catalogue if m.id]


def texts(value: object) -> list[str]:
    """A message's id or string as a list: one item, or one per plural form."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple | list):
        return [str(item or "") for item in value]
    return [""]


def msgstrs(message: Message) -> list[str]:
    return texts(message.string)


def msgids(message: Message) -> list[str]:
    return texts(message.id)


def singular(message: Message) -> str:
    return msgids(message)[0]


def test_catalogue_has_no_untranslated_or_fuzzy_strings():
    catalogue = load_catalogue()
    assert len(entries(catalogue)) > 1000
    forms = catalogue.num_plurals  # English: one and other

    def checked(message: Message) -> bool:
        strings = msgstrs(message)
        wanted = forms if message.pluralizable else 1
        return not message.fuzzy and len(strings) == wanted and all(s.strip() for s in strings)

    missing = [singular(m) for m in entries(catalogue) if not checked(m)]
    assert not missing, f"{len(missing)} strings have no checked English:\n" + "\n".join(missing)


def test_translations_keep_every_placeholder_of_their_source():
    def brace_format(text: str) -> bool:
        fields = BRACE.findall(text)
        return bool(fields) and all(FIELD.fullmatch(f) for f in fields)

    def marks(text: str, message: Message) -> list[str]:
        found = TAG.findall(text)
        if message.python_format:
            found += PERCENT.findall(text)
        if brace_format(singular(message)):
            found += BRACE.findall(text)
        return sorted(found)

    wrong = []
    for message in entries(load_catalogue()):
        sources = msgids(message)
        for index, text in enumerate(msgstrs(message)):
            source = sources[min(index, len(sources) - 1)]
            if marks(text, message) != marks(source, message):
                wrong.append(f"{source!r} -> {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


@dataclass(frozen=True)
class Use:
    where: str
    context: str | None
    msgid: str
    plural: bool


def _python_uses(path: Path) -> list[Use]:
    uses = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        literals = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
        if name in SINGULAR | PLURAL and literals and isinstance(literals[0], str):
            uses.append(Use(where, None, literals[0], name in PLURAL))
        elif (
            name in CONTEXT | CONTEXT_PLURAL
            and len(literals) > 1
            and isinstance(literals[0], str)
            and isinstance(literals[1], str)
        ):
            uses.append(Use(where, literals[0], literals[1], name in CONTEXT_PLURAL))
    return uses


def _template_uses(path: Path) -> list[Use]:
    # templatize turns a template into the Python-like text makemessages feeds
    # to xgettext, with the same msgids (blocktranslate variables as %(name)s).
    source = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    # Its layout is the template's, not Python's: drop the indentation.
    flat = "\n".join(line.lstrip() for line in source.splitlines())
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(flat).readline)
        if t.type in (tokenize.NAME, tokenize.STRING, tokenize.OP)
    ]
    uses = []
    for i, token in enumerate(tokens):
        name = token.string
        if name not in SINGULAR | PLURAL | CONTEXT | CONTEXT_PLURAL:
            continue
        literals = []
        for argument in tokens[i + 2 :]:
            if argument.string == ")":
                break
            if argument.type == tokenize.STRING:
                literals.append(ast.literal_eval(argument.string))
        where = f"{path.relative_to(PACKAGE.parent)}:{token.start[0]}"
        if name in CONTEXT | CONTEXT_PLURAL:
            uses.append(Use(where, literals[0], literals[1], name in CONTEXT_PLURAL))
        else:
            uses.append(Use(where, None, literals[0], name in PLURAL))
    return uses


def source_uses() -> list[Use]:
    uses: list[Use] = []
    for path in sorted(PACKAGE.rglob("*")):
        if "static" in path.relative_to(PACKAGE).parts or not path.is_file():
            continue
        if path.suffix == ".py":
            uses += _python_uses(path)
        elif path.suffix in (".html", ".txt"):
            uses += _template_uses(path)
    return uses


def test_every_string_marked_for_translation_is_in_the_catalogue():
    catalogue = {(m.context, singular(m)): m for m in entries(load_catalogue())}
    uses = source_uses()
    assert len(uses) > 1000
    problems = []
    for use in uses:
        message = catalogue.get((use.context, use.msgid))
        if message is None:
            problems.append(f"{use.where}: {use.msgid!r} is not in the catalogue")
        elif message.pluralizable and not use.plural:
            # gettext() then falls back to the singular English ("19 unit").
            problems.append(
                f"{use.where}: {use.msgid!r} is used without a plural but catalogued with one, "
                "so English shows the singular for any number; use blocktranslate count there"
            )
    assert not problems, (
        "run `renkou makemessages -l en` and translate, or fix the use:\n" + "\n".join(problems)
    )


@pytest.fixture
def english(personas) -> Client:
    if not MO_FILE.exists() or MO_FILE.stat().st_mtime < PO_FILE.stat().st_mtime:
        pytest.fail("the English catalogue is not compiled; run `make setup`")
    client: Client = personas.client(personas.county)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


# (page, English that must appear in its <h1>, Chinese heading that must not appear)
PAGES = [
    ("/targets/", "progress on", "年目标进度"),
    ("/contracts/", "responsibility contracts · issued by", "年度目标责任状"),
    ("/assessment/", "Assessment schemes", "考核方案"),
    ("/supervision/", "Monthly supervision", "月度督查"),
    ("/reporting/board/", "Reporting completion", "报送完成情况"),
    ("/catalog/", "Indicator catalogue", "指标目录"),
    ("/population/", "target suggestions for", "年目标测算"),
    ("/contracts/verify/", "Verify a responsibility contract", "责任书真伪核验"),
]


def heading(html: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL)
    assert found, "the page has no <h1>"
    return found.group(1)


@pytest.mark.parametrize(("url", "english_heading", "chinese_heading"), PAGES)
def test_pages_of_each_app_render_in_english(english, url, english_heading, chinese_heading):
    import_default_catalog()
    response = english.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert english_heading in heading(html)
    assert chinese_heading not in html
    assert '<html lang="en"' in html


@pytest.mark.parametrize(("url", "english_heading", "chinese_heading"), PAGES)
def test_the_same_pages_stay_chinese_by_default(personas, url, english_heading, chinese_heading):
    import_default_catalog()
    response = personas.client(personas.county).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert chinese_heading in html
    assert english_heading not in html
