"""Every layer for real models in the engine: forward values against NumPy references written from
Keras' definitions (weights set explicitly, Keras layouts), save/load round trips with identical
predictions, and BatchNormalization's training vs inference behaviour."""
from __future__ import annotations

import numpy as np
import pytest

import pyj4 as pj
from pyj4 import nn

RTOL, ATOL = 2e-4, 2e-5


def one_layer(layer, shape, dtype="float32", **call_kwargs):
    inp = nn.Input(shape, dtype=dtype)
    return nn.Model(inp, layer(inp, **call_kwargs))


def randomize(model, rng, scale=0.5):
    """Random weights in Keras layouts (variances kept positive)."""
    weights = []
    for layer in model.layers:
        ws = layer.get_weights()
        for i, w in enumerate(ws):
            v = scale * rng.standard_normal(w.shape)
            if isinstance(layer, nn.BatchNormalization) and i == len(ws) - 1:
                v = 0.5 + np.abs(v)  # moving_variance
            weights.append(v.astype(np.float32))
    model.set_weights(weights)
    return weights


def round_trip(model, x, tmp_path):
    """The model saved and loaded predicts exactly the same."""
    before = model.predict(x)
    path = tmp_path / f"{model.name}.pyj4"
    model.save(path)
    loaded = nn.load_model(path)
    assert type(loaded) is type(model) and loaded.to_json() == nn.load_model(path).to_json()
    np.testing.assert_array_equal(loaded.predict(x), before)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    return before


# ---------------------------------------------------------------------------------------------
# NumPy references (Keras semantics)


