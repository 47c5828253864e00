"""Every call from pyj4.nn into the Java engine ``org.pyj4.nn`` goes through this module, so the
boundary (docs/nn-contract.md) is visible in one place. Functions take and return Python values;
Java exceptions become Python ones (``java_errors``)."""
from __future__ import annotations

import json
import math
import threading
import weakref

import jpype
import numpy as np

from .._java import java_errors, translate
from .._jvm import jclass
from .. import _ndarray
from .._ndarray import NDArray, _wrap, asarray
from .callbacks import Callback

_classes = {}


def _cls(name):
    c = _classes.get(name)
    if c is None:
        c = _classes[name] = jclass(name)
    return c


def _Model():
    return _cls("org.pyj4.nn.Model")


def _path(p: str):
    return _cls("java.io.File")(p).toPath()


def _logs(jmap) -> dict:
    """A Java Map<String, Double> of logs as a dict of floats."""
    if jmap is None:
        return {}
    return {str(e.getKey()): float(e.getValue()) for e in jmap.entrySet()}


# ---------------------------------------------------------------------------------------------
# model lifecycle


@java_errors
def from_json(architecture: str):
    return _Model().fromJson(architecture)


@java_errors
def compile(j, training_config: str) -> None:
    j.compile(training_config)


@java_errors
def build(j, sample_shape) -> None:
    j.build(jpype.JArray(jpype.JLong)([int(d) for d in sample_shape]))


@java_errors
def build_all(j, sample_shapes) -> None:
    """Builds a Functional model with several inputs (one shape per input, -1 where unknown)."""
    shapes = _cls("java.util.ArrayList")()
    for s in sample_shapes:
        shapes.add(jpype.JArray(jpype.JLong)([int(d) for d in s]))
    j.buildAll(shapes)


@java_errors
def is_built(j) -> bool:
    return bool(j.isBuilt())


def close(j) -> None:
    if jpype.isJVMStarted():
        j.close()


@java_errors
def to_json(j) -> str:
    return str(j.toJson())


@java_errors
def summary(j) -> str:
    return str(j.summary())


@java_errors
def count_params(j) -> int:
    return int(j.countParams())


@java_errors
def input_shape(j):
    shape = j.inputShape()
    return None if shape is None else tuple(int(d) for d in shape)


@java_errors
def training_config(j):
    """The compile() config a loaded model carries (None if it was saved uncompiled)."""
    if not j.isCompiled():
        return None
    return json.loads(str(j.compiled("load_model").toJson().toString()))


# ---------------------------------------------------------------------------------------------
# weights


@java_errors
def get_weights(j) -> list:
    out = []
    for w in j.getWeights():
        out.append(_wrap(w).numpy())  # a view that owns the copy the engine made
    return out


@java_errors
def weight_names(j) -> list:
    """The weights' names in get_weights order: "{layer}/{weight}" (e.g. "conv2d/kernel")."""
    return [str(p.name()) for p in j.parameters()]


@java_errors
def set_weights(j, arrays) -> None:
    held = [asarray(np.ascontiguousarray(a, dtype=np.float32)) if isinstance(a, np.ndarray)
            else (a if a.dtype == np.float32 else a.astype("float32")) for a in arrays]
    jlist = _cls("java.util.ArrayList")()
    for h in held:
        jlist.add(h._j)
    j.setWeights(jlist)


# ---------------------------------------------------------------------------------------------
# save / load


@java_errors
def save(j, path: str) -> None:
    j.save(_path(path))


def load(path: str):
    try:
        return java_errors(lambda: _Model().load(_path(path)))()
    except (ValueError, RuntimeError, OSError) as e:
        reason = str(e)
        prefix = f"model file {path}: "
        while reason.startswith(prefix):  # the engine names the file too; say it once
            reason = reason[len(prefix):]
        raise ValueError(f"load_model: {path} is not a readable pyj4 model file: {reason}") from None


# ---------------------------------------------------------------------------------------------
# fit / evaluate / predict


def _fit_options(options: dict, xv=None, yv=None):
    o = _cls("org.pyj4.nn.FitOptions")()
    o.batchSize(options["batch_size"]).epochs(options["epochs"]).shuffle(options["shuffle"])
    o.initialEpoch(options["initial_epoch"]).verbose(0)  # Python draws the progress
    if options["seed"] is not None:
        o.seed(jpype.JObject(options["seed"], jpype.JClass("java.lang.Long")))
    if xv is not None:
        o.validationData(xv._j, yv._j)
    return o


def _jlist(items):
    lst = _cls("java.util.ArrayList")()
    for it in items:
        lst.add(it)
    return lst


