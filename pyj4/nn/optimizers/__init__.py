"""Optimizers with Keras names, arguments and defaults. The update rule runs in the JVM; these objects
hold the config that ``compile`` sends there. ``learning_rate`` is a float or a schedule from
``nn.optimizers.schedules``.
"""
from __future__ import annotations

from .. import _checks
from . import schedules
from .schedules import LearningRateSchedule


class Optimizer:
    """Base class: learning rate (or schedule) and optional gradient clipping."""

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None):
        who = type(self).__name__
        # Keras 3: every optimizer takes a decoupled weight_decay (AdamW defaults it to 0.004).
        self.weight_decay = None if weight_decay is None else _checks.real(who, "weight_decay", weight_decay, low=0.0)
        if isinstance(learning_rate, LearningRateSchedule):
            self.learning_rate = learning_rate
        else:
            self.learning_rate = _checks.real(who, "learning_rate", learning_rate, low=0.0, low_open=True)
        if global_clipnorm is not None:
            raise ValueError(f"{who}: global_clipnorm is not supported; use clipnorm. Received: global_clipnorm={global_clipnorm!r}")
        if clipnorm is not None and clipvalue is not None:
            raise ValueError(f"{who}: give clipnorm or clipvalue, not both. Received: clipnorm={clipnorm!r}, clipvalue={clipvalue!r}")
        self.clipnorm = None if clipnorm is None else _checks.real(who, "clipnorm", clipnorm, low=0.0, low_open=True)
        self.clipvalue = None if clipvalue is None else _checks.real(who, "clipvalue", clipvalue, low=0.0, low_open=True)

    def _hyper(self) -> dict:
        return {}

    def get_config(self) -> dict:
        lr = self.learning_rate
        config = {"learning_rate": lr.to_dict() if isinstance(lr, LearningRateSchedule) else lr}
        config.update(self._hyper())
        if self.weight_decay is not None and "weight_decay" not in config:
            config["weight_decay"] = self.weight_decay
        if self.clipnorm is not None:
            config["clipnorm"] = self.clipnorm
        if self.clipvalue is not None:
            config["clipvalue"] = self.clipvalue
        return config

    def to_dict(self) -> dict:
        return {"class_name": type(self).__name__, "config": self.get_config()}

    @classmethod
    def from_config(cls, config: dict):
        """From a Keras config; keys this class does not take (name, null clip options, ...) are dropped."""
        import inspect

        accepted = set(inspect.signature(cls.__init__).parameters) | {"clipnorm", "clipvalue", "weight_decay"}
        config = {k: v for k, v in config.items() if k in accepted and v is not None}
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            config["learning_rate"] = schedules.deserialize(lr)
        return cls(**config)

    def __eq__(self, other):
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


def _beta(who, name, v):
    return _checks.real(who, name, v, low=0.0, high=1.0, high_open=True)


class SGD(Optimizer):
    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = _checks.real("SGD", "momentum", momentum, low=0.0, high=1.0)
        self.nesterov = _checks.boolean("SGD", "nesterov", nesterov)

    def _hyper(self):
        return {"momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        who = type(self).__name__
        self.beta_1 = _beta(who, "beta_1", beta_1)
        self.beta_2 = _beta(who, "beta_2", beta_2)
        self.epsilon = _checks.real(who, "epsilon", epsilon, low=0.0)
        self.amsgrad = _checks.boolean(who, "amsgrad", amsgrad)

    def _hyper(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: expected a weight_decay (default 0.004). Received: weight_decay=None")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay=weight_decay, **kwargs)

    def _hyper(self):
        return {"weight_decay": self.weight_decay, **super()._hyper()}


class RMSprop(Optimizer):
    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = _beta("RMSprop", "rho", rho)
        self.momentum = _checks.real("RMSprop", "momentum", momentum, low=0.0, high=1.0)
        self.epsilon = _checks.real("RMSprop", "epsilon", epsilon, low=0.0)
        self.centered = _checks.boolean("RMSprop", "centered", centered)

    def _hyper(self):
        return {"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon, "centered": self.centered}


class Adagrad(Optimizer):
    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = _checks.real("Adagrad", "initial_accumulator_value", initial_accumulator_value, low=0.0)
        self.epsilon = _checks.real("Adagrad", "epsilon", epsilon, low=0.0)

    def _hyper(self):
        return {"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon}


_ALIASES = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad}
_CLASSES = {c.__name__: c for c in _ALIASES.values()}


def get(identifier) -> Optimizer:
    """An Optimizer from an instance, a string ("adam", "sgd", ...), a class or a {class_name, config} dict."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Optimizer) and identifier is not Optimizer:
        return identifier()
    if isinstance(identifier, str):
        cls = _ALIASES.get(identifier.lower()) or _CLASSES.get(identifier)
        if cls is None:
            raise ValueError(f"compile: unknown optimizer; expected one of {', '.join(_ALIASES)} or a nn.optimizers object. "
                             f"Received: optimizer={identifier!r}")
        return cls()
    if isinstance(identifier, dict) and identifier.get("class_name") in _CLASSES:
        return _CLASSES[identifier["class_name"]].from_config(identifier.get("config") or {})
    raise TypeError(f"compile: expected optimizer to be a name like 'adam' or a nn.optimizers object. Received: optimizer={identifier!r}")


__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "schedules", "get"]
