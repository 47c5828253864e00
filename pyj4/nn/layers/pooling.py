"""Pooling: MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D."""
from __future__ import annotations

from .. import _checks
from . import _args
from .base import Layer


class _Pooling2D(Layer):
    """pool_size (default 2x2), strides (default: pool_size), padding "valid"/"same" (padded
    positions never count, as TensorFlow), data_format."""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        who = type(self).__name__
        self.pool_size = _args.int_tuple(who, "pool_size", pool_size, 2)
        self.strides = self.pool_size if strides is None else _args.int_tuple(who, "strides", strides, 2)
        self.padding = _args.padding(who, padding)
        self.data_format = _args.data_format(who, data_format)
        super().__init__(**kwargs)

    def get_config(self):
        return {"name": self.name, "pool_size": list(self.pool_size), "padding": self.padding,
                "strides": list(self.strides), "data_format": self.data_format}

    def compute_output_shape(self, input_shape):
        self._rank_check(input_shape, (4,), "batch, rows, cols, channels" if self.data_format == "channels_last"
                         else "batch, channels, rows, cols")
        return _args.spatial_output(self._who, input_shape, self.pool_size, self.strides, (1, 1), self.padding,
                                    self.data_format == "channels_first", None)


class MaxPooling2D(_Pooling2D):
    """The maximum of each window."""


class AveragePooling2D(_Pooling2D):
    """The mean of each window (with padding "same", the mean of the positions inside the input)."""


class _GlobalPooling2D(Layer):
    """A reduction over rows and columns: ``[batch, channels]`` (or ``[batch, 1, 1, channels]`` with keepdims)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        who = type(self).__name__
        self.data_format = _args.data_format(who, data_format)
        self.keepdims = _checks.boolean(who, "keepdims", keepdims)
        super().__init__(**kwargs)

    def get_config(self):
        return {"name": self.name, "data_format": self.data_format, "keepdims": self.keepdims}

    def compute_output_shape(self, input_shape):
        first = self.data_format == "channels_first"
        self._rank_check(input_shape, (4,), "batch, channels, rows, cols" if first else "batch, rows, cols, channels")
        c = input_shape[1] if first else input_shape[-1]
        if not self.keepdims:
            return (input_shape[0], c)
        return (input_shape[0], c, 1, 1) if first else (input_shape[0], 1, 1, c)


class GlobalAveragePooling2D(_GlobalPooling2D):
    """The mean over rows and columns, per channel."""


class GlobalMaxPooling2D(_GlobalPooling2D):
    """The maximum over rows and columns, per channel."""
