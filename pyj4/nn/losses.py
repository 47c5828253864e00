"""Losses: Keras classes and string names. They are computed in the JVM; Python holds the config."""
from __future__ import annotations

from . import _checks


class Loss:
    """Base class: ``to_dict()`` gives the {class_name, config} entry of the training config."""

    #: how the loss reads labels: "dense" (same shape as the output), "sparse" (class indices), "binary"
    label_kind = "dense"

    def get_config(self) -> dict:
        return {}

    def to_dict(self) -> dict:
        return {"class_name": type(self).__name__, "config": self.get_config()}

    @property
    def name(self) -> str:
        return _NAMES[type(self)]

    def __eq__(self, other):
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __call__(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} runs inside the JVM during fit/evaluate; it cannot be called from Python")


class MeanSquaredError(Loss):
    pass


class MeanAbsoluteError(Loss):
    pass


class Huber(Loss):
    def __init__(self, delta=1.0):
        self.delta = _checks.real("Huber", "delta", delta, low=0.0, low_open=True)

    def get_config(self):
        return {"delta": self.delta}


class BinaryCrossentropy(Loss):
    label_kind = "binary"

    def __init__(self, from_logits=False):
        self.from_logits = _checks.boolean("BinaryCrossentropy", "from_logits", from_logits)

    def get_config(self):
        return {"from_logits": self.from_logits}


class CategoricalCrossentropy(Loss):
    def __init__(self, from_logits=False, label_smoothing=0.0):
        self.from_logits = _checks.boolean("CategoricalCrossentropy", "from_logits", from_logits)
        self.label_smoothing = _checks.real("CategoricalCrossentropy", "label_smoothing", label_smoothing, low=0.0, high=1.0)

    def get_config(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


class SparseCategoricalCrossentropy(Loss):
    label_kind = "sparse"

    def __init__(self, from_logits=False):
        self.from_logits = _checks.boolean("SparseCategoricalCrossentropy", "from_logits", from_logits)

    def get_config(self):
        return {"from_logits": self.from_logits}


_NAMES = {
    MeanSquaredError: "mean_squared_error",
    MeanAbsoluteError: "mean_absolute_error",
    Huber: "huber",
    BinaryCrossentropy: "binary_crossentropy",
    CategoricalCrossentropy: "categorical_crossentropy",
    SparseCategoricalCrossentropy: "sparse_categorical_crossentropy",
}
_ALIASES = {
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "huber": Huber, "huber_loss": Huber,
    "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy, "cce": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}
_CLASSES = {c.__name__: c for c in _NAMES}
NAMES = ("mse", "mae", "huber", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy")


def get(identifier) -> Loss:
    """A Loss from an instance, a string ("mse", "sparse_categorical_crossentropy", ...), a class name or a dict."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss) and identifier is not Loss:
        return identifier()
    if isinstance(identifier, str):
        cls = _ALIASES.get(identifier.lower()) or _CLASSES.get(identifier)
        if cls is None:
            raise ValueError(f"compile: unknown loss; expected one of {', '.join(NAMES)} or a nn.losses class. "
                             f"Received: loss={identifier!r}")
        return cls()
    if isinstance(identifier, dict) and identifier.get("class_name") in _CLASSES:
        cls = _CLASSES[identifier["class_name"]]
        import inspect

        accepted = set(inspect.signature(cls.__init__).parameters) - {"self"}
        config = {k: v for k, v in (identifier.get("config") or {}).items() if k in accepted}  # drops name, reduction
        return cls(**config)
    if identifier is None:
        raise ValueError("compile: expected a loss, e.g. loss='mse'. Received: loss=None")
    raise TypeError(
        "compile: losses run inside the JVM, so give one by name or as a nn.losses object "
        f"({', '.join(NAMES)}). Received: loss={identifier!r}"
    )
