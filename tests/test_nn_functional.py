"""The functional API in the engine: graphs with branches, residual connections, shared layers and
several outputs; fit/evaluate/predict/summary/save/load as for Sequential; the same JSON on both
sides of the bridge (a graph built in Java loads in Python and the other way round)."""
from __future__ import annotations

import json

import jpype
import numpy as np
import pytest

import pyj4 as pj
from pyj4 import nn


def residual_mlp(seed=0):
    pj.random.seed(seed)
    inp = nn.Input((6,), name="x")
    h = nn.Dense(6, activation="tanh", name="h")(inp)
    s = nn.Add(name="skip")([inp, h])
    branch = nn.Dense(3, activation="relu", name="branch")(inp)
    out = nn.Dense(3, activation="softmax", name="out")(nn.Concatenate(name="cat")([s, branch]))
    return nn.Model(inp, out, name="residual")


def blobs(n, seed=0):
    centers = np.random.default_rng(42).standard_normal((3, 6)) * 2
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    return (centers[y] + rng.standard_normal((n, 6))).astype(np.float32), y


def test_residual_graph_fits_evaluates_and_predicts():
    x, y = blobs(512)
    xv, yv = blobs(128, seed=1)
    model = residual_mlp()
    assert isinstance(model, nn.Model) and isinstance(model, nn.Functional)
    assert [l.name for l in model.layers] == ["x", "h", "skip", "branch", "cat", "out"]
    model.compile(optimizer=nn.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, batch_size=32, epochs=8, validation_data=(xv, yv), seed=0, verbose=0)
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert model.evaluate(xv, yv, verbose=0)["accuracy"] > 0.9
    p = model.predict(xv)
    assert p.shape == (128, 3) and np.allclose(p.sum(1), 1, atol=1e-5)
    np.testing.assert_array_equal(model(xv), p)


def test_forward_pass_is_the_graph_numpy_computes():
    model = residual_mlp()
    x, _ = blobs(10)
    w = {l.name: l.get_weights() for l in model.layers}
    s = x + np.tanh(x @ w["h"][0] + w["h"][1])
    b = np.maximum(x @ w["branch"][0] + w["branch"][1], 0)
    z = np.concatenate([s, b], 1) @ w["out"][0] + w["out"][1]
    want = np.exp(z - z.max(1, keepdims=True))
    want /= want.sum(1, keepdims=True)
    np.testing.assert_allclose(model.predict(x), want, rtol=1e-4, atol=1e-6)


def test_layer_weights_in_a_functional_model():
    model = residual_mlp()
    assert [w.shape for w in model.layers[1].get_weights()] == [(6, 6), (6,)]
    assert model.layers[2].get_weights() == [] and model.layers[0].get_weights() == []
    new = [np.full((6, 3), 0.5, np.float32), np.arange(3, dtype=np.float32)]
    model.layers[3].set_weights(new)
    got = model.layers[3].get_weights()
    np.testing.assert_array_equal(got[0], new[0])
    assert model.count_params() == sum(w.size for w in model.get_weights())


def test_shared_layer_uses_one_set_of_weights():
    shared = nn.Dense(3, name="shared")
    inp = nn.Input((4,))
    out = nn.Add()([shared(inp), shared(nn.Multiply()([inp, inp]))])
    model = nn.Model(inp, out)
    kernel, bias = model.get_weights()
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(model.predict(x), x @ kernel + bias + (x * x) @ kernel + bias, rtol=1e-5, atol=1e-6)


def test_shared_layer_trains_and_round_trips(tmp_path):
    inp = nn.Input((4,))
    shared = nn.Dense(4, activation="tanh")
    out = nn.Dense(1)(shared(shared(inp)))  # the same layer twice in a row
    model = nn.Model(inp, out)
    model.compile("adam", "mse")
    x = np.random.default_rng(1).standard_normal((64, 4)).astype(np.float32)
    h = model.fit(x, x.sum(1), epochs=3, verbose=0)
    assert len(h.history["loss"]) == 3
    model.save(tmp_path / "shared.pyj4")
    loaded = nn.load_model(tmp_path / "shared.pyj4")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert len(json.loads(loaded.to_json())["config"]["layers"][1]["inbound_nodes"]) == 2


