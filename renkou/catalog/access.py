"""Who may read and change the catalogue.

The catalogue holds definitions, not figures about any unit, so it is not
scoped by org unit: every business role may read it (and needs to, to fill in
a form); only the county assessor may change it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from renkou.accounts.access import Cap, require
from renkou.catalog.models import DataElement, DataSet, Indicator, ValidationRule

if TYPE_CHECKING:
    from renkou.accounts.models import User

NOT_FOUND = "没有找到该指标目录项。"


def require_catalog(user: User, *, write: bool = False) -> None:
    require(user, Cap.MANAGE_CATALOG if write else Cap.VIEW_BUSINESS)


def get_element_for_user(user: User, code: str, *, write: bool = False) -> DataElement:
    require_catalog(user, write=write)
    element = DataElement.objects.select_related("source_data_set").filter(code=code).first()
    if element is None:
        raise Http404(NOT_FOUND)
    return element


def get_indicator_for_user(user: User, code: str, *, write: bool = False) -> Indicator:
    require_catalog(user, write=write)
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise Http404(NOT_FOUND)
    return indicator


def get_data_set_for_user(user: User, code: str, *, write: bool = False) -> DataSet:
    require_catalog(user, write=write)
    data_set = DataSet.objects.filter(code=code).first()
    if data_set is None:
        raise Http404(NOT_FOUND)
    return data_set


def get_rule_for_user(
    user: User, data_set: DataSet, code: str, *, write: bool = False
) -> ValidationRule:
    require_catalog(user, write=write)
    rule = ValidationRule.objects.filter(data_set=data_set, code=code).first()
    if rule is None:
        raise Http404(NOT_FOUND)
    return rule
