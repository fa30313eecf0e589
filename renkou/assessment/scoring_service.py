"""Scoring a run's stored inputs with renkou.scoring and storing the results."""

from __future__ import annotations

from renkou.assessment.models import Run


def rescore(run: Run) -> None:
    """Score the run again: ``inputs`` = ``raw_inputs`` with the run's approved
    adjustments applied; both raw and adjusted results are stored per unit; the
    run's revision goes up by one. Explanations of adjusted items cite the adjustment."""
    raise NotImplementedError
