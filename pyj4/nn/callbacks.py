"""Callbacks: Keras names and arguments.

The training loop runs in the JVM. ``EarlyStopping``, ``ModelCheckpoint`` and
``LearningRateScheduler`` are the engine's own callbacks (``org.pyj4.nn.callbacks``), configured
here; a user's ``Callback`` subclass is handed to the engine as a JProxy of
``org.pyj4.nn.Callback``, and is called per epoch (and per batch only if it overrides
``on_train_batch_end``, because every call crosses the bridge).
"""
from __future__ import annotations

import inspect
import math
import os

from . import _checks


class Callback:
    """Base class for Python callbacks. Override the ``on_*`` methods you need.

    ``self.model`` is the model being trained; setting ``self.model.stop_training = True`` ends
    training after the current epoch (or batch). ``logs`` are plain dicts of floats. The engine
    reports train begin/end, epoch begin/end and batch end; Keras' batch-begin, test and predict
    hooks are not called. An exception raised here stops training and is re-raised by ``fit``.
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_end(self, batch, logs=None):
        pass

    def _wants_batches(self) -> bool:
        cls = type(self)
        return cls.on_train_batch_end is not Callback.on_train_batch_end or (
            getattr(cls, "on_batch_end", None) is not None
        )

    def _to_java(self, model, session):
        """The Java callback the engine calls (``session``: an _engine.FitSession): here a proxy
        that forwards to this object."""
        self.set_model(model)
        return session.proxy_callback(self, model)


def _mode(who, mode, monitor):
    mode = _checks.choice(who, "mode", mode, ("auto", "min", "max"))
    if mode == "auto":  # Keras: accuracy-like metrics grow, everything else shrinks
        base = monitor[4:] if monitor.startswith("val_") else monitor
        mode = "max" if base in ("accuracy", "acc", "auc", "precision", "recall") else "min"
    return mode


class EarlyStopping(Callback):
    """Stops training when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs."""

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        who = "EarlyStopping"
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"{who}: expected monitor to be a metric name like 'val_loss'. Received: monitor={monitor!r}")
        self.monitor = monitor
        self.min_delta = abs(_checks.real(who, "min_delta", min_delta))
        self.patience = _checks.integer(who, "patience", patience, min_value=0)
        self.verbose = _checks.integer(who, "verbose", verbose, min_value=0)
        self.mode = _mode(who, mode, monitor)
        if baseline is not None:
            raise ValueError(f"{who}: baseline is not supported yet. Received: baseline={baseline!r}")
        self.baseline = None
        self.restore_best_weights = _checks.boolean(who, "restore_best_weights", restore_best_weights)
        self.start_from_epoch = _checks.integer(who, "start_from_epoch", start_from_epoch, min_value=0)
        self.stopped_epoch = 0
        self.best_epoch = -1
        self._j = None

    def _to_java(self, model, session):
        self.set_model(model)
        self._j = session.early_stopping(self)
        return self._j

    def _after_fit(self):
        from ._engine import read_early_stopping

        read_early_stopping(self)


class ModelCheckpoint(Callback):
    """Saves the model after each epoch (or only when ``monitor`` improves, with ``save_best_only``).

    ``filepath`` may hold Keras placeholders such as ``"ckpt-{epoch:02d}-{val_loss:.3f}.pyj4"``.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch"):
        super().__init__()
        who = "ModelCheckpoint"
        if not isinstance(filepath, (str, os.PathLike)) or not os.fspath(filepath):
            raise TypeError(f"{who}: expected filepath to be a path. Received: filepath={filepath!r}")
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = _checks.integer(who, "verbose", verbose, min_value=0)
        self.save_best_only = _checks.boolean(who, "save_best_only", save_best_only)
        if save_weights_only:
            raise ValueError(f"{who}: save_weights_only=True is not supported; the model file holds the weights. "
                             "Received: save_weights_only=True")
        if save_freq != "epoch":
            raise ValueError(f"{who}: only save_freq='epoch' is supported. Received: save_freq={save_freq!r}")
        self.mode = _mode(who, mode, monitor)
        self.best = math.inf if self.mode == "min" else -math.inf
        self._j = None

    def _to_java(self, model, session):
        self.set_model(model)
        self._j = session.model_checkpoint(self)
        return self._j


class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of each epoch to ``schedule(epoch)`` or ``schedule(epoch, lr)``."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: expected a function of the epoch. Received: schedule={schedule!r}")
        self.schedule = schedule
        self.verbose = _checks.integer("LearningRateScheduler", "verbose", verbose, min_value=0)
        self._takes_lr = _arity(schedule) >= 2

    def _to_java(self, model, session):
        self.set_model(model)
        return session.lr_scheduler(self, model)

    def _next_lr(self, epoch: int, lr: float) -> float:
        value = self.schedule(epoch, lr) if self._takes_lr else self.schedule(epoch)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise ValueError(f"LearningRateScheduler: the schedule must return a float >= 0. "
                             f"Received: {value!r} for epoch={epoch}")
        if self.verbose:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(value)}.")
        return float(value)


def _arity(fn) -> int:
    """How many positional arguments ``fn`` takes (2 when it also wants the current learning rate)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 1
    kinds = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return 2
    return len(kinds)


class History:
    """What ``fit`` returns: ``history`` maps "loss", metrics and "val_*" to per-epoch lists."""

    def __init__(self, history=None, epoch=None, params=None, model=None):
        self.history = history or {}
        self.epoch = epoch or []
        self.params = params or {}
        self.model = model

    def __repr__(self):
        keys = ", ".join(self.history)
        return f"<History epochs={len(self.epoch)} keys=[{keys}]>"