def _history(h):
    """History.history() and epochs() as a dict of float lists and a list of ints."""
    history = {str(e.getKey()): [float(v) for v in e.getValue()] for e in h.history().entrySet()}
    return history, [int(e) for e in h.epochs()]


@java_errors
def fit_arrays(j, x: NDArray, y: NDArray, xv, yv, options: dict, callbacks: list):
    h = j.fit(x._j, y._j, _fit_options(options, xv, yv), _jlist(callbacks))
    return _history(h)


@java_errors
def fit_source(j, train, val, options: dict, callbacks: list):
    """fit over org.pyj4.data.BatchSource objects (a streamed pj.data.Dataset; the sources decide
    batch size and order)."""
    return _history(j.fit(train, val, _fit_options(options), _jlist(callbacks)))


@java_errors
def evaluate_arrays(j, x: NDArray, y: NDArray, batch_size: int) -> dict:
    return _logs(j.evaluate(x._j, y._j, int(batch_size)))


@java_errors
def predict_source(j, src) -> np.ndarray:
    return _wrap(j.predict(src)).numpy()


@java_errors
def evaluate_source(j, src) -> dict:
    return _logs(j.evaluate(src))


# Below this many bytes, copying through a Java float[] is cheaper than sharing memory (sharing
# sets up an owner proxy and a NumPy view: ~40 us each way); it matters for batch-1 latency.
SMALL_BYTES = 1 << 14


def _small_input(x: np.ndarray):
    """A JVM copy of a small float32 array (``J.NDArray.create`` from a Java float[])."""
    shape = jpype.JArray(jpype.JLong)([int(d) for d in x.shape])
    return _cls("org.pyj4.ndarray.NDArray").create(jpype.JArray(jpype.JFloat)(x.ravel()), shape)


# NumPy float32 input takes one crossing: Predictor.predictInto reads x's memory where it is (or, for
# a small batch, this thread's staged copy) and writes the predictions into a NumPy array made here
# (or a staged one, then copied), so nothing is wrapped or converted per call. What it needs from
# the JVM is cached: Java long[] shapes, and per model (by id) and input shape the output's shape. That is only a hint (a model may have been replaced under the
# same id, or changed): predictInto checks it and declines when it is not the model's.
_jshapes: dict = {}
_output_samples: dict = {}


def _jshape(shape):
    js = _jshapes.get(shape)
    if js is None:
        if len(_jshapes) > 256:
            _jshapes.clear()
        js = _jshapes[shape] = jpype.JArray(jpype.JLong)([int(d) for d in shape])
    return js


_predict_into_method = None

# pyj4._accel's predict path (C calling Predictor.predictIntoHandle through JNI, without JPype):
# False until looked up, then the module or None. Model handles by id(j): (weak reference to j, handle).
_accel = False
_model_handles: dict = {}


def _model_handle(j) -> int:
    entry = _model_handles.get(id(j))
    if entry is not None and entry[0]() is j:
        return entry[1]
    if len(_model_handles) > 256:
        for key in [k for k, (ref, _) in _model_handles.items() if ref() is None]:
            del _model_handles[key]  # Java dropped those models' entries when they were collected
    h = int(_cls("org.pyj4.nn.training.Predictor").handle(j))
    _model_handles[id(j)] = (weakref.ref(j), h)
    return h


def predict_rows(j, x: np.ndarray, batch_size: int):
    """model.predict's short path (its caller has checked that ``x`` is a NumPy float32 batch of the
    built model's sample shape): the predictions, or None where _predict_into declines. Not wrapped in
    java_errors, whose wrapper costs about a microsecond of a batch-1 call."""
    try:
        return _predict_into(j, x, batch_size)
    except jpype.JException as e:
        raise translate(e) from None


class _Staging(threading.local):
    """This thread's staging arrays for small batches, by (model id, input shape): [input, its address,
    output, its address]. Copying a small batch in and its predictions out costs a fraction of asking
    NumPy for two arrays' addresses (__array_interface__: about 1.5 us each). ``busy`` guards against
    reentry (a signal handler that predicts meanwhile takes the unstaged way)."""

    def __init__(self):
        self.arrays = {}
        self.busy = False


_staging = _Staging()


def _staged(key, in_shape, out_shape):
    arrays = _staging.arrays
    if len(arrays) > 64:
        arrays.clear()
    x, y = np.empty(in_shape, np.float32), np.empty(out_shape, np.float32)
    got = arrays[key] = [x, x.__array_interface__["data"][0], y, y.__array_interface__["data"][0]]
    return got


