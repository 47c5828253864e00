"""Functional models: a graph of layer calls from ``nn.Input`` tensors to outputs (Keras' functional API).

    inp = nn.Input((28, 28, 1))
    x = nn.Conv2D(8, 3, padding="same", activation="relu")(inp)
    x = nn.Add()([x, nn.Conv2D(8, 3, padding="same")(x)])        # a residual connection
    out = nn.Dense(10, activation="softmax")(nn.Flatten()(x))
    model = nn.Model(inp, out)

Python records the calls (``layers.base.Node``) and sends the graph to the engine as Keras 3's
functional ``get_config()`` (docs/nn-contract.md); the engine builds ``org.pyj4.nn.Functional`` from
it. Shapes are inferred in Python while the graph is defined, so a wrong connection fails there.
"""
from __future__ import annotations

import weakref

from . import _checks, _engine, layers as layers_module
from .layers.base import KerasTensor, _map_tensors, _symbolic
from .layers.core import InputLayer
from .models import Model


def _tensor_list(who, name, value):
    """One tensor or a list/tuple of them, as (list, given_as_list)."""
    if isinstance(value, dict):
        raise TypeError(f"{who}: {name} as a dict is not supported; pass a tensor or a list of tensors")
    many = isinstance(value, (list, tuple))
    items = list(value) if many else [value]
    if not items:
        raise ValueError(f"{who}: expected at least one tensor in {name}. Received: {name}={value!r}")
    out = []
    for i, v in enumerate(items):
        t = _symbolic(v)
        if t is None:
            where = f"{name}[{i}]" if many else name
            hint = " (a layer, not its output: call it on a tensor)" if isinstance(v, layers_module.Layer) else ""
            raise TypeError(f"{who}: expected {where} to be a symbolic tensor (nn.Input(...) or a layer's output). "
                            f"Received: {type(v).__name__}{hint}")
        out.append(t)
    return out, many


def _order_nodes(who, inputs, outputs):
    """Every call between the inputs and the outputs, each after the calls it reads (a depth-first
    post-order, inputs first), as the engine orders them."""
    sources = {id(t.node) for t in inputs}
    order = [t.node for t in inputs]
    done = set(sources)
    for out in outputs:
        stack = [(out.node, 0)] if id(out.node) not in done else []
        while stack:
            node, i = stack[-1]
            if node.is_input and id(node) not in sources:
                raise ValueError(f"{who}: the graph is disconnected: it reads the input {node.layer.name!r}, which is not "
                                 f"one of the model's inputs ({', '.join(t.node.layer.name for t in inputs)})")
            if i < len(node.input_tensors):
                stack[-1] = (node, i + 1)
                nxt = node.input_tensors[i].node
                if id(nxt) not in done:
                    stack.append((nxt, 0))
            else:
                stack.pop()
                if id(node) not in done:
                    done.add(id(node))
                    order.append(node)
    return order


