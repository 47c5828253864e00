"""The layer base class, symbolic tensors and graph nodes (Keras' Layer, KerasTensor and Node).

A layer object here is configuration only: ``get_config()`` gives the Keras 3 config that the JVM
engine builds the real layer from. Weights live in the model (in the JVM), so reading or setting
them goes through the model (``model.get_weights()``, ``layer.get_weights()`` once the layer
belongs to a built model).

Lifecycle as in Keras: ``__init__`` validates arguments, ``compute_output_shape`` infers shapes
(so that wrong inputs are caught in Python before anything crosses the bridge), and the engine
creates weights when the model is built. Calling a layer on a symbolic tensor (``nn.Input(...)`` or
another layer's output) records a :class:`Node`; ``nn.Model(inputs, outputs)`` turns the recorded
graph into a functional model.
"""
from __future__ import annotations

import collections
import inspect
import re

from .. import _checks

_uids: collections.Counter = collections.Counter()


def _unique_name(prefix: str) -> str:
    """Keras-style automatic names: dense, dense_1, dense_2, ... (per prefix, per process)."""
    n = _uids[prefix]
    _uids[prefix] += 1
    return prefix if n == 0 else f"{prefix}_{n}"


def _snake(name: str) -> str:
    """Keras' to_snake_case: Conv2D -> conv2d, MultiHeadAttention -> multi_head_attention, LSTM -> lstm."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _fmt(shape) -> str:
    """``(None, 28, 28, 1)``: a shape as the messages write it."""
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


# ---------------------------------------------------------------------------------------------
# symbolic tensors and nodes


class KerasTensor:
    """A tensor of a functional graph: no values, only a shape (batch axis first, None where
    unknown), a dtype, and where it comes from (``_keras_history``: the layer, which call of it,
    which output). Made by ``nn.Input(...)`` and by calling layers on other symbolic tensors."""

    def __init__(self, shape, dtype="float32", history=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self._keras_history = history  # (layer, node_index, tensor_index)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def name(self) -> str:
        layer, node_index, tensor_index = self._keras_history
        return layer.name + (f"_{node_index}" if node_index else "") + (f"_{tensor_index}" if tensor_index else "")

    @property
    def node(self) -> "Node":
        layer, node_index, _ = self._keras_history
        return layer._inbound_nodes[node_index]

    def __repr__(self):
        return f"<KerasTensor shape={_fmt(self.shape)}, dtype={self.dtype}, name={self.name}>"

    def _no_math(self, *_):
        raise TypeError("a symbolic tensor has no values: combine tensors with layers, e.g. nn.Add()([a, b]), "
                        "nn.Multiply()([a, b]), nn.Concatenate()([a, b])")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __matmul__ = __truediv__ = _no_math
    __neg__ = __getitem__ = _no_math

    def __array__(self, *args, **kwargs):
        raise TypeError("a symbolic tensor has no values; build a model with nn.Model(inputs, outputs) and call "
                        "model.predict(x)")

    def __bool__(self):
        raise TypeError("a symbolic tensor has no truth value")

    __hash__ = object.__hash__


def _symbolic(obj):
    """``obj`` as a KerasTensor when it stands for one (an InputLayer stands for its tensor), else None."""
    if isinstance(obj, KerasTensor):
        return obj
    from .core import InputLayer  # noqa: PLC0415 - core imports this module

    if isinstance(obj, InputLayer):
        return obj.output
    return None


def _map_tensors(fn, obj):
    """Applies ``fn`` to every tensor (or InputLayer) inside nested lists, tuples and dicts."""
    t = _symbolic(obj)
    if t is not None:
        return fn(t)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_map_tensors(fn, o) for o in obj)
    if isinstance(obj, dict):
        return {k: _map_tensors(fn, v) for k, v in obj.items()}
    return obj


def _flat_tensors(obj) -> list:
    out = []
    _map_tensors(out.append, obj)
    return out


def _check_call_value(who, name, value):
    """Call arguments cross as JSON: tensors, None, bools, numbers, strings and lists of them."""
    if _symbolic(value) is not None or value is None or isinstance(value, (bool, int, float, str)):
        return
    if isinstance(value, (list, tuple)):
        for v in value:
            _check_call_value(who, name, v)
        return
    raise TypeError(f"{who}: call arguments must be symbolic tensors (nn.Input(...) or a layer's output) or plain values. "
                    f"Received: {name} of type {type(value).__name__}")


class Node:
    """One call of a layer on symbolic tensors: the arguments as given, and the outputs it made."""

    def __init__(self, layer, args: tuple, kwargs: dict, outputs: list):
        self.layer = layer
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs
        self.input_tensors = _flat_tensors((args, kwargs))

    @property
    def is_input(self) -> bool:
        return not self.input_tensors

    def __repr__(self):
        return f"<Node {self.layer.name} with {len(self.input_tensors)} inputs>"


# ---------------------------------------------------------------------------------------------
# the layer


class Layer:
    """Base class of all layers: a name, a Keras config, shape inference, and calls on symbolic tensors."""

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
        self._inbound_nodes: list[Node] = []  # calls on symbolic tensors, in order

    @property
    def _who(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

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

    def _rank_check(self, input_shape, ranks, what):
        if len(input_shape) not in ranks:
            want = " or ".join(str(r) for r in ranks)
            raise ValueError(f"{self._who}: expected inputs of rank {want} ({what}). Received: input_shape={_fmt(input_shape)}")

    # ---- calls on symbolic tensors (the functional API)
    def __call__(self, *args, **kwargs):
        """Calls the layer on symbolic tensors: records the call and returns its output tensor(s).

        Layers compute inside the JVM as part of a model, so they are called on ``nn.Input(...)``
        tensors (or other layers' outputs) to build a graph for ``nn.Model(inputs, outputs)``."""
        who = self._who
        args = tuple(_map_tensors(lambda t: t, a) for a in args)  # an InputLayer stands for its tensor
        kwargs = {k: _map_tensors(lambda t: t, v) for k, v in kwargs.items()}
        if not _flat_tensors((args, kwargs)):
            got = type(args[0]).__name__ if args else "no arguments"
            raise TypeError(
                f"{who}: layers run inside the JVM as part of a model; call a layer on symbolic tensors "
                f"(x = nn.Input(shape); y = layer(x); model = nn.Model(x, y)) and use model.predict(data) for values. "
                f"Received: {got}")
        for i, a in enumerate(args):
            _check_call_value(who, f"argument {i}", a)
        for k, v in kwargs.items():
            _check_call_value(who, k, v)
        try:
            spec = self._call_spec(*args, **kwargs)
        except TypeError as e:
            if str(e).startswith(type(self).__name__):
                raise
            raise TypeError(f"{who}: {e}") from None
        multi = isinstance(spec, list)
        specs = spec if multi else [spec]
        node_index = len(self._inbound_nodes)
        outputs = [KerasTensor(shape, "float32", (self, node_index, i)) for i, shape in enumerate(specs)]
        self._inbound_nodes.append(Node(self, args, kwargs, outputs))
        return outputs if multi else outputs[0]

    def _call_spec(self, inputs, training=None, mask=None):
        """Output shape(s) of a call (batch included): a tuple, or a list of tuples for several outputs.
        The signature is the layer's call signature; the default takes one tensor."""
        x = self._one_tensor(inputs, "inputs")
        if mask is not None:
            raise ValueError(f"{self._who}: masks are not supported. Received: mask={mask!r}")
        _training_arg(self._who, training)
        return self.compute_output_shape(x.shape)

    def _one_tensor(self, value, name):
        t = _symbolic(value)
        if t is None:
            raise TypeError(f"{self._who}: expected {name} to be one symbolic tensor. Received: {name} of type {type(value).__name__}")
        return t

    @property
    def output(self) -> KerasTensor:
        """The output tensor of the layer's only call (Keras' ``layer.output``)."""
        if len(self._inbound_nodes) != 1 or len(self._inbound_nodes[0].outputs) != 1:
            raise AttributeError(f"{self._who}: layer.output needs exactly one call with one output; this layer has "
                                 f"{len(self._inbound_nodes)} calls")
        return self._inbound_nodes[0].outputs[0]

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


    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _training_arg(who, training):
    """The engine decides the mode (training in fit, inference in predict/evaluate), so a call in a
    graph cannot fix it."""
    if training is not None:
        raise ValueError(f"{who}: the engine runs layers in training mode during fit and in inference mode in "
                         f"predict/evaluate; a graph call cannot fix it. Received: training={training!r}")
