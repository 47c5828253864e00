"""Models: Keras-shaped ``Sequential`` whose weights and training loop live in the JVM.

A model here is a Python description (layer configs) plus one ``org.pyj4.nn.Model`` that the JVM
builds from the architecture JSON. Each fit/evaluate/predict is one call across the bridge; data
crosses without copies; the engine calls back into Python only for progress and Python callbacks.
"""
from __future__ import annotations

import json
import math
import os
import time
import weakref

import numpy as np

from . import _checks, _data, _engine, layers as layers_module
from . import losses as losses_module, metrics as metrics_module, optimizers as optimizers_module
from ._progress import ProgressBar
from .callbacks import Callback, History
from .layers import InputLayer, Layer, _fmt
from .layers.core import _sample_shape

_FLOAT32 = np.dtype(np.float32)  # NumPy's native float32 dtype is this one object: `is` spares a slow ==


def _compatible(declared, given) -> bool:
    """Whether a sample shape fits the declared one (None there: any size)."""
    given = tuple(given)
    return len(declared) == len(given) and all(d is None or g is None or d == g for d, g in zip(declared, given))


def _verbosity(who, verbose) -> int:
    if verbose == "auto":
        return 1
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"{who}: expected verbose to be 'auto', 0, 1 or 2. Received: verbose={verbose!r}")
    return int(verbose)


