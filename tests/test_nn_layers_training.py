"""Real models learn: a CNN on scikit-learn's 8x8 digits, an LSTM and a GRU on a memory task, and a
transformer encoder block (functional: attention, layer normalization, MLP, residual connections).
Seeded and small, so the suite stays fast on two cores."""
from __future__ import annotations

import numpy as np
import pytest

import pyj4 as pj
from pyj4 import nn


def digits_split():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x = (d.images / 16.0).astype(np.float32)[..., None]  # (1797, 8, 8, 1), channels_last
    return train_test_split(x, d.target, test_size=0.25, random_state=0, stratify=d.target)


def test_cnn_learns_sklearn_digits():
    pytest.importorskip("sklearn")
    xtr, xte, ytr, yte = digits_split()
    pj.random.seed(0)
    model = nn.Sequential([
        nn.Input((8, 8, 1)),
        nn.Conv2D(16, 3, padding="same", activation="relu"),
        nn.Conv2D(32, 3, padding="same", activation="relu"),
        nn.MaxPooling2D(),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Dense(64, activation="relu"),
        nn.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=nn.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(xtr, ytr, batch_size=32, epochs=12, seed=0, verbose=0)
    result = model.evaluate(xte, yte, verbose=0)
    assert result["accuracy"] >= 0.97, result


def test_functional_cnn_with_batch_norm_and_residual_learns_digits():
    pytest.importorskip("sklearn")
    xtr, xte, ytr, yte = digits_split()
    pj.random.seed(1)
    inp = nn.Input((8, 8, 1))
    x = nn.Conv2D(16, 3, padding="same", use_bias=False)(inp)
    x = nn.Activation("relu")(nn.BatchNormalization()(x))
    y = nn.Conv2D(16, 3, padding="same", activation="relu")(x)
    x = nn.Add()([x, y])
    x = nn.AveragePooling2D()(x)
    x = nn.Concatenate()([nn.GlobalAveragePooling2D()(x), nn.GlobalMaxPooling2D()(x)])
    out = nn.Dense(10, activation="softmax")(x)
    model = nn.Model(inp, out)
    model.compile(optimizer=nn.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(xtr, ytr, batch_size=32, epochs=10, seed=1, verbose=0)
    assert model.evaluate(xte, yte, verbose=0)["accuracy"] >= 0.9


def first_token_task(n, steps=8, symbols=4, seed=0):
    """One-hot sequences; the label is the first symbol: the net must carry it through every step."""
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, symbols, (n, steps))
    return np.eye(symbols, dtype=np.float32)[tokens], tokens[:, 0]


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU], ids=["LSTM", "GRU"])
def test_recurrent_layer_learns_to_remember_the_first_token(cls):
    x, y = first_token_task(1536)
    xt, yt = first_token_task(512, seed=1)
    pj.random.seed(0)
    model = nn.Sequential([nn.Input((8, 4)), cls(24), nn.Dense(4, activation="softmax")])
    model.compile(optimizer=nn.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, batch_size=64, epochs=12, seed=0, verbose=0)
    assert h.history["loss"][-1] < 0.3 * h.history["loss"][0]
    assert model.evaluate(xt, yt, verbose=0)["accuracy"] >= 0.95


def test_stacked_gru_with_return_sequences_learns_a_running_sum():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (1024, 6, 1)).astype(np.float32)
    y = np.cumsum(x, axis=1)  # per-step target: the sum so far
    pj.random.seed(0)
    model = nn.Sequential([nn.Input((6, 1)), nn.GRU(16, return_sequences=True), nn.Dense(1)])
    model.compile(optimizer=nn.optimizers.Adam(1e-2), loss="mse")
    h = model.fit(x, y, batch_size=64, epochs=15, seed=0, verbose=0)
    assert h.history["loss"][-1] < 0.02 < h.history["loss"][0]


def transformer_block(x, heads, key_dim, hidden):
    """A post-norm encoder block: x + attention, normalized; + MLP, normalized."""
    dim = x.shape[-1]
    attended = nn.MultiHeadAttention(heads, key_dim)(x, x)
    x = nn.LayerNormalization()(nn.Add()([x, attended]))
    mlp = nn.Dense(dim)(nn.Dense(hidden, activation="gelu")(x))
    return nn.LayerNormalization()(nn.Add()([x, mlp]))


def test_transformer_encoder_block_trains():
    """Per-position task: how many times does this position's token occur in the sequence? Only
    attention over the whole sequence answers it."""
    rng = np.random.default_rng(0)
    steps, vocab = 8, 6
    ids = rng.integers(0, vocab, (2048, steps))
    counts = (ids[:, :, None] == ids[:, None, :]).sum(-1) - 1  # 0..7 other occurrences
    pj.random.seed(0)
    inp = nn.Input((steps,), dtype="int32")
    x = nn.Embedding(vocab, 16)(inp)
    x = transformer_block(x, heads=2, key_dim=8, hidden=32)
    out = nn.Dense(steps)(x)
    model = nn.Model(inp, out)
    model.compile(optimizer=nn.optimizers.Adam(3e-3), loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    h = model.fit(ids, counts, batch_size=64, epochs=20, seed=0, verbose=0)
    loss = h.history["loss"]
    assert loss[-1] < 0.3 * loss[0], loss
    assert h.history["accuracy"][-1] > 0.9


def test_causal_transformer_predicts_the_next_token():
    """A decoder block (use_causal_mask) learns a deterministic next-token rule: t -> (t + 1) mod vocab."""
    rng = np.random.default_rng(1)
    steps, vocab = 8, 7
    start = rng.integers(0, vocab, (1024, 1))
    ids = (start + np.arange(steps + 1)) % vocab
    x_ids, y_ids = ids[:, :-1], ids[:, 1:]
    pj.random.seed(2)
    inp = nn.Input((steps,), dtype="int32")
    x = nn.Embedding(vocab, 16)(inp)
    a = nn.MultiHeadAttention(2, 8)(x, x, use_causal_mask=True)
    x = nn.LayerNormalization()(nn.Add()([x, a]))
    out = nn.Dense(vocab)(x)
    model = nn.Model(inp, out)
    model.compile(optimizer=nn.optimizers.Adam(1e-2), loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True))
    h = model.fit(x_ids, y_ids, batch_size=64, epochs=5, seed=0, verbose=0)
    assert h.history["loss"][-1] < 0.1 * h.history["loss"][0]
    pred = model.predict(x_ids[:64]).argmax(-1)
    assert (pred == y_ids[:64]).mean() > 0.95
