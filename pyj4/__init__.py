"""pyj4: deep learning on the JVM, driven from Python.

Arrays and models live in a JVM started in this process (through JPype); the math runs in the
active backend ("cpu" native, "java" reference, "cuda"); NumPy and pyarrow data cross without copies.
"""
from __future__ import annotations

from . import _jvm
from ._java import BackendError, J, java_errors
from ._jvm import start
from ._ndarray import (
    NDArray,
    abs,
    arange,
    array,
    asarray,
    ceil,
    clip,
    concatenate,
    cos,
    dot,
    exp,
    eye,
    floor,
    full,
    isfinite,
    isinf,
    isnan,
    log,
    log_softmax,
    matmul,
    maximum,
    minimum,
    negative,
    ones,
    relu,
    sigmoid,
    sign,
    sin,
    softmax,
    sqrt,
    square,
    stack,
    tanh,
    where,
    zeros,
)
from . import random
from . import nn

__version__ = "0.1.0"


# Arrow support imports pyarrow (about 0.1 s), so it loads on first use, not with pyj4.
def from_arrow(obj) -> NDArray:
    """A read-only NDArray sharing memory with a pyarrow array / FixedShapeTensorArray (see pyj4._arrow)."""
    from ._arrow import from_arrow as convert

    return convert(obj)


def to_arrow(a):
    """A pyarrow array (FixedShapeTensorArray for ndim > 1) sharing memory with an NDArray (see pyj4._arrow)."""
    from ._arrow import to_arrow as convert

    return convert(a)


def __getattr__(name):  # `pj.data` without importing pyarrow up front
    if name == "data":
        import importlib

        return importlib.import_module(".data", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def version() -> str:
    return __version__


@java_errors
def backend() -> str:
    """Name of the active default backend: "cpu", "cuda" or "java" (the pure-Java reference)."""
    return str(J.Backends.getDefault().name())


@java_errors
def backends() -> list[str]:
    """Names of the backends available in this process, best first."""
    return [str(n) for n in J.Backends.available()]


@java_errors
def set_backend(name: str) -> None:
    """Makes ``name`` the default backend; raises BackendError naming what is missing."""
    J.Backends.setDefault(str(name))


@java_errors
def memory() -> dict:
    """Off-heap bytes pyj4 holds now and at peak."""
    return {"allocated_bytes": int(J.MemoryStats.allocatedBytes()), "peak_bytes": int(J.MemoryStats.peakBytes())}


__all__ = [
    "BackendError", "NDArray", "abs", "arange", "array", "asarray", "backend", "backends", "ceil", "clip",
    "concatenate", "cos", "data", "dot", "exp", "eye", "floor", "from_arrow", "full", "isfinite", "isinf", "isnan", "log",
    "log_softmax", "matmul", "maximum", "memory", "minimum", "negative", "nn", "ones", "random", "relu",
    "set_backend", "sigmoid", "sign", "sin", "softmax", "sqrt", "square", "stack", "start", "tanh",
    "to_arrow", "version", "where", "zeros",
]