def _predict_into(j, x: np.ndarray, batch_size: int):
    """The predictions for float32 ``x``, or None when the model's output is not float32 of a known
    shape, or x is large and not C-contiguous (the caller then takes the general path)."""
    global _predict_into_method, _accel
    key = (id(j), x.shape)
    cached = _output_samples.get(key)  # (output shape, its Java long[], bytes); () when the output is unknown
    if cached is None:
        sample = tuple(int(d) for d in j.outputShape())
        if len(_output_samples) > 256:
            _output_samples.clear()
        shape = x.shape[:1] + sample
        cached = _output_samples[key] = () if any(d < 0 for d in sample) else (shape, _jshape(shape), 4 * math.prod(shape))
    if not cached:
        return None
    if _accel is False:
        _accel = _ndarray.accel_module()
    done = None
    if _accel is not None:
        out = np.empty(cached[0], np.float32)
        # None: not taken there (a Java exception, say); the JPype path below repeats it and raises
        done = _accel.predict_into(_model_handle(j), x, out, batch_size)
    if done is None:
        if _predict_into_method is None:
            _predict_into_method = _cls("org.pyj4.nn.training.Predictor").predictInto
        if x.nbytes <= SMALL_BYTES and cached[2] <= SMALL_BYTES and not _staging.busy:
            staged = _staging.arrays.get(key) or _staged(key, x.shape, cached[0])
            _staging.busy = True
            try:
                staged[0][...] = x
                done = _predict_into_method(j, staged[1], _jshape(x.shape), staged[3], cached[1], batch_size)
                out = staged[2].copy() if done else None
            finally:
                _staging.busy = False
        else:
            # __array_interface__ rather than .ctypes, which costs several microseconds per call here;
            # its strides are None exactly when x is C-contiguous.
            interface = x.__array_interface__
            if interface["strides"] is not None:
                return None
            out = np.empty(cached[0], np.float32)
            done = _predict_into_method(j, interface["data"][0], _jshape(x.shape), out.__array_interface__["data"][0],
                                        cached[1], batch_size)
    if not done:
        del _output_samples[key]
        _staging.arrays.pop(key, None)
        return None
    return out


@java_errors
def predict(j, x, batch_size: int) -> np.ndarray:
    """``x``: a float32 NumPy array (C-contiguous) or a pj.NDArray; the outputs as NumPy."""
    if isinstance(x, np.ndarray) and x.dtype == np.float32 and x.flags.c_contiguous and x.ndim > 0:
        out = _predict_into(j, x, int(batch_size))  # x stays referenced here while Java reads it
        if out is not None:
            return out
    small = isinstance(x, np.ndarray) and x.dtype == np.float32 and x.nbytes <= SMALL_BYTES
    if small:
        jx = _small_input(x)
        try:
            out = j.predict(jx, int(batch_size))
        finally:
            jx.close()
    else:
        held = x if isinstance(x, NDArray) else asarray(x)  # zero-copy; kept alive for the call
        out = j.predict(held._j, int(batch_size))
    if str(out.dtype().typeName()) == "float32" and out.size() * 4 <= SMALL_BYTES and out.isContiguous():
        try:
            shape = tuple(int(d) for d in out.shape())
            return np.frombuffer(memoryview(out.toFloatArray()), dtype=np.float32).reshape(shape).copy()
        finally:
            out.close()
    return _wrap(out).numpy()  # a view of the engine's result (no copy), freed with the NumPy array


# ---------------------------------------------------------------------------------------------
# callbacks


_CALLBACK_METHODS = {
    "setModel": lambda model: None,
    "onTrainBegin": lambda: None,
    "onTrainEnd": lambda: None,
    "onEpochBegin": lambda epoch: None,
    "onEpochEnd": lambda epoch, logs: None,
    "onBatchEnd": lambda batch, logs: None,
}


def _proxy(methods: dict, guard):
    # Every method is given: JPype 1.7 cannot fall back to an interface's default method that takes
    # arguments (NoSuchMethodError). A no-op onBatchEnd still costs a crossing per batch (~microseconds).
    return jpype.JProxy(_cls("org.pyj4.nn.Callback"),
                        dict={**_CALLBACK_METHODS, **{k: guard(fn) for k, fn in methods.items()}})


