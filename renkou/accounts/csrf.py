from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's own page is an English technical note; ours says what to do."""
    return render(request, "403_csrf.html", status=403)
