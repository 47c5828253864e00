"""Activation names understood by the engine (they run in the JVM, so only names cross over)."""
from __future__ import annotations

ACTIVATIONS = ("relu", "sigmoid", "tanh", "softmax", "gelu", "leaky_relu", "elu", "linear")


def get(identifier, who: str = "activation") -> str:
    """The canonical name for ``identifier`` (None means "linear", as in Keras)."""
    if identifier is None:
        return "linear"
    if isinstance(identifier, str):
        name = identifier.lower()
        if name in ACTIVATIONS:
            return name
        raise ValueError(
            f"{who}: unknown activation; expected one of {', '.join(ACTIVATIONS)}. Received: activation={identifier!r}"
        )
    if callable(identifier):
        raise TypeError(
            f"{who}: activations run inside the JVM, so they are given by name ({', '.join(ACTIVATIONS)}). "
            f"Received: activation={identifier!r}"
        )
    raise TypeError(f"{who}: expected activation to be a string or None. Received: activation={identifier!r}")
