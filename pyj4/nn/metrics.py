"""Metrics by name. They are computed in the JVM during fit/evaluate; Python checks the name and passes
it as given, so that it is also the key in logs and history (``"acc"`` logs as "acc", as in Keras).

``"accuracy"`` picks binary, categorical or sparse categorical accuracy from the loss, as Keras does.
The classes below are conveniences that stand for those names (``metrics=[nn.metrics.AUC()]``).
"""
from __future__ import annotations

METRICS = ("accuracy", "mse", "mae", "precision", "recall", "auc")
_ALIASES = {
    "accuracy": "accuracy", "acc": "accuracy", "binary_accuracy": "accuracy", "categorical_accuracy": "accuracy",
    "sparse_categorical_accuracy": "accuracy",
    "mse": "mse", "mean_squared_error": "mse",
    "mae": "mae", "mean_absolute_error": "mae",
    "precision": "precision", "recall": "recall", "auc": "auc",
}


class Metric:
    """A metric computed in the JVM; ``name`` is the key it has in logs and history."""

    metric = ""

    def __init__(self, name=None):
        self.name = name or self.metric

    def to_json(self) -> str:
        return self.metric

    def __repr__(self):
        return f"{type(self).__name__}()"


class Accuracy(Metric):
    metric = "accuracy"


class MeanSquaredError(Metric):
    metric = "mse"


class MeanAbsoluteError(Metric):
    metric = "mae"


class Precision(Metric):
    metric = "precision"


class Recall(Metric):
    metric = "recall"


class AUC(Metric):
    metric = "auc"


def get(identifier) -> str:
    """The name to send for a metric given as a string (kept as given) or a Metric object."""
    if isinstance(identifier, Metric):
        return identifier.to_json()
    if isinstance(identifier, type) and issubclass(identifier, Metric) and identifier is not Metric:
        return identifier.metric
    if isinstance(identifier, str):
        if identifier.lower() not in _ALIASES:
            raise ValueError(f"compile: unknown metric; expected some of {', '.join(METRICS)}. Received: metric={identifier!r}")
        return identifier
    raise TypeError(
        f"compile: metrics run inside the JVM, so give them by name ({', '.join(METRICS)}). Received: metric={identifier!r}"
    )
