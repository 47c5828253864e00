"""Learning-rate schedules (Keras names and keys), evaluated per optimizer step inside the JVM.

``schedule(step)`` also evaluates them in Python, with Keras' formulas, for inspection and tests.
"""
from __future__ import annotations

import math

from .. import _checks


class LearningRateSchedule:
    def get_config(self) -> dict:  # every concrete subclass defines its configuration
        raise NotImplementedError(f"{type(self).__name__} does not define get_config()")

    def to_dict(self) -> dict:
        return {"class_name": type(self).__name__, "config": self.get_config()}

    def __eq__(self, other):
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (floored exponent if staircase)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        who = "ExponentialDecay"
        self.initial_learning_rate = _checks.real(who, "initial_learning_rate", initial_learning_rate, low=0.0, low_open=True)
        self.decay_steps = _checks.integer(who, "decay_steps", decay_steps, min_value=1)
        self.decay_rate = _checks.real(who, "decay_rate", decay_rate, low=0.0, low_open=True)
        self.staircase = _checks.boolean(who, "staircase", staircase)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase}

    def __call__(self, step):
        p = step / self.decay_steps
        return self.initial_learning_rate * self.decay_rate ** (math.floor(p) if self.staircase else p)


class CosineDecay(LearningRateSchedule):
    """Cosine decay from ``initial_learning_rate`` to ``alpha`` times it over ``decay_steps``, after an
    optional linear warm-up to ``warmup_target`` over ``warmup_steps``."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
        who = "CosineDecay"
        self.initial_learning_rate = _checks.real(who, "initial_learning_rate", initial_learning_rate, low=0.0)
        self.decay_steps = _checks.integer(who, "decay_steps", decay_steps, min_value=1)
        self.alpha = _checks.real(who, "alpha", alpha, low=0.0, high=1.0)
        self.warmup_target = None if warmup_target is None else _checks.real(who, "warmup_target", warmup_target, low=0.0)
        self.warmup_steps = _checks.integer(who, "warmup_steps", warmup_steps, min_value=0)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}

    def __call__(self, step):
        start = self.initial_learning_rate
        if self.warmup_target is not None and step < self.warmup_steps:
            return start + (self.warmup_target - start) * step / self.warmup_steps
        peak = self.warmup_target if self.warmup_target is not None else start
        t = min(max(step - self.warmup_steps, 0), self.decay_steps) / self.decay_steps
        cosine = 0.5 * (1 + math.cos(math.pi * t))
        return peak * ((1 - self.alpha) * cosine + self.alpha)


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[i]`` while ``boundaries[i-1] < step <= boundaries[i]`` (len(values) = len(boundaries) + 1)."""

    def __init__(self, boundaries, values):
        who = "PiecewiseConstantDecay"
        if not isinstance(boundaries, (list, tuple)) or not isinstance(values, (list, tuple)):
            raise TypeError(f"{who}: expected lists of boundaries and values. Received: boundaries={boundaries!r}, values={values!r}")
        self.boundaries = [_checks.integer(who, "boundaries", b, min_value=0) for b in boundaries]
        self.values = [_checks.real(who, "values", v, low=0.0) for v in values]
        if len(self.values) != len(self.boundaries) + 1:
            raise ValueError(f"{who}: expected len(values) == len(boundaries) + 1. "
                             f"Received: boundaries={boundaries!r}, values={values!r}")
        if any(a >= b for a, b in zip(self.boundaries, self.boundaries[1:])):
            raise ValueError(f"{who}: expected increasing boundaries. Received: boundaries={boundaries!r}")

    def get_config(self):
        return {"boundaries": list(self.boundaries), "values": list(self.values)}

    def __call__(self, step):
        for b, v in zip(self.boundaries, self.values):
            if step <= b:
                return v
        return self.values[-1]


_CLASSES = {c.__name__: c for c in (ExponentialDecay, CosineDecay, PiecewiseConstantDecay)}


def deserialize(entry: dict) -> LearningRateSchedule:
    return _CLASSES[entry["class_name"]](**entry.get("config", {}))
