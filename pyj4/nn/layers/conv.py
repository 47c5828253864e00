"""Convolutions: Conv1D and Conv2D (Keras' BaseConv arguments and config)."""
from __future__ import annotations

from .. import _checks, activations, initializers
from . import _args
from .base import Layer, _fmt


class _Conv(Layer):
    """What Conv1D and Conv2D share. Kernel ``[*kernel_size, channels // groups, filters]`` (Keras'
    layout, HWIO for 2-D), bias ``[filters]``; TensorFlow's "same" padding (the smaller half first)."""

    rank = 0

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1, groups=1,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        who = type(self).__name__
        self.filters = _checks.integer(who, "filters", filters, min_value=1)
        self.kernel_size = _args.int_tuple(who, "kernel_size", kernel_size, self.rank)
        self.strides = _args.int_tuple(who, "strides", strides, self.rank)
        self.padding = _args.padding(who, padding, allow_causal=self.rank == 1)
        self.data_format = _args.data_format(who, data_format)
        self.dilation_rate = _args.int_tuple(who, "dilation_rate", dilation_rate, self.rank)
        self.groups = _checks.integer(who, "groups", groups, min_value=1)
        if self.filters % self.groups:
            raise ValueError(f"{who}: expected filters to be divisible by groups. Received: filters={self.filters}, groups={self.groups}")
        self.activation = activations.get(activation, who)
        self.use_bias = _checks.boolean(who, "use_bias", use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer, who, "kernel_initializer")
        self.bias_initializer = initializers.get(bias_initializer, who, "bias_initializer")
        super().__init__(**kwargs)

    def get_config(self):
        return {
            "name": self.name,
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "groups": self.groups,
            "activation": self.activation,
            "use_bias": self.use_bias,
            "kernel_initializer": self.kernel_initializer.to_dict(),
            "bias_initializer": self.bias_initializer.to_dict(),
        }

    def compute_output_shape(self, input_shape):
        what = "batch, steps, channels" if self.rank == 1 else "batch, rows, cols, channels"
        if self.data_format == "channels_first":
            what = "batch, channels, steps" if self.rank == 1 else "batch, channels, rows, cols"
        self._rank_check(input_shape, (self.rank + 2,), what)
        channels = input_shape[1] if self.data_format == "channels_first" else input_shape[-1]
        if channels is None or channels % self.groups:
            raise ValueError(f"{self._who}: expected a known number of input channels divisible by groups={self.groups}. "
                             f"Received: input_shape={_fmt(input_shape)} ({self.data_format})")
        return _args.spatial_output(self._who, input_shape, self.kernel_size, self.strides, self.dilation_rate,
                                    self.padding, self.data_format == "channels_first", self.filters)


class Conv1D(_Conv):
    """1-D convolution over ``[batch, steps, channels]`` (or ``[batch, channels, steps]`` with
    data_format="channels_first"). padding "valid", "same" or "causal" (an output never sees later steps)."""

    rank = 1


class Conv2D(_Conv):
    """2-D convolution over ``[batch, rows, cols, channels]`` (channels_last, the default) or
    ``[batch, channels, rows, cols]``: strides, padding "valid"/"same", dilation_rate, groups."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1),
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer, **kwargs)
