"""JSON API of the assessment app, scoped like the pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["assessment"])