class Model:
    """Base class of pyj4 models: ``nn.Model(inputs, outputs)`` makes a functional model (a graph of
    layer calls, see ``pyj4.nn.functional``); ``nn.Sequential([...])`` a stack of layers."""

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from .functional import Functional  # noqa: PLC0415 - functional builds on this module

            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, name=None, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected arguments. Received: {len(args)} positional, "
                            f"{', '.join(sorted(kwargs)) or 'no'} keyword; nn.Model(inputs, outputs) builds a functional model")
        self.name = _checks.name_arg(type(self).__name__, name) or layers_module._unique_name(
            layers_module._snake(type(self).__name__))
        self._j = None  # org.pyj4.nn.Model, made from the architecture JSON when first needed
        self._built_for_input = False  # the Java model has weights for self._input_shape
        self._input_shape = None  # without the batch axis, once known (None for a length known at run time)
        self._input_dtype = "float32"  # what inputs cross as (an integer Input declares ids for Embedding)
        self._training_config = None  # the compile() JSON, replayed if the Java model is rebuilt
        self.optimizer = None
        self.loss = None
        self.compiled_metrics = []
        self.stop_training = False
        self._closed = False

    # ------------------------------------------------------------------ description
    def get_config(self) -> dict:  # every concrete subclass defines its configuration
        raise NotImplementedError(f"{type(self).__name__} does not define get_config()")

    def to_dict(self) -> dict:
        return {"class_name": type(self).__name__, "config": self.get_config()}

    def to_json(self, **kwargs) -> str:
        """The architecture JSON (Keras 3 shapes) that the engine builds this model from."""
        return json.dumps(self.to_dict(), **kwargs)

    @property
    def layers(self) -> list:
        return []

    def get_layer(self, name=None, index=None) -> Layer:
        """A layer by name or by index in ``model.layers`` (Keras' get_layer)."""
        if (name is None) == (index is None):
            raise ValueError(f"get_layer: give a name or an index. Received: name={name!r}, index={index!r}")
        if index is not None:
            if not 0 <= index < len(self.layers):
                raise ValueError(f"get_layer: model {self.name!r} has {len(self.layers)} layers. Received: index={index}")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"get_layer: no layer named {name!r} in model {self.name!r}; it has "
                         f"{', '.join(l.name for l in self.layers)}")

    @property
    def built(self) -> bool:
        return self._j is not None and _engine.is_built(self._j)

    def _require_open(self, who):
        if self._closed:
            raise RuntimeError(f"{who}: model {self.name!r} was closed; its weights are gone. Load or build a new model")

    @property
    def input_shape(self):
        return None if self._input_shape is None else (None,) + tuple(self._input_shape)

    @property
    def output_shape(self):
        return self._output_shape()

    def _output_shape(self):
        return None

    # ------------------------------------------------------------------ the Java model
    def _java(self):
        if self._j is None:
            if self._closed:
                raise RuntimeError(f"model {self.name!r} was closed; its weights are gone. Load or build a new model")
            self._j = _engine.from_json(self.to_json())
            self._built_for_input = False
            if self._training_config is not None:
                _engine.compile(self._j, json.dumps(self._training_config))
        return self._j

    def build(self, input_shape) -> None:
        """Creates the weights for inputs of ``input_shape`` (the batch axis may be given as None)."""
        shape = tuple(input_shape)
        if shape and shape[0] is None:
            shape = shape[1:]
        self._ensure_built(_sample_shape(f"{type(self).__name__}.build", shape), "build")

    def _ensure_built(self, sample_shape: tuple, who: str) -> None:
        sample_shape = tuple(None if d is None else int(d) for d in sample_shape)
        if self._input_shape is not None and not _compatible(self._input_shape, sample_shape):
            raise ValueError(f"{who}: expected inputs of shape {_fmt((None,) + tuple(self._input_shape))} (the model's input). "
                             f"Received: shape {_fmt((None,) + sample_shape)}")
        if self._input_shape is None:
            self._check_shapes((None,) + sample_shape)  # a wrong Reshape fails here, in Python
            self._input_shape = sample_shape
        if self._j is None or not self._built_for_input:
            # Built for the declared shape: a None dimension (a sequence length) stays free in the engine.
            _engine.build(self._java(), [-1 if d is None else d for d in self._input_shape])
            self._built_for_input = True  # later calls skip the crossing (build is a no-op then)

    def _check_shapes(self, input_shape):
        return input_shape

    def close(self) -> None:
        """Frees the model's weights and optimizer state in the JVM now (also done when collected)."""
        j, self._j = self._j, None
        if j is not None:
            self._closed = True
            _engine.close(j)

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Chooses the optimizer, loss and metrics (objects or Keras strings) for fit/evaluate."""
        opt = optimizers_module.get(optimizer)
        loss_obj = losses_module.get(loss)
        if metrics is None:
            metrics = []
        if isinstance(metrics, (str, metrics_module.Metric)):
            metrics = [metrics]
        if not isinstance(metrics, (list, tuple)):
            raise TypeError(f"compile: expected metrics to be a list such as ['accuracy']. Received: metrics={metrics!r}")
        names = [metrics_module.get(m) for m in metrics]
        config = {"optimizer": opt.to_dict(), "loss": loss_obj.to_dict(), "metrics": names}
        if self._j is not None:
            _engine.compile(self._j, json.dumps(config))
        self._training_config = config
        self.optimizer, self.loss, self.compiled_metrics = opt, loss_obj, names
        if self._input_shape is not None:
            self._java()  # configuration errors the engine finds surface at compile time

    def _require_compiled(self, who):
        if self._training_config is None:
            raise RuntimeError(f"{who}: the model must be compiled first; call model.compile(optimizer=..., loss=...)")

    # ------------------------------------------------------------------ data in
    def _features(self, who, x, name="x"):
        x = _data.as_host_or_array(x, who, name)
        _data.check_features(who, x, None, name)
        if self._input_shape is not None and not _compatible(self._input_shape, x.shape[1:]):
            raise ValueError(f"{who}: expected {name} of shape {_fmt((None,) + tuple(self._input_shape))} (the model's input). "
                             f"Received: {name}={_data.describe(x)}")
        return x

    def _xy(self, who, x, y, xname="x", yname="y"):
        x = self._features(who, x, xname)
        y = _data.as_host_or_array(y, who, yname)
        _data.check_lengths(who, x, y, xname, yname)
        if self._input_shape is None:
            self._check_shapes((None,) + tuple(x.shape[1:]))
        out = self._output_shape_for(x.shape[1:])
        y, ydtype = _data.check_labels(who, y, self.loss, out, yname)
        return x, y, ydtype

    def _output_shape_for(self, sample_shape):
        return self._check_shapes((None,) + tuple(sample_shape))

    # ------------------------------------------------------------------ fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, initial_epoch=0, seed=None):
        """Trains in the JVM; returns a History whose ``history`` maps "loss", metrics and "val_*" to
        per-epoch lists. ``x``/``y``: numpy arrays or pj.NDArrays (or ``x`` a pj.data.Dataset)."""
        who = "fit"
        self._require_compiled(who)
        batch_size = 32 if batch_size is None else _checks.integer(who, "batch_size", batch_size, min_value=1)
        epochs = _checks.integer(who, "epochs", epochs, min_value=0)
        initial_epoch = _checks.integer(who, "initial_epoch", initial_epoch, min_value=0)
        verbose = _verbosity(who, verbose)
        shuffle = _checks.boolean(who, "shuffle", shuffle)
        seed = _checks.optional_seed(who, seed)
        validation_split = _checks.real(who, "validation_split", validation_split, low=0.0, high=1.0, high_open=True)
        callbacks = _callback_list(who, callbacks)

        if _data._is_dataset(x):
            if x.x is None:  # a stream: the engine pulls record batches itself
                return self._fit_dataset(x, y, batch_size, epochs, verbose, callbacks, validation_data, shuffle,
                                         initial_epoch, seed, validation_split)
            x, y = _dataset_arrays(who, x, y)  # in memory: the arrays path (views, no copy)

        x, y, ydtype = self._xy(who, x, y)
        self._ensure_built(x.shape[1:], who)  # from here validation data is checked against the input shape
        xv = yv = None
        if validation_data is not None:
            xv, yv = _validation_pair(who, validation_data)
            xv, yv, _ = self._xy(who, xv, yv, "validation_data[0]", "validation_data[1]")
        elif validation_split:
            x, y, xv, yv = _data.split_validation(who, x, y, validation_split)

        # Zero-copy views for the engine; the Python references keep the memory alive during the call.
        xj, yj = _data.to_jvm(x, self._input_dtype), _data.to_jvm(y, ydtype)
        xvj = None if xv is None else _data.to_jvm(xv, self._input_dtype)
        yvj = None if yv is None else _data.to_jvm(yv, ydtype)
        steps = math.ceil(len(x) / batch_size)
        options = dict(batch_size=batch_size, epochs=epochs, shuffle=shuffle, seed=seed, initial_epoch=initial_epoch)
        return self._run_fit(lambda jcb: _engine.fit_arrays(self._j, xj, yj, xvj, yvj, options, jcb),
                             callbacks, verbose, epochs, steps, batch_size)

    def _fit_dataset(self, ds, y, batch_size, epochs, verbose, callbacks, validation_data, shuffle, initial_epoch,
                     seed, validation_split):
        """fit on a streamed pj.data.Dataset: the engine iterates its BatchSource, one pass per epoch."""
        who = "fit"
        if y is not None:
            raise ValueError(f"{who}: a pj.data.Dataset carries its labels; do not pass y. Received: y of type {type(y).__name__}")
        if validation_split:
            raise ValueError(f"{who}: validation_split needs data of known size; pass validation_data instead. "
                             f"Received: validation_split={validation_split}")
        if ds.label is None:
            raise ValueError(f"{who}: the Dataset has no label column; make it with label=...")
        val = None
        if validation_data is not None:
            if not _data._is_dataset(validation_data):
                from ..data import Dataset

                xv, yv = _validation_pair(who, validation_data)
                validation_data = Dataset.from_numpy(*(_data.as_host_or_array(a, who, "validation_data") for a in (xv, yv)))
            val = validation_data.to_java(batch_size, False, None)
        train = ds.to_java(batch_size, shuffle, seed)
        size = ds.size
        steps = math.ceil(size / batch_size) if size else None
        options = dict(batch_size=batch_size, epochs=epochs, shuffle=shuffle, seed=seed, initial_epoch=initial_epoch)
        try:
            return self._run_fit(lambda jcb: _engine.fit_source(self._java(), train, val, options, jcb),
                                 callbacks, verbose, epochs, steps, batch_size)
        finally:
            _engine.close(train)
            if val is not None:
                _engine.close(val)
            if self._input_shape is None and self._j is not None:
                self._input_shape = _engine.input_shape(self._j)

    def _run_fit(self, call, callbacks, verbose, epochs, steps, batch_size):
        self.stop_training = False
        params = {"verbose": verbose, "epochs": epochs, "steps": steps}
        session = _engine.FitSession(self)
        try:
            jcallbacks = []
            if verbose:
                jcallbacks.append(session.progress_callback(ProgressBar(epochs, steps, verbose)))
            for cb in callbacks:
                cb.set_params(params)
                jcallbacks.append(cb._to_java(self, session))
            history, epoch_list = call(jcallbacks)
        finally:
            session.close()  # cuts the proxies' links to Python; re-raises a callback's exception
        for cb in callbacks:
            after = getattr(cb, "_after_fit", None)
            if after is not None:
                after()
        return History(history, epoch_list, params, self)

    # ------------------------------------------------------------------ evaluate / predict
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", return_dict=True):
        """Loss and metrics on (x, y): a dict such as {"loss": 0.1, "accuracy": 0.97}."""
        who = "evaluate"
        self._require_compiled(who)
        batch_size = 32 if batch_size is None else _checks.integer(who, "batch_size", batch_size, min_value=1)
        verbose = _verbosity(who, verbose)
        start = time.perf_counter()
        if _data._is_dataset(x) and x.x is not None:
            x, y = _dataset_arrays(who, x, y)
        if _data._is_dataset(x):
            if y is not None:
                raise ValueError(f"{who}: a pj.data.Dataset carries its labels; do not pass y")
            src = x.to_java(batch_size, False, None)
            try:
                result = _engine.evaluate_source(self._java(), src)
            finally:
                _engine.close(src)
            n = x.size
        else:
            x, y, ydtype = self._xy(who, x, y)
            self._ensure_built(x.shape[1:], who)
            xj, yj = _data.to_jvm(x, self._input_dtype), _data.to_jvm(y, ydtype)
            result = _engine.evaluate_arrays(self._j, xj, yj, batch_size)
            n = len(x)
        if verbose:
            steps = math.ceil(n / batch_size) if n and n > 0 else 1
            print(ProgressBar(1, steps, verbose).summary_line(result, steps, time.perf_counter() - start))
        if return_dict:
            return result
        values = [result["loss"]] + [v for k, v in result.items() if k != "loss"]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose=0):
        """The model's outputs for ``x`` as a numpy array (computed in the JVM, ``batch_size`` rows at a time)."""
        # Serving a built model float32 rows of its input shape: nothing below would change them,
        # so skip straight to the engine (this is most of a batch-1 call's Python time).
        if (type(x) is np.ndarray and x.dtype is _FLOAT32 and verbose == 0 and type(batch_size) is int and batch_size >= 1
                and self._j is not None and self._built_for_input and self._input_dtype == "float32"
                and x.shape[1:] == self._input_shape and x.shape[0] > 0):
            out = _engine.predict_rows(self._j, x, batch_size)
            if out is not None:
                return out
        who = "predict"
        batch_size = 32 if batch_size is None else _checks.integer(who, "batch_size", batch_size, min_value=1)
        _verbosity(who, verbose)
        if _data._is_dataset(x):
            if x.x is None:  # a stream: the engine reads its record batches and joins the outputs
                src = x.to_java(batch_size, False, None)
                try:
                    return _engine.predict_source(self._java(), src)
                finally:
                    _engine.close(src)
            x = x.x
        x = self._features(who, x)
        if self._input_shape is None:
            self._check_shapes((None,) + tuple(x.shape[1:]))
        self._ensure_built(x.shape[1:], who)
        dtype = np.dtype(self._input_dtype)
        if isinstance(x, np.ndarray):
            x = np.ascontiguousarray(x, dtype=dtype)  # no copy when it already is
        elif x.dtype != dtype:
            x = x.astype(self._input_dtype)
        return _engine.predict(self._j, x, batch_size)

    def __call__(self, x):
        """``model(x)``: the outputs for ``x`` as NumPy (inference only: gradients live in the JVM)."""
        return self.predict(x)

    # ------------------------------------------------------------------ weights
    def _require_built(self, who):
        self._require_open(who)
        if not self.built:
            raise ValueError(
                f"{who}: the model has no weights yet. Start it with nn.Input(shape), call model.build(input_shape), "
                "or fit/predict once"
            )

    def get_weights(self) -> list:
        """Copies of the weights as numpy arrays, in Keras order (per layer: kernel, bias)."""
        self._require_built("get_weights")
        return _engine.get_weights(self._j)

    def set_weights(self, weights) -> None:
        """Sets every weight from a list of arrays shaped as ``get_weights()`` returns them."""
        who = "set_weights"
        self._require_built(who)
        if isinstance(weights, np.ndarray) or not isinstance(weights, (list, tuple)):
            raise TypeError(f"{who}: expected a list of arrays. Received: {type(weights).__name__}")
        arrays = []
        for i, w in enumerate(weights):
            w = _data.as_host_or_array(w, who, f"weights[{i}]")
            arrays.append(w)
        _engine.set_weights(self._j, arrays)

    def count_params(self) -> int:
        self._require_built("count_params")
        return _engine.count_params(self._j)

    def _weight_slices(self):
        """(layer, start, stop) of each layer's weights in get_weights(), from the engine's weight names
        ("{layer}/{weight}", in Keras order)."""
        owners = [n.split("/", 1)[0] for n in _engine.weight_names(self._j)]
        for layer in self.layers:
            at = [i for i, o in enumerate(owners) if o == layer.name]
            yield layer, (at[0] if at else 0), (at[-1] + 1 if at else 0)

    def _layer_weights(self, layer):
        self._require_built("get_weights")
        weights = self.get_weights()
        for l, a, b in self._weight_slices():
            if l is layer:
                return weights[a:b]
        raise ValueError(f"layer {layer.name} is not part of model {self.name}")

    def _set_layer_weights(self, layer, values):
        self._require_built("set_weights")
        weights = self.get_weights()
        for l, a, b in self._weight_slices():
            if l is layer:
                if not isinstance(values, (list, tuple)) or len(values) != b - a:
                    raise ValueError(f"{layer.name}.set_weights: expected a list of {b - a} arrays. Received: {values!r}")
                weights[a:b] = list(values)
                self.set_weights(weights)
                return
        raise ValueError(f"layer {layer.name} is not part of model {self.name}")

    # ------------------------------------------------------------------ summary / save
    def summary(self, print_fn=None) -> None:
        """Prints the layers, their output shapes and parameter counts (the engine's table)."""
        self._require_built("summary")
        text = _engine.summary(self._j)
        (print_fn or print)(text)

    def save(self, filepath, overwrite=True) -> None:
        """Writes the model (architecture, weights, training config) to one file that Java, Scala and
        ``nn.load_model`` read."""
        self._require_built("save")
        path = os.fspath(filepath)
        if not overwrite and os.path.exists(path):
            raise FileExistsError(f"save: {path} exists and overwrite=False")
        parent = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(parent):
            raise FileNotFoundError(f"save: the directory {parent} does not exist. Received: filepath={path!r}")
        _engine.save(self._j, os.path.abspath(path))

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name} built={self.built}>"


