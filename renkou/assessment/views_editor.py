"""Editing a scheme in a form: settings, items, classes, vetoes and grades as rows.

The posted rows are turned back into the kernel's mapping and checked by
``load_scheme``; each problem it reports (``items[2].rule.target``) is shown
next to the field it concerns. Rarely used parts (parts, bonuses, ceilings,
per-class grades) are edited as YAML in one box, checked the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from renkou.assessment import actions
from renkou.assessment.access import AssessmentError, get_scheme_for_user
from renkou.assessment.models import Scheme
from renkou.assessment.schemes_io import plain, read_json, read_yaml
from renkou.http import acting_user
from renkou.scoring import RULE_TYPES, SchemeError

SECTIONS: dict[str, tuple[str, ...]] = {
    "items": ("code", "name", "points", "value", "rule_type", "params", "more"),
    "classes": ("code", "name"),
    "vetoes": ("code", "name", "when"),
    "grades": ("name", "min"),
}
EXTRA_ROWS = 2
ADVANCED_KEYS = ("parts", "bonuses", "ceilings", "grades_by_class", "note")
SETTINGS = ("code", "name", "precision", "points", "veto_grade")
_PATH = re.compile(r"^(items|classes|vetoes|grades)\[(\d+)\](?:\.([A-Za-z_]+))?(.*)$")


@dataclass
class Row:
    index: int
    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Editor:
    settings: dict[str, str]
    flags: dict[str, bool]
    sections: dict[str, list[Row]]
    advanced: str
    errors: dict[str, list[str]] = field(default_factory=dict)  # settings/advanced/general

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping | list):
        return json.dumps(plain(value), ensure_ascii=False)
    return str(plain(value))


def editor_from(data: Mapping[str, Any]) -> Editor:
    sections: dict[str, list[Row]] = {}
    for section, columns in SECTIONS.items():
        rows = []
        for index, entry in enumerate(data.get(section) or []):
            values = dict.fromkeys(columns, "")
            entry = dict(entry)
            if section == "items":
                rule = dict(entry.pop("rule", {}) or {})
                values["rule_type"] = str(rule.pop("type", ""))
                values["params"] = _text(rule) if rule else ""
                more = {k: v for k, v in entry.items() if k not in columns}
                values["more"] = _text(more) if more else ""
            for column in columns:
                if column in entry:
                    values[column] = _text(entry[column])
            rows.append(Row(index, values))
        for _extra in range(EXTRA_ROWS):
            rows.append(Row(len(rows), dict.fromkeys(columns, "")))
        sections[section] = rows
    advanced = {key: data[key] for key in ADVANCED_KEYS if key in data}
    return Editor(
        settings={key: _text(data.get(key)) for key in SETTINGS},
        flags={
            "rescale_skipped": bool(data.get("rescale_skipped")),
            "within_class": bool((data.get("ranking") or {}).get("within_class")),
        },
        sections=sections,
        advanced=yaml.safe_dump(plain(advanced), allow_unicode=True, sort_keys=False)
        if advanced
        else "",
    )


def _number(text: str) -> Any:
    try:
        number = float(text)
    except ValueError:
        return text  # the kernel says it is not a number, next to the field
    return int(number) if number.is_integer() else number


def _json(text: str, row: Row, column: str) -> dict[str, Any] | None:
    try:
        parsed = read_json(text)
    except ValueError:
        row.errors.setdefault(column, []).append(_('不是有效的JSON，例如 {"target": 100}'))
        return None
    if not isinstance(parsed, dict):
        row.errors.setdefault(column, []).append(_("应是一个JSON对象 {…}"))
        return None
    return dict(plain(parsed))


def _row_count(raw: str) -> int:
    """How many rows the form says it posted (at most 500; junk counts as none)."""
    try:
        return max(0, min(int(raw or 0), 500))
    except ValueError:
        return 0


def editor_post(post: QueryDict) -> tuple[Editor, dict[str, Any], dict[str, dict[int, int]]]:
    """The editor as posted, the scheme mapping built from it, and for each
    section which form row each scheme entry came from."""
    settings = {key: post.get(f"s-{key}", "").strip() for key in SETTINGS}
    flags = {key: post.get(f"f-{key}") == "1" for key in ("rescale_skipped", "within_class")}
    editor = Editor(settings, flags, {}, post.get("advanced", ""))
    data: dict[str, Any] = {}
    for key in ("code", "name", "veto_grade"):
        if settings[key]:
            data[key] = settings[key]
    for key in ("precision", "points"):
        if settings[key]:
            data[key] = _number(settings[key])
    if flags["rescale_skipped"]:
        data["rescale_skipped"] = True
    if flags["within_class"]:
        data["ranking"] = {"within_class": True}
    origin: dict[str, dict[int, int]] = {}
    for section, columns in SECTIONS.items():
        count = _row_count(post.get(f"{section}-count", ""))
        rows: list[Row] = []
        entries: list[dict[str, Any]] = []
        origin[section] = {}
        for index in range(count):
            values = {c: post.get(f"{section}-{index}-{c}", "").strip() for c in columns}
            row = Row(index, values)
            rows.append(row)
            if post.get(f"{section}-{index}-delete") == "1" or not any(values.values()):
                continue
            entry: dict[str, Any] = {}
            for column in columns:
                text = values[column]
                if not text or column in ("rule_type", "params", "more"):
                    continue
                entry[column] = _number(text) if column in ("points", "min") else text
            if section == "items":
                rule: dict[str, Any] = {"type": values["rule_type"]} if values["rule_type"] else {}
                if values["params"]:
                    params = _json(values["params"], row, "params")
                    rule.update(params or {})
                if rule:
                    entry["rule"] = rule
                if values["more"]:
                    entry.update(_json(values["more"], row, "more") or {})
            origin[section][len(entries)] = index
            entries.append(entry)
        if entries:
            data[section] = entries
        editor.sections[section] = rows + [
            Row(count + extra, dict.fromkeys(columns, "")) for extra in range(EXTRA_ROWS)
        ]
    if editor.advanced.strip():
        try:
            advanced = read_yaml(editor.advanced)
        except (ValueError, yaml.YAMLError) as error:
            editor.add("advanced", _("YAML格式有误：") + " ".join(str(error).split()))
            advanced = None
        if advanced is not None and not isinstance(advanced, Mapping):
            editor.add("advanced", _("应是 parts:、bonuses:、ceilings: 等键的映射。"))
        elif advanced:
            for key, value in advanced.items():
                if key not in ADVANCED_KEYS:
                    editor.add("advanced", _("不能在此设置“%(k)s”。") % {"k": key})
                else:
                    data[str(key)] = plain(value)
    return editor, data, origin


def place_problems(
    editor: Editor, problems: list[tuple[str, str]], origin: Mapping[str, Mapping[int, int]]
) -> None:
    """Each kernel problem next to the field it concerns."""
    for path, message in problems:
        found = _PATH.match(path)
        if found is not None:
            section, number, column, rest = found.groups()
            row_index = origin.get(section, {}).get(int(number))
            if row_index is not None:
                if section == "items" and column == "rule":
                    column = "rule_type" if rest in ("", ".type") else "params"
                elif section == "items" and column not in SECTIONS["items"]:
                    column = "more"
                row = editor.sections[section][row_index]
                detail = f"{column}{rest}: " if column in ("params", "more") and rest else ""
                row.errors.setdefault(column or "code", []).append(detail + message)
                continue
        head = path.split(".")[0].split("[")[0]
        if head in SETTINGS:
            editor.add(head, message)
        elif head in ADVANCED_KEYS:
            editor.add("advanced", f"{path}: {message}")
        elif head == "ranking":
            editor.add("within_class", message)
        elif head in SECTIONS:
            editor.add(f"section-{head}", message)
        else:
            editor.add("general", f"{path}: {message}" if path else message)


def has_errors(editor: Editor) -> bool:
    return bool(editor.errors) or any(
        row.errors for rows in editor.sections.values() for row in rows
    )


@login_required
def scheme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    scheme: Scheme = get_scheme_for_user(user, pk, write=True)
    status = 200
    if request.method == "POST":
        editor, data, origin = editor_post(request.POST)
        if not has_errors(editor):
            try:
                actions.do_update_scheme(acting_user=user, scheme=scheme, data=data)
            except SchemeError as error:
                place_problems(editor, list(error.problems), origin)
            except AssessmentError as error:
                editor.add("general", error.message)
            else:
                messages.success(request, _("方案已保存为第%(v)s版。") % {"v": scheme.version})
                return redirect("assessment:scheme", pk=scheme.pk)
        status = 400
    else:
        editor = editor_from(scheme.data)
    return render(
        request,
        "assessment/scheme_edit.html",
        {
            "nav_active": "assessment",
            "scheme": scheme,
            "editor": editor,
            # A list, not the dict: a template would read sections.items as the "items" key.
            "section_rows": list(editor.sections.items()),
            "rule_types": RULE_TYPES,
            "columns": SECTIONS,
        },
        status=status,
    )
