"""Input checks shared by the demography kernel.

Every check raises :class:`DemographyError` whose message starts with the name
of the offending argument, so a command line or a form can point at it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Upper bounds of what real populations show. Values above them are almost
# always unit or column mix-ups (per-thousand rates given as per-person, deaths
# and population swapped) rather than demography.
MAX_DEATH_RATE = 4.0
MAX_ASFR = 0.5
MIN_FERTILE_AGE = 10
MAX_FERTILE_AGE = 54
SRB_RANGE = (80.0, 150.0)


class DemographyError(ValueError):
    """Bad input to the demography kernel; the message names the argument."""


def _describe(values: object) -> str:
    text = repr(values)
    return text if len(text) <= 60 else text[:57] + "..."


def as_float_array(name: str, values: ArrayLike, *, ndim: int | None = 1) -> FloatArray:
    """``values`` as a float array, refusing text, NaN and infinity."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise DemographyError(f"{name}: expected numbers, got {_describe(values)}") from None
    if ndim is not None and array.ndim != ndim:
        shape = "a list of numbers" if ndim == 1 else f"a {ndim}-dimensional array"
        raise DemographyError(f"{name}: expected {shape}, got shape {array.shape}")
    if array.size and not np.all(np.isfinite(array)):
        raise DemographyError(f"{name}: contains a missing or infinite value")
    return array


def non_negative(name: str, values: ArrayLike, *, ndim: int | None = 1) -> FloatArray:
    array = as_float_array(name, values, ndim=ndim)
    if array.size and np.any(array < 0):
        index = tuple(int(i) for i in np.argwhere(array < 0)[0])
        where = index[0] if len(index) == 1 else index
        raise DemographyError(f"{name}: must not be negative (position {where})")
    return array


def check_length(name: str, array: FloatArray, expected: int, axis: int = -1) -> None:
    actual = array.shape[axis]
    if actual != expected:
        raise DemographyError(f"{name}: has {actual} values but there are {expected} age groups")


def check_ages(ages: Sequence[float] | ArrayLike, *, name: str = "ages") -> IntArray:
    """Lower bounds of the age groups: whole years, from 0, strictly ascending."""
    array = as_float_array(name, ages)
    if array.size < 2:
        raise DemographyError(f"{name}: need at least two age groups (the last one is open)")
    if np.any(array != np.round(array)):
        raise DemographyError(f"{name}: must be whole years")
    if array[0] != 0:
        raise DemographyError(f"{name}: must start at 0, got {array[0]:g}")
    steps = np.diff(array)
    if np.any(steps <= 0):
        position = int(np.argmax(steps <= 0)) + 1
        raise DemographyError(
            f"{name}: must be strictly ascending (position {position}: "
            f"{array[position - 1]:g} then {array[position]:g})"
        )
    return array.astype(np.int64)


def check_uniform_ages(ages: IntArray, step: int, *, name: str = "ages") -> None:
    widths = np.diff(ages)
    if np.any(widths != step):
        position = int(np.argmax(widths != step))
        raise DemographyError(
            f"{name}: a {step}-year projection needs {step}-year age groups, but the group "
            f"starting at {ages[position]} is {widths[position]} years wide"
        )


def check_asfr(name: str, asfr: FloatArray, ages: IntArray) -> None:
    # Rates may come one row per unit; judge each age by its highest rate.
    highest = asfr.reshape(-1, asfr.shape[-1]).max(axis=0) if asfr.size else asfr
    if np.any(highest > MAX_ASFR):
        position = int(np.argmax(highest > MAX_ASFR))
        raise DemographyError(
            f"{name}: {float(highest[position]):g} births per woman per year at age "
            f"{ages[position]} is implausible (above {MAX_ASFR}); give rates per woman, "
            "not per 1000"
        )
    outside = (ages < MIN_FERTILE_AGE) | (ages > MAX_FERTILE_AGE)
    bad = outside & (highest > 0)
    if np.any(bad):
        age = int(ages[int(np.argmax(bad))])
        raise DemographyError(
            f"{name}: births to women aged {age} are implausible; fertility must be 0 outside "
            f"ages {MIN_FERTILE_AGE}-{MAX_FERTILE_AGE}"
        )


def check_srb(name: str, srb: FloatArray) -> None:
    low, high = SRB_RANGE
    if np.any((srb < low) | (srb > high)):
        value = float(srb[(srb < low) | (srb > high)].flat[0])
        raise DemographyError(
            f"{name}: {value:g} is not a plausible sex ratio at birth; give males per 100 "
            f"females, between {low:g} and {high:g}"
        )


def check_positive_scalar(name: str, value: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DemographyError(f"{name}: expected a number, got {_describe(value)}") from None
    if not math.isfinite(number) or number <= 0:
        raise DemographyError(f"{name}: must be a positive number, got {_describe(value)}")
    return number


def check_choice(name: str, value: object, choices: Sequence[Any]) -> None:
    if value not in choices:
        options = ", ".join(repr(choice) for choice in choices)
        raise DemographyError(f"{name}: must be one of {options}, got {_describe(value)}")


def check_count(name: str, value: object) -> int:
    """A whole, non-negative count (births, boys, girls)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise DemographyError(f"{name}: expected a whole number, got {_describe(value)}")
    number = float(value)
    if not math.isfinite(number) or number < 0 or number != round(number):
        raise DemographyError(f"{name}: must be a whole number ≥ 0, got {_describe(value)}")
    return int(number)


def frozen(array: NDArray[Any]) -> NDArray[Any]:
    """A read-only view, so results in frozen dataclasses cannot be changed in place."""
    view = array.view()
    view.setflags(write=False)
    return view


def json_number(value: float) -> float | None:
    """JSON has no infinity or NaN; they become null."""
    number = float(value)
    return number if math.isfinite(number) else None


def json_list(array: NDArray[Any]) -> list[Any]:
    if array.ndim > 1:
        return [json_list(row) for row in array]
    if array.dtype.kind in "iub":
        return [int(x) for x in array.tolist()]
    return [json_number(x) for x in array.tolist()]
