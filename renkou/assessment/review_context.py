"""Context the run and unit result pages show about adjustments, appeals,
release and publication (the review half of the app fills these in)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from renkou.assessment.models import Run, RunUnit


def run_panel(request: HttpRequest, run: Run) -> dict[str, Any]:
    """Extra context for ``assessment/review/_run_panel.html`` on the run page."""
    return {}


def unit_panel(request: HttpRequest, run_unit: RunUnit) -> dict[str, Any]:
    """Extra context for ``assessment/review/_unit_panel.html`` on a unit's result page."""
    return {}
