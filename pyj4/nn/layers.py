"""Keras-shaped layers. A layer object here is configuration only: ``get_config()`` gives the Keras 3
config that the JVM engine builds the real layer from. Weights live in the model (in the JVM), so
reading or setting them goes through the model (``model.get_weights()``, ``layer.get_weights()``
once the layer belongs to a built model).

Lifecycle as in Keras: ``__init__`` validates arguments, ``compute_output_shape`` infers shapes
(so that wrong inputs are caught in Python before anything crosses the bridge), and the engine
creates weights when the model is built.
"""
from __future__ import annotations

import collections
import math
import re

from . import _checks, activations, initializers

_uids: collections.Counter = collections.Counter()


def _unique_name(prefix: str) -> str:
    """Keras-style automatic names: dense, dense_1, dense_2, ... (per prefix, per process)."""
    n = _uids[prefix]
    _uids[prefix] += 1
    return prefix if n == 0 else f"{prefix}_{n}"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Layer:
    """Base class of all layers: a name, a Keras config, and shape inference."""

    # Keyword arguments every layer accepts (Keras' base Layer arguments that mean something here).
    _base_kwargs = ("name", "input_shape", "dtype", "trainable")

    def __init__(self, name=None, input_shape=None, dtype=None, trainable=True, **kwargs):
        who = type(self).__name__
        if kwargs:
            raise TypeError(f"{who}: unexpected keyword argument(s): {', '.join(sorted(kwargs))}")
        self.name = _checks.name_arg(who, name) or _unique_name(_snake(who))
        # Keras 2 style `Dense(4, input_shape=(3,))` on the first layer declares the model input.
        self._input_shape_arg = None if input_shape is None else _checks.shape(who, "input_shape", input_shape)
        if dtype not in (None, "float32"):
            raise ValueError(f"{who}: layers compute in float32. Received: dtype={dtype!r}")
        self.trainable = _checks.boolean(who, "trainable", trainable)  # False: the engine leaves its weights alone
        self._model = None  # weakref to the model this layer belongs to, once added (for get_weights)
        self._extra_config = {}  # keys from a loaded config that this class does not use, kept for round trips

    # ---- config
    def get_config(self) -> dict:
        return {"name": self.name}

    def to_dict(self) -> dict:
        """The ``{"class_name", "config"}`` entry of the architecture JSON."""
        config = dict(self._extra_config)
        config.update(self.get_config())
        if not self.trainable:
            config["trainable"] = False
        return {"class_name": type(self).__name__, "config": config}

    @classmethod
    def from_config(cls, config: dict) -> "Layer":
        config = dict(config)
        import inspect

        # dtype stays in the extra keys: a file written by Java may hold a float64 layer, which loads
        # and predicts (the engine casts inputs to the layer's dtype).
        accepted = (set(inspect.signature(cls.__init__).parameters) | {"name", "trainable"}) - {"self", "kwargs", "dtype"}
        extra = {k: config.pop(k) for k in list(config) if k not in accepted}
        layer = cls(**config)
        layer._extra_config = extra
        return layer

    # ---- shapes (batch axis included, as None)
    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    # ---- weights (through the owning model)
    def get_weights(self) -> list:
        return self._owner("get_weights")._layer_weights(self)

    def set_weights(self, weights) -> None:
        self._owner("set_weights")._set_layer_weights(self, weights)

    def count_params(self) -> int:
        return sum(int(w.size) for w in self.get_weights())

    def _owner(self, what):
        model = self._model() if self._model is not None else None  # a weak reference: layers do not keep models alive
        if model is None:
            raise ValueError(f"{self.name}.{what}: the layer has no weights until it belongs to a built model")
        return model

    def _weight_count(self) -> int:
        """How many weight arrays this layer contributes to the model's (Keras-ordered) weight list."""
        return 0

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class InputLayer(Layer):
    """The model input: its shape without the batch axis. Made by :func:`Input`."""

    def __init__(self, shape=None, batch_size=None, dtype="float32", batch_shape=None, name=None, **kwargs):
        who = "Input"
        if batch_shape is not None:
            if shape is not None:
                raise ValueError(f"{who}: give shape or batch_shape, not both. Received: shape={shape!r}, batch_shape={batch_shape!r}")
            if not isinstance(batch_shape, (tuple, list)) or len(batch_shape) < 2:
                raise ValueError(f"{who}: expected batch_shape like (None, 784). Received: batch_shape={batch_shape!r}")
            batch_size, shape = batch_shape[0], tuple(batch_shape[1:])
        if shape is None:
            raise ValueError(f"{who}: expected a shape without the batch axis, e.g. Input((784,)). Received: shape=None")
        self.shape = _checks.shape(who, "shape", shape)
        self.batch_size = None if batch_size is None else _checks.integer(who, "batch_size", batch_size, min_value=1)
        if dtype not in ("float32",):
            raise ValueError(f"{who}: expected dtype 'float32'. Received: dtype={dtype!r}")
        self.dtype = dtype
        super().__init__(name=name or _unique_name("input_layer"), **kwargs)

    @property
    def batch_shape(self) -> tuple:
        return (self.batch_size,) + self.shape

    def get_config(self):
        return {"name": self.name, "batch_shape": list(self.batch_shape), "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("sparse", None), config.pop("ragged", None)  # Keras keys with no meaning here
        return super().from_config(config)


def Input(shape=None, batch_size=None, dtype="float32", name=None, batch_shape=None) -> InputLayer:
    """Declares the model input, e.g. ``nn.Input((784,))``: the first entry of a Sequential list."""
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape, name=name)


