"""Normalization: BatchNormalization and LayerNormalization (Keras arguments and defaults)."""
from __future__ import annotations

from .. import _checks, initializers
from . import _args
from .base import Layer, _fmt


def _initializer(who, name, value):
    return initializers.get(value, who, name)


class BatchNormalization(Layer):
    """Normalizes over the batch (and every axis but ``axis``, the features).

    Training (fit, trainable layer): the batch's mean and biased variance, and the moving statistics
    move toward them (``moving = moving * momentum + batch * (1 - momentum)``). Inference (predict,
    evaluate, or ``trainable=False``): the moving statistics. Weights in Keras order: gamma, beta
    (trainable), moving_mean, moving_variance (non-trainable, saved in the model file)."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 synchronized=False, **kwargs):
        who = "BatchNormalization"
        self.axis = _checks.integer(who, "axis", axis)
        self.momentum = _checks.real(who, "momentum", momentum, low=0.0, high=1.0)
        self.epsilon = _checks.real(who, "epsilon", epsilon, low=0.0, low_open=True)
        self.center = _checks.boolean(who, "center", center)
        self.scale = _checks.boolean(who, "scale", scale)
        self.beta_initializer = _initializer(who, "beta_initializer", beta_initializer)
        self.gamma_initializer = _initializer(who, "gamma_initializer", gamma_initializer)
        self.moving_mean_initializer = _initializer(who, "moving_mean_initializer", moving_mean_initializer)
        self.moving_variance_initializer = _initializer(who, "moving_variance_initializer", moving_variance_initializer)
        if _checks.boolean(who, "synchronized", synchronized):
            raise ValueError(f"{who}: synchronized=True is not supported (one process trains). Received: synchronized=True")
        super().__init__(**kwargs)

    def get_config(self):
        return {
            "name": self.name, "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
            "center": self.center, "scale": self.scale,
            "beta_initializer": self.beta_initializer.to_dict(),
            "gamma_initializer": self.gamma_initializer.to_dict(),
            "moving_mean_initializer": self.moving_mean_initializer.to_dict(),
            "moving_variance_initializer": self.moving_variance_initializer.to_dict(),
            "synchronized": False,
        }

    def compute_output_shape(self, input_shape):
        (a,) = _args.normalize_axes(self._who, "axis", self.axis, len(input_shape))
        if input_shape[a] is None:
            raise ValueError(f"{self._who}: the feature axis {self.axis} must have a known size. "
                             f"Received: input_shape={_fmt(input_shape)}")
        return tuple(input_shape)


class LayerNormalization(Layer):
    """Normalizes each sample over ``axis`` (default -1; an int or a list) with its own mean and
    biased variance, then ``* gamma + beta`` (shaped like the normalized axes). Same in training and
    inference."""

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False, beta_initializer="zeros",
                 gamma_initializer="ones", **kwargs):
        who = "LayerNormalization"
        self.axis = _args.axis_list(who, "axis", axis)
        self.epsilon = _checks.real(who, "epsilon", epsilon, low=0.0, low_open=True)
        self.center = _checks.boolean(who, "center", center)
        self.scale = _checks.boolean(who, "scale", scale)
        if _checks.boolean(who, "rms_scaling", rms_scaling):
            raise ValueError(f"{who}: rms_scaling=True is not supported yet. Received: rms_scaling=True")
        self.rms_scaling = False
        self.beta_initializer = _initializer(who, "beta_initializer", beta_initializer)
        self.gamma_initializer = _initializer(who, "gamma_initializer", gamma_initializer)
        super().__init__(**kwargs)

    def get_config(self):
        return {
            "name": self.name, "axis": self.axis, "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": self.beta_initializer.to_dict(),
            "gamma_initializer": self.gamma_initializer.to_dict(),
        }

    def compute_output_shape(self, input_shape):
        for a in _args.normalize_axes(self._who, "axis", self.axis, len(input_shape)):
            if input_shape[a] is None:
                raise ValueError(f"{self._who}: the normalized axes must have known sizes. Received: input_shape={_fmt(input_shape)}")
        return tuple(input_shape)