def test_save_load_keeps_the_graph_the_weights_and_the_training_state(tmp_path):
    x, y = blobs(256)
    model = residual_mlp()
    model.compile(optimizer=nn.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "residual.pyj4"
    model.save(path)
    loaded = nn.load_model(path)
    assert isinstance(loaded, nn.Functional) and loaded.name == "residual"
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert loaded.optimizer is not None and loaded.compiled_metrics == ["accuracy"]
    # training continues from the saved optimizer state in both: same next epoch
    h1 = model.fit(x, y, epochs=1, shuffle=False, verbose=0)
    h2 = loaded.fit(x, y, epochs=1, shuffle=False, verbose=0)
    assert h1.history["loss"][0] == pytest.approx(h2.history["loss"][0], rel=1e-6)


def test_model_from_json_builds_an_untrained_copy():
    model = residual_mlp()
    again = nn.model_from_json(model.to_json())
    assert again.to_json() == model.to_json()
    again.compile("sgd", "sparse_categorical_crossentropy")
    x, y = blobs(64)
    again.fit(x, y, epochs=1, verbose=0)
    assert [w.shape for w in again.get_weights()] == [w.shape for w in model.get_weights()]


def test_summary_lists_every_layer(capsys):
    residual_mlp().summary()
    out = capsys.readouterr().out
    for name in ("h (Dense)", "skip (Add)", "cat (Concatenate)", "out (Dense)"):
        assert name in out
    assert "Total params: 93" in out  # 42 + 21 + 30


def test_recurrent_states_as_outputs_of_the_graph():
    inp = nn.Input((5, 3))
    seq, h, c = nn.LSTM(4, return_sequences=True, return_state=True)(inp)
    out = nn.Dense(2)(nn.Concatenate()([nn.GRU(4)(seq), h, c]))
    model = nn.Model(inp, out)
    model.compile("adam", "mse")
    x = np.random.default_rng(0).standard_normal((32, 5, 3)).astype(np.float32)
    model.fit(x, np.zeros((32, 2), np.float32), epochs=1, verbose=0)
    assert model.predict(x).shape == (32, 2)


def test_variable_length_sequences():
    inp = nn.Input((None, 3))
    out = nn.Dense(1)(nn.LSTM(4)(nn.Conv1D(5, 3, padding="causal")(inp)))
    model = nn.Model(inp, out)
    assert model.input_shape == (None, None, 3)
    rng = np.random.default_rng(0)
    short, long = rng.standard_normal((2, 4, 3)).astype(np.float32), rng.standard_normal((2, 9, 3)).astype(np.float32)
    assert model.predict(short).shape == model.predict(long).shape == (2, 1)
    model.compile("adam", "mse")
    model.fit(long, np.zeros((2, 1), np.float32), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"expected x of shape \(None, None, 3\)"):
        model.predict(np.zeros((2, 4, 2), np.float32))
    seq = nn.Sequential([nn.Input((None, 3)), nn.GRU(2)])
    assert seq.predict(short).shape == seq.predict(long).shape == (2, 2)


def test_integer_ids_cross_as_integers():
    model = nn.Sequential([nn.Input((5,), dtype="int32"), nn.Embedding(1000, 4), nn.Flatten(), nn.Dense(1)])
    ids = np.random.default_rng(0).integers(0, 1000, (8, 5))
    model.compile("sgd", "mse")
    model.fit(ids, np.zeros(8, np.float32), epochs=1, verbose=0)
    assert model.predict(ids).shape == (8, 1)


def test_several_inputs_and_outputs_are_defined_built_and_saved_but_not_fitted(tmp_path):
    a, b = nn.Input((3,), name="a"), nn.Input((2,), name="b")
    merged = nn.Concatenate()([a, b])
    o1, o2 = nn.Dense(2, name="o1")(merged), nn.Dense(1, name="o2")(a)
    model = nn.Model([a, b], [o1, o2])
    assert model.input_shape == [(None, 3), (None, 2)] and model.output_shape == [(None, 2), (None, 1)]
    assert [w.shape for w in model.get_weights()] == [(5, 2), (2,), (3, 1), (1,)]
    with pytest.raises(ValueError, match="one input and one output"):
        model.predict([np.zeros((1, 3)), np.zeros((1, 2))])
    model.compile("adam", "mse")
    with pytest.raises(ValueError, match="one input and one output"):
        model.fit(np.zeros((1, 3)), np.zeros((1, 2)))
    again = nn.model_from_json(model.to_json())
    assert again.to_json() == model.to_json()
    model.save(tmp_path / "two.pyj4")
    loaded = nn.load_model(tmp_path / "two.pyj4")
    assert loaded.input_shape == model.input_shape and loaded.output_shape == model.output_shape
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_wrong_data_is_caught_in_python():
    model = residual_mlp()
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"expected x of shape \(None, 6\).*Received: x=float32\[4, 5\]"):
        model.fit(np.zeros((4, 5), np.float32), np.zeros(4))
    with pytest.raises(ValueError, match="label 3 out of range for 3 classes"):
        model.fit(np.zeros((4, 6), np.float32), np.full(4, 3))
    with pytest.raises(TypeError, match="nested models"):
        model(nn.Input((6,)))


