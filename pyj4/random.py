"""Seeded random arrays. The numbers are counter-based and identical on every backend."""
from __future__ import annotations

from ._java import J, java_errors
from ._ndarray import NDArray, _jdtype, _shape_arg, _wrap


@java_errors
def seed(s: int) -> None:
    J.Random.seed(int(s))


@java_errors
def normal(shape, mean=0.0, std=1.0, dtype="float32") -> NDArray:
    return _wrap(J.Random.normal(_shape_arg(_as_tuple(shape)), float(mean), float(std), _jdtype(dtype)))


@java_errors
def uniform(shape, low=0.0, high=1.0, dtype="float32") -> NDArray:
    return _wrap(J.Random.uniform(_shape_arg(_as_tuple(shape)), float(low), float(high), _jdtype(dtype)))


def _as_tuple(shape):
    return ((shape,),) if isinstance(shape, int) else (shape,)
