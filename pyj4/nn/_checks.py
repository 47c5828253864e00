"""Argument checks shared by layers, optimizers, losses and callbacks.

Every check raises before anything crosses into the JVM, with the house format:
"<who>: expected <what>. Received: <name>=<value>".
"""
from __future__ import annotations

import math
import numbers

import numpy as np


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


def _is_real(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def integer(who: str, name: str, value, *, min_value: int | None = None) -> int:
    """``value`` as a Python int, at least ``min_value``."""
    if not _is_int(value):
        raise TypeError(f"{who}: expected {name} to be an integer. Received: {name}={value!r}")
    value = int(value)
    if min_value is not None and value < min_value:
        rel = "> 0" if min_value == 1 else f">= {min_value}"
        raise ValueError(f"{who}: expected {name} {rel}. Received: {name}={value}")
    return value


def real(who: str, name: str, value, *, low: float | None = None, high: float | None = None,
         low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite float inside the given interval (closed unless ``*_open``)."""
    if not _is_real(value):
        raise TypeError(f"{who}: expected {name} to be a number. Received: {name}={value!r}")
    value = float(value)
    ok = math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        where = f"in {lo}{'-inf' if low is None else low}, {'inf' if high is None else high}{hi}"
        raise ValueError(f"{who}: expected {name} {where}. Received: {name}={value!r}")
    return value


def boolean(who: str, name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{who}: expected {name} to be True or False. Received: {name}={value!r}")
    return bool(value)


def optional_seed(who: str, value) -> int | None:
    if value is None:
        return None
    return integer(who, "seed", value, min_value=0)


def shape(who: str, name: str, value, *, allow_minus_one: bool = False) -> tuple[int, ...]:
    """A shape without the batch axis: a tuple of positive ints (an int is accepted for 1-D)."""
    if _is_int(value):
        value = (value,)
    if not isinstance(value, (tuple, list)) or not all(_is_int(d) or d is None for d in value):
        raise TypeError(f"{who}: expected {name} to be a tuple of integers. Received: {name}={value!r}")
    dims = tuple(None if d is None else int(d) for d in value)
    bad = [d for d in dims if d is None or (d < 1 and not (allow_minus_one and d == -1))]
    if bad or (allow_minus_one and dims.count(-1) > 1):
        extra = " (one -1 allowed)" if allow_minus_one else ""
        raise ValueError(f"{who}: expected {name} to have positive dimensions{extra}. Received: {name}={value!r}")
    return dims


def name_arg(who: str, value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value or "/" in value:
        raise ValueError(f"{who}: expected name to be a non-empty string without '/'. Received: name={value!r}")
    return value


def choice(who: str, name: str, value, choices) -> str:
    """A case-insensitive string among ``choices`` (returned in its canonical spelling)."""
    if not isinstance(value, str):
        raise TypeError(f"{who}: expected {name} to be one of {', '.join(choices)}. Received: {name}={value!r}")
    key = value.lower()
    for c in choices:
        if c.lower() == key:
            return c
    raise ValueError(f"{who}: unknown {name}; expected one of {', '.join(choices)}. Received: {name}={value!r}")