def _same_pad(length, kernel, stride, dilation):
    extent = (kernel - 1) * dilation + 1
    out = -(-length // stride)
    total = max((out - 1) * stride + extent - length, 0)
    return out, total // 2, total - total // 2


def conv2d_ref(x, k, b, strides=(1, 1), padding="valid", dilation=(1, 1), groups=1):
    """x [N, H, W, C], k [kh, kw, C/groups, F] (HWIO): TensorFlow's convolution."""
    n, h, w, _ = x.shape
    kh, kw, cg, f = k.shape
    pads = []
    outs = []
    for length, kern, s, d in ((h, kh, strides[0], dilation[0]), (w, kw, strides[1], dilation[1])):
        extent = (kern - 1) * d + 1
        if padding == "valid":
            outs.append((length - extent) // s + 1)
            pads.append((0, 0))
        elif padding == "causal":
            outs.append(-(-length // s))
            pads.append((extent - 1, 0))
        else:
            o, before, after = _same_pad(length, kern, s, d)
            outs.append(o)
            pads.append((before, after))
    xp = np.pad(x.astype(np.float64), ((0, 0), pads[0], pads[1], (0, 0)))
    oh, ow = outs
    out = np.zeros((n, oh, ow, f))
    fg = f // groups
    for i in range(kh):
        for j in range(kw):
            r0, c0 = i * dilation[0], j * dilation[1]
            patch = xp[:, r0:r0 + (oh - 1) * strides[0] + 1:strides[0], c0:c0 + (ow - 1) * strides[1] + 1:strides[1], :]
            for g in range(groups):
                out[..., g * fg:(g + 1) * fg] += patch[..., g * cg:(g + 1) * cg] @ k[i, j, :, g * fg:(g + 1) * fg]
    return out if b is None else out + b


def pool2d_ref(x, kind, pool, strides, padding):
    """Max / average pooling; with "same", padded positions never count (TensorFlow)."""
    n, h, w, c = x.shape
    if padding == "valid":
        oh, ow = (h - pool[0]) // strides[0] + 1, (w - pool[1]) // strides[1] + 1
        ph = pw = (0, 0)
    else:
        oh, *ph = _same_pad(h, pool[0], strides[0], 1)
        ow, *pw = _same_pad(w, pool[1], strides[1], 1)
    xp = np.pad(x.astype(np.float64), ((0, 0), tuple(ph), tuple(pw), (0, 0)), constant_values=np.nan)
    out = np.empty((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            win = xp[:, i * strides[0]:i * strides[0] + pool[0], j * strides[1]:j * strides[1] + pool[1], :]
            out[:, i, j, :] = np.nanmax(win, axis=(1, 2)) if kind == "max" else np.nanmean(win, axis=(1, 2))
    return out


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_ref(x, kernel, recurrent, bias, return_sequences=False, go_backwards=False):
    """Keras LSTM, gates i, f, c, o."""
    x = x[:, ::-1] if go_backwards else x
    n, steps, _ = x.shape
    units = recurrent.shape[0]
    h, c = np.zeros((n, units)), np.zeros((n, units))
    seq = []
    for t in range(steps):
        z = x[:, t] @ kernel + h @ recurrent + (0 if bias is None else bias)
        i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        seq.append(h)
    return (np.stack(seq, 1) if return_sequences else h), h, c


def gru_ref(x, kernel, recurrent, bias, return_sequences=False, go_backwards=False):
    """Keras GRU with reset_after=True, gates z, r, h; bias [2, 3 * units] (input, recurrent)."""
    x = x[:, ::-1] if go_backwards else x
    n, steps, _ = x.shape
    units = recurrent.shape[0]
    bi, br = (0, 0) if bias is None else (bias[0], bias[1])
    h = np.zeros((n, units))
    seq = []
    for t in range(steps):
        xp = x[:, t] @ kernel + bi
        hp = h @ recurrent + br
        z = sigmoid(xp[:, :units] + hp[:, :units])
        r = sigmoid(xp[:, units:2 * units] + hp[:, units:2 * units])
        cand = np.tanh(xp[:, 2 * units:] + r * hp[:, 2 * units:])
        h = z * h + (1 - z) * cand
        seq.append(h)
    return (np.stack(seq, 1) if return_sequences else h), h


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def mha_ref(q_in, v_in, k_in, weights, num_heads, key_dim, mask=None, causal=False):
    wq, bq, wk, bk, wv, bv, wo, bo = weights
    q = np.einsum("btd,dhk->bthk", q_in, wq) + bq
    k = np.einsum("bsd,dhk->bshk", k_in, wk) + bk
    v = np.einsum("bsd,dhk->bshk", v_in, wv) + bv
    scores = np.einsum("bthk,bshk->bhts", q / np.sqrt(key_dim), k)
    allowed = np.ones(scores.shape, bool)
    if mask is not None:
        allowed &= mask[:, None].astype(bool)
    if causal:
        allowed &= np.tril(np.ones(scores.shape[-2:], bool))
    scores = np.where(allowed, scores, scores - 1e9)
    heads = np.einsum("bhts,bshk->bthk", softmax(scores), v)
    return np.einsum("bthk,hkd->btd", heads, wo) + bo


# ---------------------------------------------------------------------------------------------
# forward values + save/load, layer by layer


CONV2D_CASES = [
    dict(filters=4, kernel_size=3),
    dict(filters=6, kernel_size=(3, 2), strides=(2, 1), padding="same", activation="relu"),
    dict(filters=4, kernel_size=3, dilation_rate=2, padding="same", use_bias=False),
    dict(filters=6, kernel_size=3, groups=3, strides=2),
    dict(filters=4, kernel_size=(2, 3), data_format="channels_first", padding="same", activation="tanh"),
]


@pytest.mark.parametrize("args", CONV2D_CASES, ids=lambda a: ",".join(f"{k}={v}" for k, v in a.items()))
def test_conv2d_matches_reference_and_round_trips(args, tmp_path):
    rng = np.random.default_rng(len(str(args)))
    channels_first = args.get("data_format") == "channels_first"
    x = rng.standard_normal((3, 9, 8, 6)).astype(np.float32)
    layer = nn.Conv2D(**args)
    model = one_layer(layer, x.shape[1:] if not channels_first else (6, 9, 8))
    xin = np.ascontiguousarray(x.transpose(0, 3, 1, 2)) if channels_first else x
    weights = randomize(model, rng)
    want = conv2d_ref(x, weights[0], weights[1] if layer.use_bias else None, layer.strides, layer.padding,
                      layer.dilation_rate, layer.groups)
    want = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}.get(layer.activation, lambda z: z)(want)
    if channels_first:
        want = want.transpose(0, 3, 1, 2)
    got = round_trip(model, xin, tmp_path)
    assert got.shape == (3,) + model.output_shape[1:]
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("padding, strides, dilation", [("valid", 1, 1), ("same", 2, 1), ("causal", 1, 2)])
def test_conv1d_matches_reference_and_round_trips(padding, strides, dilation, tmp_path):
    rng = np.random.default_rng(strides + dilation)
    x = rng.standard_normal((4, 11, 3)).astype(np.float32)
    model = one_layer(nn.Conv1D(5, 3, strides=strides, padding=padding, dilation_rate=dilation), (11, 3))
    kernel, bias = randomize(model, rng)
    want = conv2d_ref(x[:, None], kernel[None], bias, (1, strides), padding, (1, dilation))[:, 0]
    np.testing.assert_allclose(round_trip(model, x, tmp_path), want, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("cls, kind", [(nn.MaxPooling2D, "max"), (nn.AveragePooling2D, "avg")])
@pytest.mark.parametrize("pool, strides, padding", [((2, 2), None, "valid"), ((3, 3), (2, 2), "same"), ((2, 3), (1, 2), "same")])
def test_pooling_matches_reference_and_round_trips(cls, kind, pool, strides, padding, tmp_path):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 7, 8, 3)).astype(np.float32)
    model = one_layer(cls(pool, strides=strides, padding=padding), (7, 8, 3))
    want = pool2d_ref(x, kind, pool, strides or pool, padding)
    np.testing.assert_allclose(round_trip(model, x, tmp_path), want, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("cls, fn", [(nn.GlobalAveragePooling2D, np.mean), (nn.GlobalMaxPooling2D, np.max)])
@pytest.mark.parametrize("data_format, keepdims", [("channels_last", False), ("channels_first", True)])
def test_global_pooling(cls, fn, data_format, keepdims, tmp_path):
    x = np.random.default_rng(1).standard_normal((3, 4, 5, 6)).astype(np.float32)
    axes = (1, 2) if data_format == "channels_last" else (2, 3)
    model = one_layer(cls(data_format=data_format, keepdims=keepdims), (4, 5, 6))
    np.testing.assert_allclose(round_trip(model, x, tmp_path), fn(x, axis=axes, keepdims=keepdims), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("args", [{}, dict(axis=1, center=False), dict(scale=False, epsilon=1e-5)])
def test_batch_normalization_inference_uses_moving_statistics(args, tmp_path):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 4, 3)).astype(np.float32)
    layer = nn.BatchNormalization(**args)
    model = one_layer(layer, (4, 3))
    weights = randomize(model, rng)
    axis = layer.axis % 3
    shape = [1, 1, 1]
    shape[axis] = x.shape[axis]
    it = iter(weights)
    gamma = next(it) if layer.scale else 1.0
    beta = next(it) if layer.center else 0.0
    mean, var = next(it), next(it)
    r = lambda v: np.reshape(v, shape) if np.ndim(v) else v  # noqa: E731
    want = (x - r(mean)) / np.sqrt(r(var) + layer.epsilon) * r(gamma) + r(beta)
    np.testing.assert_allclose(round_trip(model, x, tmp_path), want, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_layer_normalization(axis, tmp_path):
    rng = np.random.default_rng(4)
    x = (3 + 2 * rng.standard_normal((4, 5, 6))).astype(np.float32)
    model = one_layer(nn.LayerNormalization(axis=axis), (5, 6))
    gamma, beta = randomize(model, rng)
    axes = (-1,) if axis == -1 else (1, 2)
    mean, var = x.mean(axes, keepdims=True), x.var(axes, keepdims=True)
    want = (x - mean) / np.sqrt(var + 1e-3) * gamma + beta
    np.testing.assert_allclose(round_trip(model, x, tmp_path), want, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("dtype", ["int32", "int64", "float32"])
def test_embedding_looks_up_rows(dtype, tmp_path):
    rng = np.random.default_rng(5)
    ids = rng.integers(0, 9, (6, 4)).astype(dtype)
    model = one_layer(nn.Embedding(9, 3), (4,), dtype=dtype)
    (table,) = randomize(model, rng)
    np.testing.assert_array_equal(round_trip(model, ids, tmp_path), table[ids.astype(np.int64)])
    with pytest.raises(ValueError, match="input_dim=9"):
        model.predict(np.full((1, 4), 9, dtype=dtype))


@pytest.mark.parametrize("return_sequences, go_backwards, use_bias", [(False, False, True), (True, False, True),
                                                                      (True, True, False), (False, True, True)])
def test_lstm_matches_reference(return_sequences, go_backwards, use_bias, tmp_path):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 7, 4)).astype(np.float32)
    model = one_layer(nn.LSTM(5, return_sequences=return_sequences, go_backwards=go_backwards, use_bias=use_bias), (7, 4))
    weights = randomize(model, rng)
    want = lstm_ref(x, weights[0], weights[1], weights[2] if use_bias else None, return_sequences, go_backwards)[0]
    np.testing.assert_allclose(round_trip(model, x, tmp_path), want, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("return_sequences, go_backwards, use_bias", [(False, False, True), (True, True, True),
                                                                      (True, False, False)])
def test_gru_matches_reference(return_sequences, go_backwards, use_bias, tmp_path):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((3, 6, 4)).astype(np.float32)
    model = one_layer(nn.GRU(5, return_sequences=return_sequences, go_backwards=go_backwards, use_bias=use_bias), (6, 4))
    weights = randomize(model, rng)
    want = gru_ref(x, weights[0], weights[1], weights[2] if use_bias else None, return_sequences, go_backwards)[0]
    np.testing.assert_allclose(round_trip(model, x, tmp_path), want, rtol=RTOL, atol=ATOL)


def test_recurrent_initial_weights_follow_keras():
    pj.random.seed(0)
    model = one_layer(nn.LSTM(6), (3, 4))
    kernel, recurrent, bias = model.get_weights()
    assert kernel.shape == (4, 24) and recurrent.shape == (6, 24) and bias.shape == (24,)
    np.testing.assert_array_equal(bias, np.r_[np.zeros(6), np.ones(6), np.zeros(12)])  # unit_forget_bias
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(6), atol=1e-5)  # Orthogonal: orthonormal rows
    _, _, gru_bias = one_layer(nn.GRU(3), (2, 2)).get_weights()
    assert gru_bias.shape == (2, 9)


def test_recurrent_return_state_gives_every_output(tmp_path):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((4, 5, 3)).astype(np.float32)
    inp = nn.Input((5, 3))
    seq, h, c = nn.LSTM(4, return_sequences=True, return_state=True)(inp)
    out, g = nn.GRU(2, return_state=True)(seq)
    model = nn.Model(inp, nn.Concatenate()([h, c, out, g]))
    w = randomize(model, rng)
    seq_ref, h_ref, c_ref = lstm_ref(x, *w[:3], return_sequences=True)
    out_ref, g_ref = gru_ref(seq_ref, *w[3:6])
    np.testing.assert_allclose(round_trip(model, x, tmp_path), np.concatenate([h_ref, c_ref, out_ref, g_ref], -1),
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(out_ref, g_ref)  # a GRU's output is its state


@pytest.mark.parametrize("case", ["self", "cross_key_value", "causal", "mask", "no_bias_output_shape"])
def test_multi_head_attention_matches_reference(case, tmp_path):
    rng = np.random.default_rng(len(case))
    heads, key_dim = 2, 3
    q = rng.standard_normal((2, 5, 4)).astype(np.float32)
    v = rng.standard_normal((2, 6, 3)).astype(np.float32)
    k = rng.standard_normal((2, 6, 2)).astype(np.float32)
    use_bias = case != "no_bias_output_shape"
    mha = nn.MultiHeadAttention(heads, key_dim, value_dim=4 if case == "cross_key_value" else None, use_bias=use_bias,
                                output_shape=7 if not use_bias else None)
    qi = nn.Input((5, 4))
    if case in ("self", "causal", "no_bias_output_shape"):
        model = nn.Model(qi, mha(qi, qi, use_causal_mask=case == "causal"))
        x, args = q, (q, q, q)
    elif case == "cross_key_value":
        vi, ki = nn.Input((6, 3)), nn.Input((6, 2))
        model = nn.Model([qi, vi, ki], mha(qi, vi, key=ki))
        x, args = None, (q, v, k)
    else:  # a mask computed from the input: relu(q @ wm) is 0 where a query may not attend
        mask = nn.Dense(5, activation="relu", use_bias=False, name="mask_proj")(qi)
        model = nn.Model(qi, mha(qi, qi, attention_mask=mask))
        x, args = q, (q, q, q)
    w = randomize(model, rng)
    mask = None
    if case == "mask":
        wm = w.pop(0)
        while not ((q @ wm) > 0).any(-1).all():  # every query attends somewhere
            wm = rng.standard_normal(wm.shape).astype(np.float32)
        model.get_layer("mask_proj").set_weights([wm])
        mask = (q @ wm) > 0
    if not use_bias:
        w = [w[0], 0, w[1], 0, w[2], 0, w[3], 0]
    want = mha_ref(*args, w, heads, key_dim, mask=mask, causal=case == "causal")
    if x is None:  # several inputs: the engine builds and holds weights; predict takes one input today
        with pytest.raises(ValueError, match="one input and one output"):
            model.predict(q)
        return
    np.testing.assert_allclose(round_trip(model, x, tmp_path), want, rtol=RTOL, atol=ATOL)


def test_merge_layers(tmp_path):
    x = np.random.default_rng(2).standard_normal((3, 4)).astype(np.float32)
    inp = nn.Input((4,))
    a = nn.Dense(4, use_bias=False, kernel_initializer="ones")(inp)
    model = nn.Model(inp, nn.Concatenate()([nn.Add()([inp, a]), nn.Multiply()([inp, a]), inp]))
    s = x.sum(1, keepdims=True)
    want = np.concatenate([x + s, x * s, x], axis=1)
    np.testing.assert_allclose(round_trip(model, x, tmp_path), want, rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------------------------------------
# BatchNormalization: training vs inference


def _bn_model(**kwargs):
    model = nn.Sequential([nn.Input((3,)), nn.BatchNormalization(**kwargs)])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=1e-9), loss="mse")  # ~0: only the statistics move
    return model


def test_batch_normalization_trains_on_batch_statistics_and_moves_the_moving_ones():
    rng = np.random.default_rng(0)
    x = (5 + 3 * rng.standard_normal((64, 3))).astype(np.float32)
    model = _bn_model(momentum=0.9)
    # Inference before training: moving mean 0, variance 1 -> almost the identity.
    np.testing.assert_allclose(model.predict(x), x / np.sqrt(1 + 1e-3), rtol=1e-5)
    h = model.fit(x, np.zeros_like(x), batch_size=64, epochs=1, shuffle=False, verbose=0)
    # Training normalized with the batch's statistics: the mse against 0 is var / (var + eps) ~= 1.
    var = x.var(0)
    assert h.history["loss"][0] == pytest.approx(np.mean(var / (var + 1e-3)), rel=1e-4)
    gamma, beta, mean, moving_var = model.get_weights()
    np.testing.assert_allclose(mean, 0.1 * x.mean(0), rtol=1e-4)
    np.testing.assert_allclose(moving_var, 0.9 + 0.1 * var, rtol=1e-4)
    np.testing.assert_allclose(gamma, np.ones(3), atol=1e-6)
    np.testing.assert_allclose(beta, np.zeros(3), atol=1e-6)
    # Inference after training: the moving statistics, not the batch's.
    np.testing.assert_allclose(model.predict(x), (x - mean) / np.sqrt(moving_var + 1e-3), rtol=1e-4, atol=1e-5)
    # evaluate is inference too: its loss uses the moving statistics.
    want = np.mean(((x - mean) / np.sqrt(moving_var + 1e-3)) ** 2)
    assert model.evaluate(x, np.zeros_like(x), verbose=0)["loss"] == pytest.approx(want, rel=1e-4)


def test_batch_normalization_statistics_converge_and_survive_save_load(tmp_path):
    rng = np.random.default_rng(1)
    x = (2 - 4 * rng.standard_normal((512, 3))).astype(np.float32)
    model = _bn_model(momentum=0.5)
    model.fit(x, np.zeros_like(x), batch_size=128, epochs=8, verbose=0)
    _, _, mean, var = model.get_weights()
    np.testing.assert_allclose(mean, x.mean(0), atol=0.5)
    np.testing.assert_allclose(var, x.var(0), rtol=0.25)
    out = model.predict(x)
    np.testing.assert_allclose(out.mean(0), 0, atol=0.2)
    model.save(tmp_path / "bn.pyj4")
    loaded = nn.load_model(tmp_path / "bn.pyj4")
    np.testing.assert_array_equal(loaded.get_weights()[2], mean)
    np.testing.assert_array_equal(loaded.predict(x), out)


def test_frozen_batch_normalization_runs_in_inference_mode():
    rng = np.random.default_rng(2)
    x = (5 + rng.standard_normal((32, 3))).astype(np.float32)
    model = nn.Sequential([nn.Input((3,)), nn.Dense(3), nn.BatchNormalization(trainable=False)])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=1e-9), loss="mse")
    model.layers[0].set_weights([np.eye(3, dtype=np.float32), np.zeros(3, np.float32)])
    before = model.layers[1].get_weights()
    h = model.fit(x, np.zeros_like(x), batch_size=32, epochs=1, verbose=0)
    for a, b in zip(model.layers[1].get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert h.history["loss"][0] == pytest.approx(np.mean(x ** 2 / (1 + 1e-3)), rel=1e-4)


def test_batch_normalization_counts_its_statistics_as_non_trainable(capsys):
    model = nn.Sequential([nn.Input((4, 4, 2)), nn.Conv2D(3, 3), nn.BatchNormalization(), nn.Flatten(), nn.Dense(2)])
    model.summary()
    out = capsys.readouterr().out
    assert "Non-trainable params: 6" in out
    assert [w.shape for w in model.layers[1].get_weights()] == [(3,)] * 4
