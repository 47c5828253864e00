"""pyj4.nn: Keras-shaped neural networks whose weights and training loop live in the JVM.

    from pyj4 import nn
    model = nn.Sequential([nn.Input((784,)), nn.Dense(256, activation="relu"), nn.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=128, epochs=5, validation_split=0.1)

    inp = nn.Input((28, 28, 1))                       # the functional API: layers called on tensors
    x = nn.Conv2D(8, 3, padding="same", activation="relu")(inp)
    out = nn.Dense(10, activation="softmax")(nn.Flatten()(nn.Add()([x, nn.Conv2D(8, 3, padding="same")(x)])))
    model = nn.Model(inp, out)

Python holds configuration (layers, optimizer, loss) and sends it to ``org.pyj4.nn`` as Keras 3
JSON; each fit/evaluate/predict is one call into the JVM (see docs/nn-contract.md).
"""
from __future__ import annotations

from . import activations, callbacks, initializers, layers, losses, metrics, optimizers
from .callbacks import History
from .layers import (
    GRU, LSTM, Activation, Add, AveragePooling2D, BatchNormalization, Concatenate, Conv1D, Conv2D, Dense, Dropout,
    Embedding, Flatten, GlobalAveragePooling2D, GlobalMaxPooling2D, Input, InputLayer, KerasTensor, Layer,
    LayerNormalization, MaxPooling2D, MultiHeadAttention, Multiply, Reshape,
)
from .models import Model, Sequential, load_model, model_from_json
from .functional import Functional  # noqa: E402 - after models, which it extends

__all__ = [
    "GRU", "LSTM", "Activation", "Add", "AveragePooling2D", "BatchNormalization", "Concatenate", "Conv1D", "Conv2D",
    "Dense", "Dropout", "Embedding", "Flatten", "Functional", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
    "History", "Input", "InputLayer", "KerasTensor", "Layer", "LayerNormalization", "MaxPooling2D", "Model",
    "MultiHeadAttention", "Multiply", "Reshape", "Sequential", "activations", "callbacks", "initializers", "layers",
    "load_model", "losses", "metrics", "model_from_json", "optimizers",
]