class FitSession:
    """The Python objects one fit lends to the engine through proxies.

    Two rules keep Python objects from outliving the fit inside the JVM (a JProxy keeps what it calls
    alive until the JVM collects the proxy, and a model reached that way would hold its native memory
    just as long):
      * proxies reach Python objects only through this session, and ``close()`` cuts those links;
      * an exception raised by Python code (a callback, a schedule, Ctrl-C) is not thrown through the
        JVM, where the Java exception would keep it, its traceback and every local alive; the session
        keeps it, asks the engine to stop, and ``close()`` re-raises it once fit has returned.
    """

    def __init__(self, model):
        self._targets = {}
        self._model = model
        self.error = None

    def _stop(self):
        j = self._model._j if self._model is not None else None
        if j is not None:
            j.stopTraining()

    def _link(self, **objects):
        key = len(self._targets)
        self._targets[key] = objects
        return lambda: self._targets.get(key) or {}

    def _guard(self, fn, default=None):
        """``fn`` for a proxy: after a first error, later events are ignored and training stops."""

        def call(*args):
            if self.error is not None:
                return default() if callable(default) else default
            try:
                return fn(*args)
            except BaseException as e:  # noqa: BLE001 - re-raised by close(), KeyboardInterrupt included
                self.error = e
                self._stop()
                return default() if callable(default) else default

        return call

    def close(self):
        self._targets.clear()
        self._model = None
        error, self.error = self.error, None
        if error is not None:
            raise error

    def progress_callback(self, progress):
        """The engine's view of the progress bar: per epoch, and per batch while a bar is live."""
        get = self._link(progress=progress)
        methods = {
            "onEpochBegin": lambda epoch: get()["progress"].on_epoch_begin(int(epoch)),
            "onEpochEnd": lambda epoch, logs: get()["progress"].on_epoch_end(int(epoch), _logs(logs)),
        }
        if progress.wants_batches:
            # logs are converted only when the bar redraws (at most ~10 times a second)
            methods["onBatchEnd"] = lambda batch, logs: get()["progress"].on_batch_end(int(batch), lambda: _logs(logs))
        return _proxy(methods, self._guard)

    def proxy_callback(self, cb, model):
        """A JProxy forwarding the engine's events to a Python Callback; honours model.stop_training."""
        get = self._link(cb=cb, model=model)
        # Keras 2 code overrides on_batch_end; Keras 3 code on_train_batch_end.
        batch_name = "on_batch_end" if type(cb).on_train_batch_end is Callback.on_train_batch_end else "on_train_batch_end"

        def after():
            m = get().get("model")
            if m is not None and m.stop_training and m._j is not None:
                m._j.stopTraining()

        def epoch_begin(epoch):
            get()["cb"].on_epoch_begin(int(epoch), {})
            after()

        def epoch_end(epoch, logs):
            get()["cb"].on_epoch_end(int(epoch), _logs(logs))
            after()

        def batch_end(batch, logs):
            getattr(get()["cb"], batch_name)(int(batch), _logs(logs))
            after()

        methods = {
            "onTrainBegin": lambda: get()["cb"].on_train_begin({}),
            "onTrainEnd": lambda: get()["cb"].on_train_end({}),
            "onEpochBegin": epoch_begin,
            "onEpochEnd": epoch_end,
        }
        if cb._wants_batches():
            methods["onBatchEnd"] = batch_end
        return _proxy(methods, self._guard)

    @java_errors
    def lr_scheduler(self, cb, model):
        """The engine's LearningRateScheduler, asking the Python schedule once per epoch (with the
        current rate, for Keras' ``schedule(epoch, lr)`` form)."""
        get = self._link(cb=cb, model=model)

        def apply(epoch):
            t = get()
            return t["cb"]._next_lr(int(epoch), float(t["model"]._j.optimizer().learningRate()))

        current = lambda: float(get()["model"]._j.optimizer().learningRate())  # noqa: E731 - after an error: no change
        fn = jpype.JProxy(_cls("java.util.function.IntToDoubleFunction"),
                          dict={"applyAsDouble": self._guard(apply, default=current)})
        return _cls("org.pyj4.nn.callbacks.LearningRateScheduler")(fn)

    @staticmethod
    @java_errors
    def early_stopping(cb):
        return _cls("org.pyj4.nn.callbacks.EarlyStopping")(
            cb.monitor, cb.patience, cb.min_delta, cb.mode, cb.restore_best_weights, cb.start_from_epoch)

    @staticmethod
    @java_errors
    def model_checkpoint(cb):
        return _cls("org.pyj4.nn.callbacks.ModelCheckpoint")(cb.filepath, cb.monitor, cb.save_best_only, cb.mode)


def read_early_stopping(cb):
    """Copies what the engine's EarlyStopping learnt back onto the Python object (Keras attributes)."""
    stopped = int(cb._j.stoppedEpoch())
    cb.stopped_epoch = stopped + 1 if stopped >= 0 else 0  # Keras reports it 1-based, 0 when not stopped
    cb.best_epoch = int(cb._j.bestEpoch())
    if cb.verbose and stopped >= 0:
        print(f"Epoch {stopped + 1}: early stopping")
        if cb.restore_best_weights and cb.best_epoch >= 0:
            print(f"Restoring model weights from the end of the best epoch: {cb.best_epoch + 1}.")