class Functional(Model):
    """A model defined by a graph of layer calls; made by ``nn.Model(inputs, outputs)``.

    fit/evaluate/predict work as for Sequential on graphs with one input and one output (what the
    engine trains today); graphs with several inputs or outputs can be defined, built, inspected
    (summary, get/set_weights), saved and loaded."""

    def __init__(self, inputs, outputs, name=None, trainable=True):
        who = "Model"
        super().__init__(name=name)
        self._inputs, self._inputs_many = _tensor_list(who, "inputs", inputs)
        self._outputs, self._outputs_many = _tensor_list(who, "outputs", outputs)
        for t in self._inputs:
            if not isinstance(t._keras_history[0], InputLayer):
                raise ValueError(f"{who}: inputs must be nn.Input(...) tensors. Received: {t!r}, the output of "
                                 f"{type(t._keras_history[0]).__name__} {t._keras_history[0].name!r}")
        if len({id(t) for t in self._inputs}) != len(self._inputs):
            raise ValueError(f"{who}: an input is given twice. Received: inputs={[t.name for t in self._inputs]}")
        if not _checks.boolean(who, "trainable", trainable):
            raise ValueError(f"{who}: trainable=False on a whole model is not supported; freeze layers with "
                             f"trainable=False on each layer. Received: trainable=False")
        self._nodes = _order_nodes(who, self._inputs, self._outputs)
        self._layers = []
        seen = set()
        for node in self._nodes:
            if id(node.layer) not in seen:
                seen.add(id(node.layer))
                self._layers.append(node.layer)
        names = {}
        for layer in self._layers:
            if layer.name in names:
                raise ValueError(f"{who}: all layers need unique names. Received: two layers named {layer.name!r}")
            names[layer.name] = layer
            owner = layer._model() if layer._model is not None else None
            if owner is not None and owner is not self and not isinstance(layer, InputLayer):  # inputs hold no weights
                raise ValueError(f"{who}: layer {layer.name!r} already belongs to model {owner.name!r}; a layer's weights "
                                 f"live in one model, so build the graph with new layers (or use that model)")
        for layer in self._layers:
            if not isinstance(layer, InputLayer):
                layer._model = weakref.ref(self)
        first = self._inputs[0]
        self._input_shape = tuple(first.shape[1:])
        self._input_dtype = first.dtype

    # ------------------------------------------------------------------ structure
    @property
    def layers(self) -> list:
        """Every layer, InputLayers included, in the order of their first call (as Keras)."""
        return list(self._layers)

    @property
    def inputs(self) -> list:
        return list(self._inputs)

    @property
    def outputs(self) -> list:
        return list(self._outputs)

    @property
    def input_shape(self):
        shapes = [t.shape for t in self._inputs]
        return shapes if self._inputs_many else shapes[0]

    def _output_shape(self):
        shapes = [t.shape for t in self._outputs]
        return shapes if self._outputs_many else shapes[0]

    def _single_io(self, who):
        if len(self._inputs) != 1 or len(self._outputs) != 1:
            raise ValueError(f"{who}: model {self.name!r} has {len(self._inputs)} inputs and {len(self._outputs)} outputs; "
                             f"the engine fits, evaluates and predicts models with one input and one output in this "
                             f"version (get_config, summary, get/set_weights, save and load work)")

    # ------------------------------------------------------------------ shapes
    def _propagate(self, input_shapes):
        """Every output's shape for inputs of these shapes (batch included): the graph re-run in Python."""
        shapes = {id(t): s for t, s in zip(self._inputs, input_shapes)}

        def swap(t):
            return KerasTensor(shapes[id(t)], t.dtype)

        for node in self._nodes:
            if node.is_input:
                continue
            args = tuple(_map_tensors(swap, a) for a in node.args)
            kwargs = {k: _map_tensors(swap, v) for k, v in node.kwargs.items()}
            spec = node.layer._call_spec(*args, **kwargs)
            specs = spec if isinstance(spec, list) else [spec]
            for t, s in zip(node.outputs, specs):
                shapes[id(t)] = s
        return [shapes[id(t)] for t in self._outputs]

    def _check_shapes(self, input_shape):
        self._single_io("shape inference")
        return self._propagate([tuple(input_shape)])[0]

    def _output_shape_for(self, sample_shape):
        return self._check_shapes((None,) + tuple(sample_shape))

    def build(self, input_shape=None) -> None:
        """Creates the weights for the declared input shapes (``input_shape``, if given, must match them)."""
        if input_shape is not None:
            given = list(input_shape) if self._inputs_many else [input_shape]
            declared = [t.shape for t in self._inputs]
            if len(given) != len(declared) or not all(
                    len(g) == len(d) and all(a is None or b is None or a == b for a, b in zip(g, d))
                    for g, d in zip(given, declared)):
                raise ValueError(f"build: model {self.name!r} has inputs of shape {self.input_shape}. "
                                 f"Received: input_shape={input_shape!r}")
        if self._j is None or not self._built_for_input:
            shapes = [[-1 if d is None else d for d in t.shape[1:]] for t in self._inputs]
            _engine.build_all(self._java(), shapes)
            self._built_for_input = True

    def _require_built(self, who):
        self._require_open(who)
        if not self.built:
            self.build()

    def __call__(self, x):
        if _symbolic(x) is not None or (isinstance(x, (list, tuple)) and any(_symbolic(v) is not None for v in x)):
            raise TypeError(f"model {self.name!r}: a model cannot be called on symbolic tensors (nested models are not "
                            f"supported); build one graph from its layers")
        return self.predict(x)

    def _one(self, value, many, name):
        """A model declared with lists (``nn.Model([inp], [out])``) takes and gives one-element lists."""
        if many and isinstance(value, (list, tuple)):
            if len(value) != 1:
                raise ValueError(f"expected {name} as a list of 1 array (the model's {name}s). Received: {len(value)} items")
            return value[0]
        return value

    def fit(self, x=None, y=None, *args, **kwargs):
        self._single_io("fit")
        return super().fit(self._one(x, self._inputs_many, "input"), self._one(y, self._outputs_many, "output"),
                           *args, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        self._single_io("evaluate")
        return super().evaluate(self._one(x, self._inputs_many, "input"), self._one(y, self._outputs_many, "output"),
                                *args, **kwargs)

    def predict(self, x, *args, **kwargs):
        self._single_io("predict")
        out = super().predict(self._one(x, self._inputs_many, "input"), *args, **kwargs)
        return [out] if self._outputs_many else out

    # ------------------------------------------------------------------ config
    def _node_indices(self):
        """Per call, its index among this model's calls of the same layer (Keras re-indexes the nodes a
        model keeps, so calls made for other models do not count)."""
        mine = {id(n) for n in self._nodes}
        index = {}
        for layer in self._layers:
            k = 0
            for node in layer._inbound_nodes:
                if id(node) in mine:
                    index[id(node)] = k
                    k += 1
        return index

    def get_config(self) -> dict:
        index = self._node_indices()

        def ref(t):
            layer, node_index, tensor_index = t._keras_history
            return [layer.name, index[id(layer._inbound_nodes[node_index])], tensor_index]

        def tensor(t):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(t.shape), "dtype": t.dtype, "keras_history": ref(t)}}

        def plain(v):  # tuples become JSON lists
            if isinstance(v, (list, tuple)):
                return [plain(x) for x in v]
            if isinstance(v, dict):
                return {k: plain(x) for k, x in v.items()}
            return v

        entries = []
        for layer in self._layers:
            entry = layer.to_dict()
            entry["name"] = layer.name
            entry["inbound_nodes"] = [
                {"args": plain([_map_tensors(tensor, a) for a in node.args]),
                 "kwargs": plain({k: _map_tensors(tensor, v) for k, v in node.kwargs.items()})}
                for node in self._nodes if node.layer is layer and not node.is_input
            ]
            entries.append(entry)
        config = {"name": self.name, "trainable": True, "layers": entries,
                  "input_layers": [ref(t) for t in self._inputs], "output_layers": [ref(t) for t in self._outputs]}
        return config

    @classmethod
    def from_config(cls, config: dict, name=None) -> "Functional":
        """The Python graph of a Keras 3 functional config: layers made from their configs, then their
        calls replayed once the tensors they read exist."""
        who = "Functional.from_config"
        layers, pending = {}, {}
        for entry in config.get("layers") or []:
            layer = layers_module.deserialize(entry)
            lname = entry.get("name") or layer.name
            if lname != layer.name:
                raise ValueError(f"{who}: layer entry name {lname!r} differs from its config's name {layer.name!r}")
            if lname in layers:
                raise ValueError(f"{who}: two layers named {lname!r}")
            layers[lname] = layer
            calls = list(entry.get("inbound_nodes") or [])
            if any(not isinstance(c, dict) for c in calls):
                raise ValueError(f"{who}: layer {lname!r}: expected inbound nodes as {{'args': [...], 'kwargs': {{...}}}} "
                                 f"(Keras 3); Keras 2's list form is read by the Java engine only")
            pending[lname] = calls
        made = {(n, 0): [l.output] for n, l in layers.items() if isinstance(l, InputLayer)}  # (layer, node) -> outputs
        counts = {n: 0 for n in layers}  # calls replayed so far, per layer

        def resolve(v):
            if isinstance(v, dict) and v.get("class_name") == "__keras_tensor__":
                lname, node_index, tensor_index = (v.get("config") or {}).get("keras_history")
                outs = made.get((lname, node_index))
                if outs is None:
                    raise LookupError(lname)
                return outs[tensor_index]
            if isinstance(v, list):
                return [resolve(x) for x in v]
            if isinstance(v, dict):
                return {k: resolve(x) for k, x in v.items()}
            return v

        progress = True
        while progress:
            progress = False
            for lname, calls in pending.items():
                while calls:
                    try:
                        args = resolve(calls[0].get("args") or [])
                        kwargs = resolve(calls[0].get("kwargs") or {})
                    except LookupError:
                        break
                    out = layers[lname](*args, **kwargs)
                    made[(lname, counts[lname])] = out if isinstance(out, list) else [out]
                    counts[lname] += 1
                    calls.pop(0)
                    progress = True
        for lname, calls in pending.items():
            if calls:
                raise ValueError(f"{who}: the call of layer {lname!r} reads a tensor no layer makes: {calls[0]!r}")

        def tensor_of(r):
            lname, node_index, tensor_index = r
            if (lname, node_index) not in made:
                raise ValueError(f"{who}: a tensor reference names an unknown layer call: {r!r}")
            return made[(lname, node_index)][tensor_index]

        def refs(key):
            value = config.get(key)
            if not isinstance(value, list) or not value:
                raise ValueError(f"{who}: expected {key!r} as a list of [layer_name, node_index, tensor_index]. Received: {value!r}")
            if isinstance(value[0], str):
                return tensor_of(value)
            ts = [tensor_of(r) for r in value]
            return ts[0] if len(ts) == 1 else ts

        return cls(refs("input_layers"), refs("output_layers"), name=name or config.get("name"),
                   trainable=config.get("trainable", True))
