"""pyj4.nn against PyTorch (opt-in: `pip install -e '.[parity]'`, i.e. torch==2.13.0; skipped without it).

Gradients are read off one SGD step with learning_rate=1 (w_after = w_before - grad), so they come
from the engine's own training loop, not from a test hook. PyTorch computes the same function in
float64 from the same weights and data.
"""
from __future__ import annotations

import numpy as np
import pytest

import pyj4 as pj
from pyj4 import nn

pytestmark = pytest.mark.parity
torch = pytest.importorskip("torch")
F = torch.nn.functional

ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": F.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": lambda z: F.softmax(z, dim=-1),
    "gelu": lambda z: F.gelu(z, approximate="none"),
    "leaky_relu": lambda z: F.leaky_relu(z, 0.2),  # Keras 3's default negative_slope
    "elu": lambda z: F.elu(z, 1.0),
}


def _eps_clip(p):
    return p.clamp(1e-7, 1 - 1e-7)  # Keras clips probabilities to [epsilon, 1 - epsilon]


LOSSES = {
    # name: (pyj4 loss, output activation, torch loss of (output, target), target maker)
    "mse": (nn.losses.MeanSquaredError(), "linear", lambda p, t: ((p - t) ** 2).mean(), "dense"),
    "mae": (nn.losses.MeanAbsoluteError(), "linear", lambda p, t: (p - t).abs().mean(), "dense"),
    "huber": (nn.losses.Huber(delta=0.7), "linear", lambda p, t: F.huber_loss(p, t, delta=0.7), "dense"),
    "binary_crossentropy": (nn.losses.BinaryCrossentropy(), "sigmoid",
                            lambda p, t: -(t * torch.log(_eps_clip(p)) + (1 - t) * torch.log(_eps_clip(1 - p))).mean(),
                            "binary"),
    "binary_crossentropy_logits": (nn.losses.BinaryCrossentropy(from_logits=True), "linear",
                                   lambda p, t: F.binary_cross_entropy_with_logits(p, t), "binary"),
    "categorical_crossentropy": (nn.losses.CategoricalCrossentropy(), "softmax",
                                 lambda p, t: -(t * torch.log(_eps_clip(p))).sum(-1).mean(), "onehot"),
    "categorical_crossentropy_smoothing": (
        nn.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1), "linear",
        lambda p, t: -((t * 0.9 + 0.1 / t.shape[-1]) * F.log_softmax(p, -1)).sum(-1).mean(), "onehot"),
    "sparse_categorical_crossentropy": (nn.losses.SparseCategoricalCrossentropy(), "softmax",
                                        lambda p, t: F.nll_loss(torch.log(_eps_clip(p)), t), "sparse"),
    "sparse_categorical_crossentropy_logits": (nn.losses.SparseCategoricalCrossentropy(from_logits=True), "linear",
                                               lambda p, t: F.cross_entropy(p, t), "sparse"),
}


def _targets(kind, n, units, rng):
    if kind == "dense":
        return rng.standard_normal((n, units)).astype(np.float32)
    if kind == "binary":
        return rng.integers(0, 2, (n, units)).astype(np.float32)
    labels = rng.integers(0, units, n)
    return labels if kind == "sparse" else np.eye(units, dtype=np.float32)[labels]


def _engine_grads(activation, loss, x, y, w, b):
    """Loss and gradients as the engine computes them: one SGD step with learning_rate 1."""
    model = nn.Sequential([nn.Input((x.shape[1],)), nn.Dense(w.shape[1], activation=activation)])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=1.0), loss=loss)
    model.set_weights([w, b])
    h = model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    w1, b1 = model.get_weights()
    return h.history["loss"][0], w.astype(np.float64) - w1, b.astype(np.float64) - b1


def _torch_grads(activation, loss_fn, x, y, w, b, sparse=False):
    tw = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    out = ACTIVATIONS[activation](torch.tensor(x, dtype=torch.float64) @ tw + tb)
    target = torch.tensor(y, dtype=torch.int64 if sparse else torch.float64)
    loss = loss_fn(out, target)
    loss.backward()
    return float(loss.detach()), tw.grad.numpy(), tb.grad.numpy()


