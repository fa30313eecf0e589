from __future__ import annotations


def register() -> None:
    """Navigation entries, job kinds and demo seed steps of this half of the app."""
