"""Small helpers shared by the supervision views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect

from renkou.supervision.access import SupervisionError


def refused(request: HttpRequest, error: SupervisionError, to: str, *args: Any) -> HttpResponse:
    """An action said no: show its reason on the page the user came from."""
    messages.error(request, error.message)
    return redirect(to, *args)


def done(request: HttpRequest, text: str, to: str, *args: Any) -> HttpResponseRedirect:
    messages.success(request, text)
    return redirect(to, *args)


def form_errors(form: Any) -> str:
    """All of a form's errors as one line, for a message after a redirect."""
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            parts.append(f"{label}：{error}" if label else str(error))
    return "；".join(parts)
