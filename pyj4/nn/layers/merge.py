"""Merge layers: Add, Multiply and Concatenate, called on a list of tensors in a functional graph
(``nn.Add()([a, b])``)."""
from __future__ import annotations

from .. import _checks
from .base import Layer, _fmt, _symbolic, _training_arg


class _Merge(Layer):
    """A layer called on a list of tensors (``nn.Add()([a, b])``)."""

    def _call_spec(self, inputs, training=None, mask=None):
        who = self._who
        if not isinstance(inputs, (list, tuple)):
            raise TypeError(f"{who}: expected a list of tensors, e.g. {type(self).__name__}()([a, b]). "
                            f"Received: {type(inputs).__name__}")
        tensors = [_symbolic(t) for t in inputs]
        if not tensors or any(t is None for t in tensors):
            raise ValueError(f"{who}: expected a list of symbolic tensors. Received: {len(inputs)} items "
                             f"({', '.join(type(t).__name__ for t in inputs)})")
        if mask is not None:
            raise ValueError(f"{who}: masks are not supported. Received: mask={mask!r}")
        _training_arg(who, training)
        return self.compute_output_shape([t.shape for t in tensors])

    def _shapes(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(f"{self._who}: expected a list of input shapes (a merge layer is called on a list of "
                             f"tensors in a functional model). Received: {input_shape!r}")
        return [tuple(s) for s in input_shape]


class _Elementwise(_Merge):
    """Inputs combined elementwise with NumPy broadcasting (as the engine; None meets any size)."""

    def compute_output_shape(self, input_shape):
        shapes = self._shapes(input_shape)
        rank = max(len(s) for s in shapes)
        out = [1] * rank
        for s in shapes:
            for i, b in enumerate(s):
                d = rank - len(s) + i
                a = out[d]
                if a == 1:
                    out[d] = b
                elif b == 1 or b == a:
                    continue
                elif a is None or b is None:
                    out[d] = b if a is None else a
                else:
                    raise ValueError(f"{self._who}: inputs must have shapes that broadcast together. Received: shapes "
                                     f"{', '.join(_fmt(x) for x in shapes)}")
        return tuple(out)


class Add(_Elementwise):
    """The elementwise sum of its inputs (a residual connection: ``nn.Add()([x, f(x)])``)."""


class Multiply(_Elementwise):
    """The elementwise product of its inputs (gating: ``nn.Multiply()([x, gate])``)."""


class Concatenate(_Merge):
    """Joins its inputs along ``axis`` (default -1); the other axes must agree."""

    def __init__(self, axis=-1, **kwargs):
        self.axis = _checks.integer("Concatenate", "axis", axis)
        super().__init__(**kwargs)

    def get_config(self):
        return {"name": self.name, "axis": self.axis}

    def compute_output_shape(self, input_shape):
        shapes = self._shapes(input_shape)
        rank = len(shapes[0])
        listed = ", ".join(_fmt(s) for s in shapes)
        if any(len(s) != rank for s in shapes):
            raise ValueError(f"{self._who}: expected inputs of the same rank. Received: shapes {listed}")
        axis = self.axis + rank if self.axis < 0 else self.axis
        if not 0 < axis < rank:
            raise ValueError(f"{self._who}: axis={self.axis} is out of range for inputs of rank {rank} "
                             f"(axis 0 is the batch axis). Received: shapes {listed}")
        out = list(shapes[0])
        for s in shapes[1:]:
            for i in range(rank):
                if i == axis:
                    continue
                if out[i] is None:
                    out[i] = s[i]
                elif s[i] is not None and s[i] != out[i] and i:
                    raise ValueError(f"{self._who}: inputs must agree on every axis but axis {self.axis}. Received: shapes {listed}")
        sizes = [s[axis] for s in shapes]
        out[axis] = None if any(d is None for d in sizes) else sum(sizes)
        return tuple(out)