class Sequential(Model):
    """A stack of layers, each feeding the next: ``nn.Sequential([nn.Input((784,)), nn.Dense(10)])``."""

    def __init__(self, layers=None, name=None):
        super().__init__(name=name)
        self._layers: list[Layer] = []
        if layers is not None:
            if isinstance(layers, Layer) or not isinstance(layers, (list, tuple)):
                raise TypeError(f"Sequential: expected a list of layers. Received: layers={layers!r}")
            for layer in layers:
                self._append(layer)
        self._refresh()

    # ---- structure
    def _append(self, layer):
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential: expected a layer such as nn.Dense(10). Received: {layer!r}"
                            + (" (a class, not an instance)" if isinstance(layer, type) else ""))
        if isinstance(layer, InputLayer) and self._layers:
            raise ValueError(f"Sequential: nn.Input must be the first layer. Received: {layer.name} at position {len(self._layers)}")
        if any(l.name == layer.name for l in self._layers):
            raise ValueError(f"Sequential: all layers must have unique names. Received: a second layer named {layer.name!r}")
        if layer._model is not None and layer._model() not in (None, self):
            raise ValueError(f"Sequential: layer {layer.name!r} already belongs to another model; make a new layer")
        self._layers.append(layer)
        layer._model = weakref.ref(self)
        if isinstance(layer, InputLayer) or (len(self._layers) == 1 and layer._input_shape_arg is not None):
            shape = layer.shape if isinstance(layer, InputLayer) else layer._input_shape_arg
            self._input_shape = tuple(shape)
            if isinstance(layer, InputLayer):
                self._input_dtype = layer.dtype
        self._check_shapes(self.input_shape)

    def add(self, layer) -> None:
        """Appends a layer. Weights the model already has are kept."""
        self._append(layer)
        self._refresh()

    def pop(self) -> Layer:
        """Removes and returns the last layer (not the Input). Remaining weights are kept."""
        if not self.layers:
            raise IndexError("pop: the model has no layers")
        layer = self._layers.pop()
        layer._model = None
        self._refresh()
        return layer

    def _refresh(self):
        """(Re)creates the Java model after a change, keeping the weights of unchanged layers."""
        old, self._j = self._j, None
        self._built_for_input = False
        kept = None
        if old is not None:
            if _engine.is_built(old):
                kept = _engine.get_weights(old)
            _engine.close(old)
        if self._input_shape is not None and self.layers:
            self._java()
            _engine.build(self._j, [-1 if d is None else d for d in self._input_shape])
            if kept:
                fresh = _engine.get_weights(self._j)
                for i in range(min(len(kept), len(fresh))):
                    if kept[i].shape == fresh[i].shape:
                        fresh[i] = kept[i]
                _engine.set_weights(self._j, fresh)

    @property
    def layers(self) -> list:
        """The layers, without the InputLayer (as in Keras)."""
        return [l for l in self._layers if not isinstance(l, InputLayer)]

    def _check_shapes(self, input_shape):
        """Runs shape inference through the layers; returns the output shape (None if unknown)."""
        if input_shape is None:
            return None
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
            if isinstance(shape, list):
                raise ValueError(f"Sequential: layer {layer.name!r} returns {len(shape)} tensors (return_state=True); "
                                 f"use the functional API (nn.Model(inputs, outputs)) to route them")
        return shape

    def _output_shape(self):
        return self._check_shapes(self.input_shape)

    def get_config(self) -> dict:
        entries = [l.to_dict() for l in self._layers]
        if self._layers and not isinstance(self._layers[0], InputLayer) and self._input_shape is not None:
            entries.insert(0, {"class_name": "InputLayer",
                               "config": {"name": f"{self.name}_input", "batch_shape": [None, *self._input_shape],
                                          "dtype": "float32"}})
        return {"name": self.name, "layers": entries}

    @classmethod
    def from_config(cls, config: dict) -> "Sequential":
        return cls([layers_module.deserialize(e) for e in config.get("layers", [])], name=config.get("name"))


