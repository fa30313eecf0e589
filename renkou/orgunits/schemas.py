from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class OrgUnitQuery(Schema):
    under: str | None = Field(
        None, pattern=r"^\d{2,12}$", description="只列出该单位及其下级（默认：本人所属单位）"
    )
    q: str | None = Field(None, max_length=30, description="名称包含")
    level: int | None = Field(None, ge=1, le=5, description="1省 2市 3县 4乡镇 5村")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(100, ge=1, le=1000)


class OrgUnitOut(Schema):
    code: str
    name: str
    level: int
    level_name: str
    parent_code: str | None
    region_class: str | None
    closed_on: dt.date | None
    successor_code: str | None


class OrgUnitDetailOut(OrgUnitOut):
    path: list[str]
    child_count: int
    counts_by_level: dict[str, int]


class OrgUnitPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[OrgUnitOut]
