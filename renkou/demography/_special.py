"""The few special functions the kernel needs, without SciPy.

* the regularized incomplete beta function ``I_x(a, b)`` by its continued
  fraction (modified Lentz; Press et al., *Numerical Recipes*, 3rd ed., §6.4),
  which gives exact binomial tails: ``P(X ≥ k | n, p) = I_p(k, n − k + 1)``;
* its inverse in ``x`` by bisection, which is slow by numerical standards but
  certain; the ``_many`` versions do the same for whole arrays of units.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

_EPSILON = 1e-15
_TINY = 1e-300
_MAX_TERMS = 100_000


def _beta_fraction(a: float, b: float, x: float) -> float:
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < _TINY:
        d = _TINY
    d = 1.0 / d
    h = d
    for m in range(1, _MAX_TERMS + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        if abs(d) < _TINY:
            d = _TINY
        c = 1.0 + aa / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        if abs(d) < _TINY:
            d = _TINY
        c = 1.0 + aa / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPSILON:
            return h
    raise ArithmeticError(f"incomplete beta did not converge for a={a}, b={b}, x={x}")


def regularized_beta(x: float, a: float, b: float) -> float:
    """``I_x(a, b)`` for ``a, b > 0`` and ``0 ≤ x ≤ 1``."""
    if a <= 0 or b <= 0:
        raise ValueError("a and b must be positive")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    # The continued fraction converges fast only on this side of the mean;
    # use the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) on the other side.
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def beta_quantile(probability: float, a: float, b: float) -> float:
    """The ``x`` with ``I_x(a, b) = probability``, by bisection to machine precision."""
    if not 0.0 <= probability <= 1.0:
        raise ValueError("probability must lie in [0, 1]")
    if probability == 0.0:
        return 0.0
    if probability == 1.0:
        return 1.0
    low, high = 0.0, 1.0
    for _ in range(200):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if regularized_beta(middle, a, b) < probability:
            low = middle
        else:
            high = middle
    return (low + high) / 2


_lgamma = np.frompyfunc(math.lgamma, 1, 1)


def log_gamma(values: FloatArray) -> FloatArray:
    """``ln Γ`` elementwise (NumPy has no vectorised log-gamma of its own)."""
    return np.asarray(_lgamma(values), dtype=np.float64)


def regularized_beta_many(
    x: FloatArray, a: FloatArray, b: FloatArray, log_norm: FloatArray | None = None
) -> FloatArray:
    """``I_x(a, b)`` elementwise, by the same continued fraction as the scalar version.

    ``log_norm`` = ``ln Γ(a + b) − ln Γ(a) − ln Γ(b)`` may be passed in when the
    same ``a`` and ``b`` are used for many ``x``, as in bisection.
    """
    x, a, b = np.broadcast_arrays(
        np.asarray(x, dtype=np.float64),
        np.asarray(a, dtype=np.float64),
        np.asarray(b, dtype=np.float64),
    )
    result = np.where(x >= 1.0, 1.0, 0.0)
    inside = (x > 0.0) & (x < 1.0)
    if not np.any(inside):
        return result
    x_in, a_in, b_in = x[inside], a[inside], b[inside]
    if log_norm is None:
        norm = log_gamma(a_in + b_in) - log_gamma(a_in) - log_gamma(b_in)
    else:
        norm = np.broadcast_to(log_norm, x.shape)[inside]
    log_front = norm + a_in * np.log(x_in) + b_in * np.log1p(-x_in)
    swap = x_in >= (a_in + 1.0) / (a_in + b_in + 2.0)
    p = np.where(swap, b_in, a_in)
    q = np.where(swap, a_in, b_in)
    z = np.where(swap, 1.0 - x_in, x_in)
    fraction = _beta_fraction_many(p, q, z)
    tail = np.exp(log_front) * fraction / p
    result[inside] = np.where(swap, 1.0 - tail, tail)
    return result


def _beta_fraction_many(a: FloatArray, b: FloatArray, x: FloatArray) -> FloatArray:
    def guard(values: FloatArray) -> FloatArray:
        return np.where(np.abs(values) < _TINY, _TINY, values)

    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = np.ones_like(x)
    d = 1.0 / guard(1.0 - qab * x / qap)
    h = d.copy()
    active = np.ones(x.shape, dtype=bool)
    for m in range(1, _MAX_TERMS + 1):
        index = np.flatnonzero(active)
        if index.size == 0:
            return h
        am, bm, xm, cm, dm = a[index], b[index], x[index], c[index], d[index]
        m2 = 2 * m
        aa = m * (bm - m) * xm / ((qam[index] + m2) * (am + m2))
        dm = 1.0 / guard(1.0 + aa * dm)
        cm = guard(1.0 + aa / cm)
        step = dm * cm
        aa = -(am + m) * (qab[index] + m) * xm / ((am + m2) * (qap[index] + m2))
        dm = 1.0 / guard(1.0 + aa * dm)
        cm = guard(1.0 + aa / cm)
        delta = dm * cm
        h[index] *= step * delta
        c[index], d[index] = cm, dm
        active[index[np.abs(delta - 1.0) < _EPSILON]] = False
    raise ArithmeticError("incomplete beta did not converge")


def beta_quantile_many(probability: float, a: FloatArray, b: FloatArray) -> FloatArray:
    """Elementwise inverse of ``I_x(a, b)`` in ``x`` by bisection.

    Sixty halvings pin ``x`` to within 1e-18 in absolute terms, far finer than
    any share of births needs.
    """
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    log_norm = log_gamma(a + b) - log_gamma(a) - log_gamma(b)
    low = np.zeros(a.shape)
    high = np.ones(a.shape)
    for _ in range(60):
        middle = (low + high) / 2
        below = regularized_beta_many(middle, a, b, log_norm) < probability
        low = np.where(below, middle, low)
        high = np.where(below, high, middle)
    return (low + high) / 2