def test_python_graph_json_is_what_the_engine_writes():
    """Python's get_config and the engine's architecture JSON agree (the engine writes every layer's
    dtype and trainable, and InputLayer's sparse)."""
    model = residual_mlp()
    ours = json.loads(model.to_json())
    theirs = json.loads(str(model._java().toJson()))
    for spec in (ours, theirs):
        for entry in spec["config"]["layers"]:
            for key in ("dtype", "trainable", "sparse"):
                entry["config"].pop(key, None)
    assert ours == theirs


def test_a_graph_built_in_java_loads_in_python(tmp_path):
    J = jpype.JPackage("org").pyj4.nn
    inp = J.Functional.input(jpype.JArray(jpype.JLong)([8, 8, 1]))
    conv = J.layers.Conv2D(4, 3, "same", "relu").call(inp)
    skip = J.layers.Add().call(conv, J.layers.Conv2D(4, 3, "same", "relu").call(conv))
    pooled = J.layers.Flatten(J.config.Config("Flatten", json_object({}))).call(skip)
    out = J.layers.Dense(3, "softmax").call(pooled)
    jmodel = J.Functional(inp, out)
    jmodel.build(jpype.JArray(jpype.JLong)([8, 8, 1]))
    path = tmp_path / "java.pyj4"
    jmodel.save(jpype.JClass("java.nio.file.Paths").get(str(path), jpype.JArray(jpype.JString)([])))
    x = np.random.default_rng(0).standard_normal((4, 8, 8, 1)).astype(np.float32)
    jmodel.close()
    loaded = nn.load_model(path)
    assert isinstance(loaded, nn.Functional)
    assert [type(l).__name__ for l in loaded.layers] == ["InputLayer", "Conv2D", "Conv2D", "Add", "Flatten", "Dense"]
    assert loaded.predict(x).shape == (4, 3)


def json_object(d):
    return jpype.JClass("com.google.gson.JsonParser").parseString(json.dumps(d)).getAsJsonObject()


@pytest.mark.no_leaks
def test_functional_fit_predict_and_close_free_native_memory():
    model = residual_mlp()
    model.compile("adam", "sparse_categorical_crossentropy")
    x, y = blobs(64)
    model.fit(x, y, epochs=1, verbose=0)
    model.predict(x)
    model.close()
    del model


def test_keyword_construction_get_layer_and_build():
    inp = nn.Input((3,), name="features")
    out = nn.Dense(2, name="logits")(inp)
    model = nn.Model(inputs=inp, outputs=out, name="kw")
    assert model.get_layer("logits") is out._keras_history[0] and model.get_layer(index=0).name == "features"
    with pytest.raises(ValueError, match="no layer named 'nope'.*features, logits"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match=r"Received: input_shape=\(None, 4\)"):
        model.build((None, 4))
    model.build((None, 3))
    assert model.built and model.count_params() == 8
    with pytest.raises(ValueError, match="trainable=False on each layer"):
        nn.Model(inp, out, trainable=False)


def test_models_declared_with_lists_take_and_give_lists():
    inp = nn.Input((3,))
    model = nn.Model([inp], [nn.Dense(2)(inp)])
    x = np.ones((4, 3), np.float32)
    out = model.predict([x])
    assert isinstance(out, list) and len(out) == 1 and out[0].shape == (4, 2)
    model.compile("sgd", "mse")
    model.fit([x], [np.zeros((4, 2), np.float32)], epochs=1, verbose=0)
    assert set(model.evaluate([x], [np.zeros((4, 2), np.float32)], verbose=0)) == {"loss"}
