"""pyj4.nn: Keras-shaped neural networks whose weights and training loop live in the JVM.

    from pyj4 import nn
    model = nn.Sequential([nn.Input((784,)), nn.Dense(256, activation="relu"), nn.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=128, epochs=5, validation_split=0.1)

Python holds configuration (layers, optimizer, loss) and sends it to ``org.pyj4.nn`` as Keras 3
JSON; each fit/evaluate/predict is one call into the JVM (see docs/nn-contract.md).
"""
from __future__ import annotations

from . import activations, callbacks, initializers, layers, losses, metrics, optimizers
from .callbacks import History
from .layers import Activation, Dense, Dropout, Flatten, Input, InputLayer, Layer, Reshape
from .models import Model, Sequential, load_model, model_from_json

__all__ = [
    "Activation", "Dense", "Dropout", "Flatten", "History", "Input", "InputLayer", "Layer", "Model", "Reshape",
    "Sequential", "activations", "callbacks", "initializers", "layers", "load_model", "losses", "metrics",
    "model_from_json", "optimizers",
]
