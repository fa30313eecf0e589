"""The JSON the phone inspection page sends when it syncs a draft.

Input is validated here; output is built explicitly in the view (never a dump
of a model).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from renkou.supervision.actions import InspectionDraft, Location, ResultDraft

__all__ = ["DraftIn", "ValidationError", "to_draft"]

MICRO = Decimal("0.000001")


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    item: int = Field(ge=1)
    occurrences: int = Field(default=0, ge=0, le=999)
    failed: bool = False
    note: str = Field(default="", max_length=2000)
    rectify: bool = True
    photos: list[uuid.UUID] | None = Field(default=None, max_length=30)


class LocationIn(BaseModel):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    accuracy: float | None = Field(default=None, ge=0, le=1_000_000)
    at: dt.datetime | None = None


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    revision: int = Field(default=0, ge=0)
    representative: str = Field(default="", max_length=50)
    remarks: str = Field(default="", max_length=4000)
    location: LocationIn | None = None
    results: list[ResultIn] = Field(default_factory=list, max_length=500)
    submit: bool = False


def to_draft(payload: DraftIn) -> InspectionDraft:
    location = None
    if payload.location is not None:
        at = payload.location.at
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        location = Location(
            # Six places, as stored, so re-sending the same position is no change.
            latitude=Decimal(str(payload.location.latitude)).quantize(MICRO),
            longitude=Decimal(str(payload.location.longitude)).quantize(MICRO),
            accuracy_m=(
                round(payload.location.accuracy) if payload.location.accuracy is not None else None
            ),
            at=at,
        )
    return InspectionDraft(
        representative=payload.representative,
        remarks=payload.remarks,
        location=location,
        results=tuple(
            ResultDraft(
                item_id=r.item,
                occurrences=r.occurrences,
                failed=r.failed,
                note=r.note,
                rectify=r.rectify,
                photos=tuple(r.photos) if r.photos is not None else None,
            )
            for r in payload.results
        ),
    )
