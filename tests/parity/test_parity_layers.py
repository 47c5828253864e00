"""The layers for real models against PyTorch CPU (opt-in: `pip install -e '.[parity]'`; skipped without
torch): forward values and gradients over random configurations.

Every model is ``Input -> Dense "pre" -> layer under test`` (the pre-projection's gradient carries
the layer's input gradient), with weights set explicitly on both sides in Keras layouts and converted
for PyTorch here (Keras kernels HWIO vs torch OIHW; LSTM gates i,f,c,o = torch's i,f,g,o; GRU gates
z,r,h vs torch's r,z,n with reset_after = torch's form). Gradients are read off one SGD step with
learning_rate=1 under an mse loss (w_before - w_after = grad), so they come from the engine's own
training loop. PyTorch computes in float64.
"""
from __future__ import annotations

import numpy as np
import pytest

import pyj4 as pj
from pyj4 import nn

pytestmark = pytest.mark.parity
torch = pytest.importorskip("torch")
F = torch.nn.functional


# ---------------------------------------------------------------------------------------------
# harness


def t64(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def build(layer_fn, x_shape, pre_units, dtype="float32"):
    """Input -> Dense(pre_units, name='pre') -> layer_fn(tensor) (a functional model)."""
    inp = nn.Input(x_shape, dtype=dtype)
    h = nn.Dense(pre_units, name="pre")(inp) if pre_units else inp
    return nn.Model(inp, layer_fn(h))


def set_random_weights(model, rng, scale=0.4, positive=()):
    weights = []
    for w, name in zip(model.get_weights(), _names(model)):
        v = scale * rng.standard_normal(w.shape)
        if name in positive:
            v = 0.5 + np.abs(v)
        weights.append(v.astype(np.float32))
    model.set_weights(weights)
    return weights


def _names(model):
    from pyj4.nn import _engine

    return _engine.weight_names(model._j)


def engine_step(model, x, y):
    """Predictions, the training loss and w_before - w_after of one SGD(lr=1) step on the whole batch."""
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=1.0), loss="mse")
    before = model.get_weights()
    out = model.predict(x, batch_size=len(x))
    loss = model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0).history["loss"][0]
    deltas = [b.astype(np.float64) - a for b, a in zip(before, model.get_weights())]
    return out, loss, deltas


def torch_step(forward, weights, x, y, train_forward=None):
    """forward(params, x) in float64: eval output, training loss, and gradients per weight."""
    params = [t64(w).requires_grad_(True) for w in weights]
    tx = t64(x) if np.issubdtype(np.asarray(x).dtype, np.floating) else torch.as_tensor(x, dtype=torch.int64)
    with torch.no_grad():
        out = forward(params, tx).numpy()
    pred = (train_forward or forward)(params, tx)
    loss = ((pred - t64(y)) ** 2).mean()
    loss.backward()
    grads = [np.zeros(w.shape) if p.grad is None else p.grad.numpy() for p, w in zip(params, weights)]
    return out, float(loss.detach()), grads


def check(got, want, what, names, skip=()):
    out_g, loss_g, grads_g = got
    out_w, loss_w, grads_w = want
    scale = max(np.abs(out_w).max(), 1e-3)
    np.testing.assert_allclose(out_g, out_w, rtol=2e-4, atol=2e-5 * scale, err_msg=f"{what}: forward")
    assert loss_g == pytest.approx(loss_w, rel=2e-4, abs=1e-6), f"{what}: loss"
    for g, w, name in zip(grads_g, grads_w, names):
        if name in skip:
            continue
        gscale = max(np.abs(w).max(), 1e-4)
        np.testing.assert_allclose(g, w, rtol=2e-3, atol=3e-4 * gscale + 1e-6, err_msg=f"{what}: gradient of {name}")


def pre(params, x):
    return x @ params[0] + params[1]


ACT = {"linear": lambda z: z, "relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
       "gelu": lambda z: F.gelu(z, approximate="none")}


def run(layer_fn, forward, x, pre_units, rng, what, out_noise=1.0, positive=(), train_forward=None, skip=(), dtype="float32"):
    model = build(layer_fn, x.shape[1:], pre_units, dtype)
    weights = set_random_weights(model, rng, positive=positive)
    names = _names(model)
    y = (out_noise * rng.standard_normal((x.shape[0],) + model.output_shape[1:])).astype(np.float32)
    got = engine_step(model, x, y)
    want = torch_step(forward, weights, x, y, train_forward)
    check(got, want, what, names, skip)
    return model, got, want


