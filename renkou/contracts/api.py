"""JSON API of the contracts app, scoped like the pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["contracts"])