def _check(got, want, what):
    loss_g, gw, gb = got
    loss_w, ww, wb = want
    assert loss_g == pytest.approx(loss_w, rel=2e-5, abs=1e-6), f"{what}: loss"
    scale = max(np.abs(ww).max(), np.abs(wb).max(), 1e-3)
    np.testing.assert_allclose(gw, ww, rtol=1e-3, atol=2e-5 * scale + 2e-6, err_msg=f"{what}: kernel gradient")
    np.testing.assert_allclose(gb, wb, rtol=1e-3, atol=2e-5 * scale + 2e-6, err_msg=f"{what}: bias gradient")


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_dense_gradient_matches_torch_for_each_activation(activation):
    rng = np.random.default_rng(abs(hash(activation)) % 2**32)
    x = rng.standard_normal((16, 5)).astype(np.float32)
    y = rng.standard_normal((16, 4)).astype(np.float32)
    w = (0.6 * rng.standard_normal((5, 4))).astype(np.float32)
    b = (0.2 * rng.standard_normal(4)).astype(np.float32)
    got = _engine_grads(activation, "mse", x, y, w, b)
    want = _torch_grads(activation, lambda p, t: ((p - t) ** 2).mean(), x, y, w, b)
    _check(got, want, f"Dense({activation}) + mse")


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_dense_gradient_matches_torch_for_each_loss(name):
    loss, activation, torch_loss, kind = LOSSES[name]
    rng = np.random.default_rng(len(name))
    x = rng.standard_normal((12, 6)).astype(np.float32)
    units = 4
    y = _targets(kind, 12, units, rng)
    w = (0.5 * rng.standard_normal((6, units))).astype(np.float32)
    b = (0.1 * rng.standard_normal(units)).astype(np.float32)
    got = _engine_grads(activation, loss, x, y, w, b)
    want = _torch_grads(activation, torch_loss, x, y, w, b, sparse=kind == "sparse")
    _check(got, want, name)


# ---------------------------------------------------------------------------------------------
# a seeded MLP follows PyTorch's loss curve


def _mlp_pair(optimizer, torch_optimizer, seed=0):
    pj.random.seed(seed)
    model = nn.Sequential([nn.Input((20,)), nn.Dense(32, activation="relu"), nn.Dense(16, activation="tanh"),
                           nn.Dense(4)])
    model.compile(optimizer=optimizer, loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True))
    weights = model.get_weights()
    layers = []
    for i in range(3):
        lin = torch.nn.Linear(weights[2 * i].shape[0], weights[2 * i].shape[1]).double()
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(weights[2 * i].T.astype(np.float64)))
            lin.bias.copy_(torch.from_numpy(weights[2 * i + 1].astype(np.float64)))
        layers.append(lin)
        if i == 0:
            layers.append(torch.nn.ReLU())
        elif i == 1:
            layers.append(torch.nn.Tanh())
    tm = torch.nn.Sequential(*layers)
    return model, tm, torch_optimizer(tm.parameters())


def _torch_curve(tm, opt, x, y, batch, epochs):
    tx, ty = torch.from_numpy(x.astype(np.float64)), torch.from_numpy(y)
    curve = []
    for _ in range(epochs):
        losses = []
        for s in range(0, len(x), batch):
            opt.zero_grad()
            loss = F.cross_entropy(tm(tx[s:s + batch]), ty[s:s + batch])
            loss.backward()
            opt.step()
            losses.append(loss.item())
        curve.append(float(np.mean(losses)))
    return curve


def _data(n=512, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((4, 20)) * 1.5
    y = rng.integers(0, 4, n)
    x = (centers[y] + rng.standard_normal((n, 20))).astype(np.float32)
    return x, y.astype(np.int64)


@pytest.mark.parametrize("which", ["sgd_momentum", "adam"])
def test_seeded_mlp_follows_torch_loss_curve(which):
    x, y = _data()
    if which == "sgd_momentum":
        opt = nn.optimizers.SGD(learning_rate=0.05, momentum=0.9)
        topt = lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)  # noqa: E731
        rtol = 1e-5  # float32 against float64 over 80 steps
    else:
        opt = nn.optimizers.Adam(learning_rate=3e-3)
        # Keras adds epsilon to sqrt(v) before bias correction, PyTorch after; at 1e-7 it hardly shows.
        topt = lambda p: torch.optim.Adam(p, lr=3e-3, eps=1e-7)  # noqa: E731
        rtol = 5e-4
    model, tm, torch_opt = _mlp_pair(opt, topt)
    h = model.fit(x, y, batch_size=32, epochs=5, shuffle=False, verbose=0)
    want = _torch_curve(tm, torch_opt, x, y, 32, 5)
    np.testing.assert_allclose(h.history["loss"], want, rtol=rtol)
    assert want[-1] < 0.5 * want[0]  # the comparison means something only if it learned
    final = [p.detach().numpy() for p in tm.parameters()]
    for i, w in enumerate(model.get_weights()):
        ref = final[i].T if w.ndim == 2 else final[i]
        np.testing.assert_allclose(w, ref, rtol=1e-3, atol=1e-4)