def _dataset_arrays(who, ds, y):
    """The (features, labels) arrays of an in-memory pj.data.Dataset."""
    if y is not None:
        raise ValueError(f"{who}: a pj.data.Dataset carries its labels; do not pass y. Received: y of type {type(y).__name__}")
    if ds.y is None:
        raise ValueError(f"{who}: the Dataset has no labels; make it with Dataset.from_numpy(x, y) or label=...")
    return ds.x, ds.y


def _validation_pair(who, data):
    if _data._is_dataset(data):
        if data.x is None:
            raise TypeError(f"{who}: a streamed Dataset as validation_data needs a streamed Dataset as x too")
        return _dataset_arrays(who, data, None)
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError(f"{who}: expected validation_data=(x_val, y_val). Received: {type(data).__name__}"
                         + (f" of length {len(data)}" if isinstance(data, (tuple, list)) else ""))
    return data


def _callback_list(who, callbacks):
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        callbacks = [callbacks]
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"{who}: expected callbacks to be a list of nn.callbacks.Callback. Received: {callbacks!r}")
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"{who}: expected callbacks to be nn.callbacks.Callback objects. Received: {cb!r}")
    return list(callbacks)


def _from_spec(who, spec) -> Model:
    kind = spec.get("class_name") if isinstance(spec, dict) else None
    config = (spec.get("config") or {}) if isinstance(spec, dict) else {}
    if kind == "Sequential":
        return Sequential.from_config(config)
    if kind in ("Functional", "Model"):
        from .functional import Functional  # noqa: PLC0415

        return Functional.from_config(config)
    raise ValueError(f"{who}: expected a Sequential or Functional model. Received: class_name={kind!r}")


