"""Core layers: Input, Dense, Activation, Dropout, Flatten, Reshape, Embedding."""
from __future__ import annotations

import math

from .. import _checks, activations, initializers
from .._checks import _is_int
from .base import KerasTensor, Layer, Node, _fmt, _unique_name

INPUT_DTYPES = ("float32", "float64", "int32", "int64")


def _sample_shape(who, value):
    """A shape without the batch axis: positive ints, None for a dimension known only at run time."""
    if _is_int(value):
        value = (value,)
    if not isinstance(value, (tuple, list)) or not all(_is_int(d) or d is None for d in value):
        raise TypeError(f"{who}: expected shape to be a tuple of integers. Received: shape={value!r}")
    dims = tuple(None if d is None else int(d) for d in value)
    if any(d is not None and d < 1 for d in dims):
        raise ValueError(f"{who}: expected shape to have positive dimensions. Received: shape={value!r}")
    return dims


class InputLayer(Layer):
    """The model input: ``shape`` is the shape of one sample (batch axis excluded; None for a length
    known only at run time, such as a sequence length). Made by :func:`Input`.

    It stands for its own output tensor: layers can be called on it (``nn.Dense(8)(inp)``) and
    ``nn.Model(inp, out)`` takes it as an input. ``inp.output`` is that tensor."""

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
        self.shape = _sample_shape(who, shape)
        self.batch_size = None if batch_size is None else _checks.integer(who, "batch_size", batch_size, min_value=1)
        if isinstance(dtype, dict):  # Keras 3 DTypePolicy
            dtype = (dtype.get("config") or {}).get("name")
        if dtype not in INPUT_DTYPES:
            raise ValueError(f"{who}: expected dtype to be one of {', '.join(INPUT_DTYPES)} (integers for Embedding ids). "
                             f"Received: dtype={dtype!r}")
        super().__init__(name=name or _unique_name("input_layer"), **kwargs)
        self.dtype = dtype
        self._output = KerasTensor(self.batch_shape, dtype, (self, 0, 0))
        self._inbound_nodes = [Node(self, (), {}, [self._output])]  # the source node of a graph

    @property
    def batch_shape(self) -> tuple:
        return (self.batch_size,) + self.shape

    @property
    def output(self) -> KerasTensor:
        return self._output

    def get_weights(self) -> list:
        return []  # an input has no weights (and may start several models)

    def set_weights(self, weights) -> None:
        if list(weights):
            raise ValueError(f"InputLayer '{self.name}': an input has no weights. Received: {len(list(weights))} arrays")

    def __call__(self, *args, **kwargs):
        raise TypeError(f"InputLayer '{self.name}' is not called: it stands for the model input. "
                        f"Call the next layer on it, e.g. nn.Dense(8)(inp)")

    def get_config(self):
        return {"name": self.name, "batch_shape": list(self.batch_shape), "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("sparse", None), config.pop("ragged", None)  # Keras keys with no meaning here
        if "batch_input_shape" in config and "batch_shape" not in config:  # Keras 2 spelling
            config["batch_shape"] = config.pop("batch_input_shape")
        layer = super().from_config({k: v for k, v in config.items() if k != "dtype"})
        if "dtype" in config:
            dtype = config["dtype"]
            if isinstance(dtype, dict):
                dtype = (dtype.get("config") or {}).get("name")
            if dtype not in INPUT_DTYPES:
                raise ValueError(f"Input: expected dtype to be one of {', '.join(INPUT_DTYPES)}. Received: dtype={dtype!r}")
            layer.dtype = dtype
            layer._output.dtype = dtype
            layer._extra_config.pop("dtype", None)
        return layer


def Input(shape=None, batch_size=None, dtype="float32", name=None, batch_shape=None) -> InputLayer:
    """Declares a model input: the first entry of a Sequential list, or the start of a functional
    graph (``inp = nn.Input((28, 28, 1)); x = nn.Conv2D(8, 3)(inp); ...; nn.Model(inp, out)``).
    ``dtype="int32"`` declares integer ids (for Embedding)."""
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
        if input_shape[-1] is None:
            raise ValueError(f"Dense '{self.name}': the last axis of the input must have a known size. "
                             f"Received: input_shape={_fmt(input_shape)}")
        return tuple(input_shape[:-1]) + (self.units,)


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
            return (input_shape[0],) + tuple(None if d == -1 else d for d in self.target_shape)
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


class Embedding(Layer):
    """Integer ids in [0, input_dim) to dense vectors: output shape ``input_shape + (output_dim,)``.
    Weight: ``embeddings`` [input_dim, output_dim] (uniform in [-0.05, 0.05] by default, as Keras).
    Ids come as an integer Input (``nn.Input((T,), dtype="int32")``) or floats holding integers."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", mask_zero=False, **kwargs):
        who = "Embedding"
        self.input_dim = _checks.integer(who, "input_dim", input_dim, min_value=1)
        self.output_dim = _checks.integer(who, "output_dim", output_dim, min_value=1)
        if embeddings_initializer == "uniform":  # Keras' alias for RandomUniform(-0.05, 0.05)
            embeddings_initializer = initializers.RandomUniform()
        self.embeddings_initializer = initializers.get(embeddings_initializer, who, "embeddings_initializer")
        if _checks.boolean(who, "mask_zero", mask_zero):
            raise ValueError(f"{who}: mask_zero=True is not supported (masks do not propagate in pyj4). Received: mask_zero=True")
        self.mask_zero = False
        super().__init__(**kwargs)

    def get_config(self):
        return {"name": self.name, "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": self.embeddings_initializer.to_dict(), "mask_zero": self.mask_zero}

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