class Dense(Layer):
    """``output = activation(input @ kernel + bias)`` on the last axis."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        self.units = _checks.integer("Dense", "units", units, min_value=1)
        self.activation = activations.get(activation, "Dense")
        self.use_bias = _checks.boolean("Dense", "use_bias", use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer, "Dense", "kernel_initializer")
        self.bias_initializer = initializers.get(bias_initializer, "Dense", "bias_initializer")
        super().__init__(**kwargs)

    def get_config(self):
        return {
            "name": self.name,
            "units": self.units,
            "activation": self.activation,
            "use_bias": self.use_bias,
            "kernel_initializer": self.kernel_initializer.to_dict(),
            "bias_initializer": self.bias_initializer.to_dict(),
        }

    def compute_output_shape(self, input_shape):
        if len(input_shape) < 2:
            raise ValueError(f"Dense '{self.name}': expected an input with at least 2 axes (batch, features). "
                             f"Received: input_shape={_fmt(input_shape)}")
        return tuple(input_shape[:-1]) + (self.units,)

    def _weight_count(self):
        return 2 if self.use_bias else 1


class Activation(Layer):
    """Applies an activation function (by name) elementwise, or softmax on the last axis."""

    def __init__(self, activation, **kwargs):
        if activation is None:
            raise ValueError("Activation: expected an activation name. Received: activation=None")
        self.activation = activations.get(activation, "Activation")
        super().__init__(**kwargs)

    def get_config(self):
        return {"name": self.name, "activation": self.activation}


class Dropout(Layer):
    """Zeroes a fraction ``rate`` of the inputs during training (scaling the rest by 1/(1-rate))."""

    def __init__(self, rate, seed=None, **kwargs):
        self.rate = _checks.real("Dropout", "rate", rate, low=0.0, high=1.0, high_open=True)
        self.seed = _checks.optional_seed("Dropout", seed)
        super().__init__(**kwargs)

    def get_config(self):
        return {"name": self.name, "rate": self.rate, "seed": self.seed}


class Flatten(Layer):
    """Flattens every axis but the batch axis."""

    def __init__(self, data_format=None, **kwargs):
        if data_format not in (None, "channels_last"):
            raise ValueError(f"Flatten: only channels_last is supported. Received: data_format={data_format!r}")
        super().__init__(**kwargs)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        return (input_shape[0], math.prod(rest) if all(d is not None for d in rest) else None)


class Reshape(Layer):
    """Reshapes every sample to ``target_shape`` (batch axis excluded; one -1 is inferred)."""

    def __init__(self, target_shape, **kwargs):
        self.target_shape = _checks.shape("Reshape", "target_shape", target_shape, allow_minus_one=True)
        super().__init__(**kwargs)

    def get_config(self):
        return {"name": self.name, "target_shape": list(self.target_shape)}

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return (input_shape[0],) + self.target_shape
        total = math.prod(rest)
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if total % known:
                raise ValueError(f"Reshape '{self.name}': cannot reshape {_fmt(input_shape)} to {self.target_shape}")
            return (input_shape[0],) + tuple(total // known if d == -1 else d for d in self.target_shape)
        if known != total:
            raise ValueError(f"Reshape '{self.name}': total size must stay {total}. "
                             f"Received: input_shape={_fmt(input_shape)}, target_shape={self.target_shape}")
        return (input_shape[0],) + self.target_shape


def _fmt(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


LAYERS = {c.__name__: c for c in (InputLayer, Dense, Activation, Dropout, Flatten, Reshape)}


def deserialize(entry: dict) -> Layer:
    """A layer object from a ``{"class_name", "config"}`` entry of the architecture JSON."""
    if not isinstance(entry, dict) or "class_name" not in entry:
        raise ValueError(f"expected a layer entry with class_name and config. Received: {entry!r}")
    cls = LAYERS.get(entry["class_name"])
    if cls is None:
        raise ValueError(
            f"unknown layer class {entry['class_name']!r}: this pyj4 knows {', '.join(LAYERS)}"
        )
    return cls.from_config(entry.get("config") or {})