# ---------------------------------------------------------------------------------------------
# Conv2D / Conv1D


def tf_pad(length, kernel, stride, dilation, padding):
    """(before, after) padding of TensorFlow's "same" / "causal" along one axis."""
    extent = (kernel - 1) * dilation + 1
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return extent - 1, 0
    out = -(-length // stride)
    total = max((out - 1) * stride + extent - length, 0)
    return total // 2, total - total // 2


def torch_conv2d(h, kernel, bias, cfg, channels_first_input=False):
    """h NHWC (or NCHW); kernel Keras [kh, kw, cin/g, F] -> torch [F, cin/g, kh, kw]."""
    x = h if channels_first_input else h.permute(0, 3, 1, 2)
    kh, kw = kernel.shape[0], kernel.shape[1]
    ph = tf_pad(x.shape[2], kh, cfg["strides"][0], cfg["dilation_rate"][0], cfg["padding"])
    pw = tf_pad(x.shape[3], kw, cfg["strides"][1], cfg["dilation_rate"][1], cfg["padding"])
    x = F.pad(x, (pw[0], pw[1], ph[0], ph[1]))
    y = F.conv2d(x, kernel.permute(3, 2, 0, 1), bias, stride=tuple(cfg["strides"]), dilation=tuple(cfg["dilation_rate"]),
                 groups=cfg["groups"])
    y = ACT[cfg["activation"]](y)
    return y if channels_first_input else y.permute(0, 2, 3, 1)


def random_conv2d_config(rng):
    groups = int(rng.choice([1, 1, 2, 3]))
    cfg = dict(filters=groups * int(rng.integers(1, 4)), kernel_size=tuple(int(k) for k in rng.integers(1, 4, 2)),
               padding=str(rng.choice(["valid", "same"])), groups=groups,
               activation=str(rng.choice(["linear", "relu", "tanh"])), use_bias=bool(rng.integers(0, 2)),
               data_format=str(rng.choice(["channels_last", "channels_first"])))
    if rng.integers(0, 2):
        cfg["strides"] = tuple(int(s) for s in rng.integers(1, 3, 2))
        cfg["dilation_rate"] = (1, 1)
    else:
        cfg["strides"] = (1, 1)
        cfg["dilation_rate"] = tuple(int(d) for d in rng.integers(1, 3, 2))
    return cfg, 3 * groups


@pytest.mark.parametrize("seed", range(10))
def test_conv2d_random_configurations(seed):
    rng = np.random.default_rng(100 + seed)
    cfg, cin = random_conv2d_config(rng)
    first = cfg["data_format"] == "channels_first"
    layer = nn.Conv2D(**cfg)
    full = layer.get_config()
    # the pre Dense acts on the last axis: channels (channels_last) or columns (channels_first)
    x = rng.standard_normal((3, cin, 7, 8) if first else (3, 7, 8, 2)).astype(np.float32)
    pre_units = 8 if first else cin

    def forward(p, tx):
        h = pre(p, tx)
        return torch_conv2d(h, p[2], p[3] if cfg["use_bias"] else None, full, channels_first_input=first)

    run(lambda h: layer(h), forward, x, pre_units, rng, f"Conv2D {cfg}")


@pytest.mark.parametrize("seed", range(6))
def test_conv1d_random_configurations(seed):
    rng = np.random.default_rng(200 + seed)
    padding = ["valid", "same", "causal"][seed % 3]
    strides, dilation = (int(rng.integers(1, 3)), 1) if seed % 2 else (1, int(rng.integers(1, 4)))
    groups = int(rng.choice([1, 2]))
    cfg = dict(filters=2 * groups, kernel_size=int(rng.integers(1, 4)), strides=strides, padding=padding,
               dilation_rate=dilation, groups=groups, activation="tanh")
    layer = nn.Conv1D(**cfg)
    x = rng.standard_normal((4, 9, 3)).astype(np.float32)
    cin = 2 * groups

    def forward(p, tx):
        h = pre(p, tx).permute(0, 2, 1)  # NWC -> NCW
        k = p[2]
        before, after = tf_pad(h.shape[2], k.shape[0], strides, dilation, padding)
        y = F.conv1d(F.pad(h, (before, after)), k.permute(2, 1, 0), p[3], stride=strides, dilation=dilation, groups=groups)
        return torch.tanh(y).permute(0, 2, 1)

    run(lambda h: layer(h), forward, x, cin, rng, f"Conv1D {cfg}")


# ---------------------------------------------------------------------------------------------
# pooling


def torch_pool(h, kind, pool, strides, padding):
    x = h.permute(0, 3, 1, 2)
    ph = tf_pad(x.shape[2], pool[0], strides[0], 1, padding)
    pw = tf_pad(x.shape[3], pool[1], strides[1], 1, padding)
    pads = (pw[0], pw[1], ph[0], ph[1])
    if kind == "max":
        y = F.max_pool2d(F.pad(x, pads, value=-np.inf), pool, strides)
    else:  # the mean of the positions inside the input (TensorFlow): sums / counts
        sums = F.avg_pool2d(F.pad(x, pads), pool, strides, divisor_override=1)
        counts = F.avg_pool2d(F.pad(torch.ones_like(x[:1, :1]), pads), pool, strides, divisor_override=1)
        y = sums / counts
    return y.permute(0, 2, 3, 1)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("seed", range(4))
def test_pooling_random_configurations(kind, seed):
    rng = np.random.default_rng(300 + seed)
    pool = tuple(int(p) for p in rng.integers(1, 4, 2))
    strides = tuple(int(s) for s in rng.integers(1, 4, 2))
    padding = ["valid", "same"][seed % 2]
    cls = nn.MaxPooling2D if kind == "max" else nn.AveragePooling2D
    x = rng.standard_normal((2, 7, 9, 3)).astype(np.float32)
    run(lambda h: cls(pool, strides=strides, padding=padding)(h),
        lambda p, tx: torch_pool(pre(p, tx), kind, pool, strides, padding), x, 3, rng, f"{kind} pool {pool} {strides} {padding}")


@pytest.mark.parametrize("kind", ["avg", "max"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_global_pooling(kind, data_format):
    rng = np.random.default_rng(7)
    cls = nn.GlobalAveragePooling2D if kind == "avg" else nn.GlobalMaxPooling2D
    axes = (1, 2) if data_format == "channels_last" else (2, 3)
    x = rng.standard_normal((3, 4, 5, 6)).astype(np.float32)
    reduce = (lambda h: h.mean(axes)) if kind == "avg" else (lambda h: h.amax(axes))
    run(lambda h: cls(data_format=data_format)(h), lambda p, tx: reduce(pre(p, tx)), x, 6, rng, f"global {kind} {data_format}")


# ---------------------------------------------------------------------------------------------
# normalization


@pytest.mark.parametrize("axis, center, scale", [(-1, True, True), (1, True, False), (2, False, True), (-1, False, False)])
def test_batch_normalization_forward_gradients_and_moving_statistics(axis, center, scale):
    rng = np.random.default_rng(400 + axis)
    eps, momentum = 1e-3, 0.9
    x = (1.5 + rng.standard_normal((8, 4, 5))).astype(np.float32)
    layer = nn.BatchNormalization(axis=axis, center=center, scale=scale, momentum=momentum)
    feature = axis % 3
    reduce = tuple(d for d in range(3) if d != feature)
    shape = [1, 1, 1]
    shape[feature] = 5 if feature == 2 else 4

    def unpack(p):
        i = 2
        gamma = p[i].reshape(shape) if scale else 1.0
        i += scale
        beta = p[i].reshape(shape) if center else 0.0
        i += center
        return gamma, beta, p[i].reshape(shape), p[i + 1].reshape(shape)

    def inference(p, tx):
        gamma, beta, mean, var = unpack(p)
        return (pre(p, tx) - mean) / torch.sqrt(var + eps) * gamma + beta

    def training(p, tx):
        gamma, beta, _, _ = unpack(p)
        h = pre(p, tx)
        mean, var = h.mean(reduce, keepdim=True), h.var(reduce, unbiased=False, keepdim=True)
        return (h - mean) / torch.sqrt(var + eps) * gamma + beta

    model, got, want = run(lambda h: layer(h), inference, x, 5, rng, f"BatchNormalization axis={axis}",
                           positive={f"{layer.name}/moving_variance"}, train_forward=training,
                           skip={f"{layer.name}/moving_mean", f"{layer.name}/moving_variance"})
    # moving statistics: moving * momentum + batch * (1 - momentum), with the biased batch variance
    names = _names(model)
    weights = model.get_weights()
    before = {n: w + d for n, w, d in zip(names, weights, got[2])}
    p = [t64(before[n]) for n in names]
    h = pre(p, t64(x)).detach()
    mean, var = h.mean(reduce).numpy(), h.var(reduce, unbiased=False).numpy()
    mm, mv = before[f"{layer.name}/moving_mean"], before[f"{layer.name}/moving_variance"]
    after = dict(zip(names, weights))
    np.testing.assert_allclose(after[f"{layer.name}/moving_mean"], mm * momentum + mean * (1 - momentum), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(after[f"{layer.name}/moving_variance"], mv * momentum + var * (1 - momentum), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("axis, center, scale", [(-1, True, True), ([1, 2], True, True), (1, False, True), (-1, True, False)])
def test_layer_normalization(axis, center, scale):
    rng = np.random.default_rng(500)
    eps = 1e-3
    x = (2 + rng.standard_normal((4, 5, 6))).astype(np.float32)
    axes = (2,) if axis == -1 else tuple(axis) if isinstance(axis, list) else (axis,)
    shape = [1, 1, 1]
    for a in axes:
        shape[a] = x.shape[a] if a != 2 else 6

    def forward(p, tx):
        h = pre(p, tx)
        mean, var = h.mean(axes, keepdim=True), h.var(axes, unbiased=False, keepdim=True)
        y = (h - mean) / torch.sqrt(var + eps)
        i = 2
        if scale:
            y = y * p[i].reshape(shape)
            i += 1
        if center:
            y = y + p[i].reshape(shape)
        return y

    run(lambda h: nn.LayerNormalization(axis=axis, center=center, scale=scale, epsilon=eps)(h), forward, x, 6, rng,
        f"LayerNormalization axis={axis}")


# ---------------------------------------------------------------------------------------------
# Embedding


def test_embedding_gradient_is_a_scatter_add():
    rng = np.random.default_rng(600)
    ids = rng.integers(0, 7, (5, 6))  # repeated ids: their gradients add up
    run(lambda h: nn.Dense(3, name="post")(nn.Embedding(7, 4)(h)),
        lambda p, tx: F.embedding(tx, p[0]) @ p[1] + p[2], ids, 0, rng, "Embedding", dtype="int32")


# ---------------------------------------------------------------------------------------------
# LSTM / GRU


def torch_lstm(h, kernel, recurrent, bias, units, return_sequences, go_backwards):
    lstm = torch.nn.LSTM(h.shape[-1], units, batch_first=True, bias=True).double()
    # Keras i, f, c, o = torch i, f, g, o: same order, transposed; torch's two biases -> one.
    params = {"weight_ih_l0": kernel.T, "weight_hh_l0": recurrent.T,
              "bias_ih_l0": bias if bias is not None else torch.zeros(4 * units, dtype=torch.float64),
              "bias_hh_l0": torch.zeros(4 * units, dtype=torch.float64)}
    x = h.flip(1) if go_backwards else h
    out, (hn, cn) = torch.func.functional_call(lstm, params, (x,))
    return out if return_sequences else out[:, -1], hn[0], cn[0]


def gru_blocks(w, units):
    """Keras z, r, h blocks along the last axis -> torch's r, z, n order along the first."""
    z, r, n = w[..., :units], w[..., units:2 * units], w[..., 2 * units:]
    return torch.cat([r, z, n], dim=-1)


def torch_gru(h, kernel, recurrent, bias, units, return_sequences, go_backwards):
    gru = torch.nn.GRU(h.shape[-1], units, batch_first=True, bias=True).double()
    zeros = torch.zeros(3 * units, dtype=torch.float64)
    params = {"weight_ih_l0": gru_blocks(kernel, units).T, "weight_hh_l0": gru_blocks(recurrent, units).T,
              "bias_ih_l0": gru_blocks(bias[0], units) if bias is not None else zeros,
              "bias_hh_l0": gru_blocks(bias[1], units) if bias is not None else zeros}
    x = h.flip(1) if go_backwards else h
    out, hn = torch.func.functional_call(gru, params, (x,))
    return out if return_sequences else out[:, -1], hn[0]


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
@pytest.mark.parametrize("seed", range(5))
def test_recurrent_random_configurations(cls, seed):
    rng = np.random.default_rng(700 + seed)
    units = int(rng.integers(1, 6))
    return_sequences, go_backwards, use_bias = (bool(b) for b in rng.integers(0, 2, 3))
    steps, features = int(rng.integers(1, 7)), int(rng.integers(1, 5))
    layer = getattr(nn, cls)(units, return_sequences=return_sequences, go_backwards=go_backwards, use_bias=use_bias)
    x = rng.standard_normal((3, steps, 4)).astype(np.float32)
    step = torch_lstm if cls == "LSTM" else torch_gru

    def forward(p, tx):
        return step(pre(p, tx), p[2], p[3], p[4] if use_bias else None, units, return_sequences, go_backwards)[0]

    run(lambda h: layer(h), forward, x, features, rng,
        f"{cls}(units={units}, return_sequences={return_sequences}, go_backwards={go_backwards}, use_bias={use_bias}), steps={steps}")


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_recurrent_return_state_gradients(cls):
    """Gradients that reach the final states from outside (return_state) add to the sequence's."""
    rng = np.random.default_rng(800)
    units = 3
    x = rng.standard_normal((4, 5, 2)).astype(np.float32)
    step = torch_lstm if cls == "LSTM" else torch_gru

    def layer_fn(h):
        outs = getattr(nn, cls)(units, return_sequences=True, return_state=True)(h)
        return nn.Concatenate()([nn.Flatten()(outs[0])] + outs[1:])

    def forward(p, tx):
        seq, *states = step(pre(p, tx), p[2], p[3], p[4], units, True, False)
        return torch.cat([seq.flatten(1)] + list(states), dim=1)

    run(layer_fn, forward, x, 3, rng, f"{cls} return_state")


# ---------------------------------------------------------------------------------------------
# MultiHeadAttention


def torch_mha(q_in, v_in, k_in, w, heads, key_dim, use_bias, causal=False, mask=None):
    it = iter(w)

    def proj(x):
        kernel = next(it)
        b = next(it) if use_bias else 0
        return torch.einsum("btd,dhk->bthk", x, kernel) + b

    q, k, v = proj(q_in), proj(k_in), proj(v_in)
    scores = torch.einsum("bthk,bshk->bhts", q / np.sqrt(key_dim), k)
    allowed = torch.ones(scores.shape, dtype=torch.bool)
    if causal:
        allowed = allowed & torch.tril(torch.ones(scores.shape[-2:], dtype=torch.bool))
    if mask is not None:
        allowed = allowed & mask[:, None]
    scores = scores.masked_fill(~allowed, -1e9)
    heads_out = torch.einsum("bhts,bshk->bthk", torch.softmax(scores, -1), v)
    wo = next(it)
    bo = next(it) if use_bias else 0
    return torch.einsum("bthk,hkd->btd", heads_out, wo) + bo


@pytest.mark.parametrize("seed", range(6))
def test_multi_head_attention_random_configurations(seed):
    rng = np.random.default_rng(900 + seed)
    heads, key_dim = int(rng.integers(1, 4)), int(rng.integers(1, 5))
    value_dim = int(rng.integers(1, 5)) if seed % 2 else None
    use_bias = bool(seed % 3)
    output_shape = int(rng.integers(2, 6)) if seed % 4 == 1 else None
    causal = seed % 3 == 0
    cross = seed % 2 == 0  # value and key from their own projections of the input
    steps, dim = int(rng.integers(2, 6)), 4
    x = rng.standard_normal((3, steps, 5)).astype(np.float32)
    mha = nn.MultiHeadAttention(heads, key_dim, value_dim=value_dim, use_bias=use_bias, output_shape=output_shape)

    def layer_fn(h):
        if cross:
            return mha(h, nn.Dense(3, name="vproj")(h), key=nn.Dense(2, name="kproj")(h), use_causal_mask=causal)
        return mha(h, h, use_causal_mask=causal)

    def forward(p, tx):
        h = pre(p, tx)
        if cross:
            v, k = h @ p[2] + p[3], h @ p[4] + p[5]
            return torch_mha(h, v, k, p[6:], heads, key_dim, use_bias, causal)
        return torch_mha(h, h, h, p[2:], heads, key_dim, use_bias, causal)

    run(layer_fn, forward, x, dim, rng,
        f"MHA(heads={heads}, key_dim={key_dim}, value_dim={value_dim}, bias={use_bias}, out={output_shape}, causal={causal}, cross={cross})")


def test_multi_head_attention_with_an_attention_mask():
    """The mask comes from the input (relu of a projection: 0 = masked); no gradient flows through it."""
    rng = np.random.default_rng(950)
    steps = 5
    while True:
        x = rng.standard_normal((3, steps, 4)).astype(np.float32)
        wm = rng.standard_normal((4, steps)).astype(np.float32)
        if ((x @ wm) > 0).any(-1).all():  # every query may attend somewhere
            break
    mha = nn.MultiHeadAttention(2, 3)
    model = build(lambda h: mha(h, h, attention_mask=nn.Dense(steps, activation="relu", use_bias=False, name="mask")(h)),
                  x.shape[1:], 0)
    weights = set_random_weights(model, rng)
    names = _names(model)
    weights[names.index("mask/kernel")] = wm
    model.set_weights(weights)
    y = rng.standard_normal((3, steps, 4)).astype(np.float32)
    got = engine_step(model, x, y)

    def forward(p, tx):
        mask = (tx @ p[0]).detach() > 0
        return torch_mha(tx, tx, tx, p[1:], 2, 3, True, mask=mask)

    want = torch_step(forward, [weights[names.index("mask/kernel")]] + [w for n, w in zip(names, weights) if n != "mask/kernel"], x, y)
    order = [names.index("mask/kernel")] + [i for i, n in enumerate(names) if n != "mask/kernel"]
    got = (got[0], got[1], [got[2][i] for i in order])
    check(got, want, "MHA attention_mask", [names[i] for i in order])


# ---------------------------------------------------------------------------------------------
# merge layers and Dense on sequences


def test_merge_layers_gradients():
    rng = np.random.default_rng(1000)
    x = rng.standard_normal((4, 3, 5)).astype(np.float32)

    def layer_fn(h):
        a = nn.Dense(5, name="a")(h)
        b = nn.Dense(5, name="b")(h)
        return nn.Concatenate(axis=1)([nn.Add()([h, a]), nn.Multiply()([a, b]), b])

    def forward(p, tx):
        h = pre(p, tx)
        a, b = h @ p[2] + p[3], h @ p[4] + p[5]
        return torch.cat([h + a, a * b, b], dim=1)

    run(layer_fn, forward, x, 5, rng, "Add / Multiply / Concatenate")


# ---------------------------------------------------------------------------------------------
# a whole training run: a small CNN with batch normalization follows PyTorch's loss curve


def test_small_cnn_follows_torch_loss_curve():
    rng = np.random.default_rng(1100)
    x = rng.standard_normal((256, 8, 8, 1)).astype(np.float32)
    y = (x[:, :4].sum((1, 2, 3)) > x[:, 4:].sum((1, 2, 3))).astype(np.int64) + 2 * (x[..., 0].mean((1, 2)) > 0)
    pj.random.seed(0)
    model = nn.Sequential([nn.Input((8, 8, 1)), nn.Conv2D(4, 3, padding="same", use_bias=False), nn.BatchNormalization(),
                           nn.Activation("relu"), nn.MaxPooling2D(), nn.Conv2D(6, 3, activation="tanh"),
                           nn.GlobalAveragePooling2D(), nn.Dense(4)])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                  loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True))
    w = [t64(a) for a in model.get_weights()]  # conv1, gamma, beta, mean, var, conv2 kernel/bias, dense kernel/bias
    params = [w[0], w[1], w[2], w[5], w[6], w[7], w[8]]
    for p in params:
        p.requires_grad_(True)
    running_mean, running_var = w[3].clone(), w[4].clone()
    opt = torch.optim.SGD(params, lr=0.05, momentum=0.9)

    def forward(tx):
        h = F.conv2d(F.pad(tx.permute(0, 3, 1, 2), (1, 1, 1, 1)), params[0].permute(3, 2, 0, 1))
        # Keras' momentum 0.99 is PyTorch's 0.01; PyTorch keeps the unbiased variance (not compared here)
        h = F.batch_norm(h, running_mean, running_var, params[1], params[2], training=True, momentum=0.01, eps=1e-3)
        h = F.max_pool2d(F.relu(h), 2)
        h = torch.tanh(F.conv2d(h, params[3].permute(3, 2, 0, 1), params[4]))
        return h.mean((2, 3)) @ params[5] + params[6]

    tx, ty = t64(x), torch.from_numpy(y)
    curve = []
    for _ in range(3):
        losses = []
        for s in range(0, 256, 32):
            opt.zero_grad()
            loss = F.cross_entropy(forward(tx[s:s + 32]), ty[s:s + 32])
            loss.backward()
            opt.step()
            losses.append(loss.item())
        curve.append(float(np.mean(losses)))
    h = model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(h.history["loss"], curve, rtol=1e-4)
    assert curve[-1] < curve[0]
    final = model.get_weights()
    np.testing.assert_allclose(final[7], params[5].detach().numpy(), rtol=1e-3, atol=1e-5)
