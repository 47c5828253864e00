"""Keras-shaped layers, one module per family:

    core           Input, Dense, Activation, Dropout, Flatten, Reshape, Embedding
    conv           Conv1D, Conv2D
    pooling        MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D
    normalization  BatchNormalization, LayerNormalization
    recurrent      LSTM, GRU
    attention      MultiHeadAttention
    merge          Add, Multiply, Concatenate
    base           Layer, KerasTensor, Node (calls on symbolic tensors: the functional API)

A layer object is configuration (its Keras 3 ``get_config()``); the JVM engine builds the real layer,
with its weights, from the architecture JSON of the model it belongs to.
"""
from __future__ import annotations

from .attention import MultiHeadAttention
from .base import KerasTensor, Layer, Node, _fmt, _snake, _unique_name  # noqa: F401 - models use the helpers
from .conv import Conv1D, Conv2D
from .core import Activation, Dense, Dropout, Embedding, Flatten, Input, InputLayer, Reshape
from .merge import Add, Concatenate, Multiply
from .normalization import BatchNormalization, LayerNormalization
from .pooling import AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D
from .recurrent import GRU, LSTM

LAYERS = {c.__name__: c for c in (
    InputLayer, Dense, Activation, Dropout, Flatten, Reshape, Embedding,
    Conv1D, Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D,
    BatchNormalization, LayerNormalization, LSTM, GRU, MultiHeadAttention, Add, Multiply, Concatenate,
)}


def deserialize(entry: dict) -> Layer:
    """A layer object from a ``{"class_name", "config"}`` entry of the architecture JSON."""
    if not isinstance(entry, dict) or "class_name" not in entry:
        raise ValueError(f"expected a layer entry with class_name and config. Received: {entry!r}")
    cls = LAYERS.get(entry["class_name"])
    if cls is None:
        raise ValueError(
            f"unknown layer class {entry['class_name']!r}: this pyj4 knows {', '.join(LAYERS)}"
        )
    return cls.from_config(entry.get("config") or {})


__all__ = [
    "LAYERS", "Activation", "Add", "AveragePooling2D", "BatchNormalization", "Concatenate", "Conv1D", "Conv2D",
    "Dense", "Dropout", "Embedding", "Flatten", "GRU", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Input",
    "InputLayer", "KerasTensor", "LSTM", "Layer", "LayerNormalization", "MaxPooling2D", "MultiHeadAttention",
    "Multiply", "Node", "Reshape", "deserialize",
]
