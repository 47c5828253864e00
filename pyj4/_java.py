"""The Java classes pyj4's Python layer calls, resolved once the JVM is up, and the translation of
Java exceptions into the Python exceptions NumPy would raise."""
from __future__ import annotations

import collections
import functools

import numpy as np

from . import _jvm


class BackendError(RuntimeError):
    """A backend is missing, failed to load, or failed inside a kernel."""


class _Classes:
    """Lazily resolved Java classes: ``J.NDArray``, ``J.BinaryOp.ADD``, ..."""

    _names = {
        "NDArray": "org.pyj4.ndarray.NDArray",
        "Index": "org.pyj4.ndarray.Index",
        "DType": "org.pyj4.ndarray.DType",
        "Random": "org.pyj4.ndarray.Random",
        "Backends": "org.pyj4.backend.Backends",
        "BinaryOp": "org.pyj4.backend.BinaryOp",
        "UnaryOp": "org.pyj4.backend.UnaryOp",
        "ReduceOp": "org.pyj4.backend.ReduceOp",
        "MemoryStats": "org.pyj4.memory.MemoryStats",
        "MemoryScope": "org.pyj4.memory.MemoryScope",
    }

    def __getattr__(self, name):
        try:
            qualified = self._names[name]
        except KeyError:
            raise AttributeError(name) from None
        cls = _jvm.jclass(qualified)
        setattr(self, name, cls)
        return cls


J = _Classes()


def _exception_table():
    import jpype

    table = []
    for java_name, py_type in (
        ("org.pyj4.ndarray.DTypeException", TypeError),
        ("org.pyj4.ndarray.AxisException", np.exceptions.AxisError),
        ("org.pyj4.ndarray.ShapeException", ValueError),
        ("org.pyj4.backend.BackendException", BackendError),
        ("java.lang.IndexOutOfBoundsException", IndexError),
        ("java.lang.ArithmeticException", OverflowError),
        ("java.lang.IllegalArgumentException", ValueError),
        ("java.lang.IllegalStateException", RuntimeError),
        ("java.lang.OutOfMemoryError", MemoryError),
    ):
        table.append((jpype.JClass(java_name), py_type))
    return table


_table = None


def translate(exc):
    """The Python exception for a Java exception, carrying its message."""
    global _table
    if _table is None:
        _table = _exception_table()
    message = exc.getMessage()
    message = str(message) if message is not None else str(exc.getClass().getName())
    for java_type, py_type in _table:
        if isinstance(exc, java_type):
            return py_type(message)
    return RuntimeError(f"{exc.getClass().getName()}: {message}")


# Handles (see NDArray.register in Java) of small arrays whose Python owner is gone but that are not
# closed yet (at most one, see pyj4._ndarray.NDArray.__del__): the next operator call closes it on
# its way into Java, any other pyj4 call (pj.memory() included) first.
# A deque, not a list: a list that keeps going from one item to none and back reallocates each time.
released = collections.deque()


def close_released():
    """Closes the arrays in ``released`` now."""
    while released:
        try:
            h = released.pop()
        except IndexError:  # another thread took it
            return
        try:
            J.NDArray.closeHandle(h)
        except Exception:
            pass


def java_errors(fn):
    """Runs fn, re-raising Java exceptions as the Python exceptions NumPy users expect."""
    import jpype

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not jpype.isJVMStarted():
            _jvm.ensure_started()
        if released:
            close_released()
        try:
            return fn(*args, **kwargs)
        except jpype.JException as e:
            raise translate(e) from None

    return wrapper