def model_from_json(text: str) -> Model:
    """A Python model from an architecture JSON (no weights)."""
    return _from_spec("model_from_json", json.loads(text))


def load_model(filepath) -> Model:
    """Reads a model file written by ``model.save`` (in Python, Java or Scala): architecture, weights,
    and the training config when it was compiled."""
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_model: no such file: {path}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"load_model: expected a model file, got a directory: {path}")
    j = _engine.load(os.path.abspath(path))
    try:
        spec = json.loads(_engine.to_json(j))
        if spec.get("class_name") == "Sequential":
            cfg = spec.get("config") or {}
            model = Model.__new__(Sequential)
            Model.__init__(model, name=cfg.get("name"))
            model._layers = []
            for entry in cfg.get("layers", []):
                model._append(layers_module.deserialize(entry))
        else:
            model = _from_spec(f"load_model: {path}", spec)  # the Python graph; the engine's model carries the weights
        model._j = j
        if model._input_shape is None:
            model._input_shape = _engine.input_shape(j)
        model._built_for_input = _engine.is_built(j)
        training = _engine.training_config(j)
        if training is not None:
            model._training_config = training
            model.optimizer = optimizers_module.get(training["optimizer"]) if training.get("optimizer") else None
            model.loss = losses_module.get(training["loss"]) if training.get("loss") else None
            model.compiled_metrics = list(training.get("metrics") or [])
        return model
    except BaseException:
        _engine.close(j)
        raise
