"""pyj4.nn end to end: models built, trained, evaluated, saved and loaded through the Java engine.

Small seeded problems keep the suite fast on two cores. Parity with PyTorch lives in tests/parity/.
"""
from __future__ import annotations

import gc
import os
import shutil
import subprocess
import textwrap
import zipfile

import numpy as np
import pytest

import pyj4 as pj
from pyj4 import nn


def blobs(n=240, features=4, classes=3, seed=0, spread=0.6):
    """Well separated Gaussian blobs: any working MLP gets them right after a few epochs."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((classes, features)).astype(np.float32) * 3
    y = rng.integers(0, classes, n)
    x = (centers[y] + spread * rng.standard_normal((n, features))).astype(np.float32)
    return x, y.astype(np.int64)


def classifier(features=4, classes=3, hidden=16, seed=0, optimizer=None, metrics=("accuracy",)):
    pj.random.seed(seed)
    model = nn.Sequential([nn.Input((features,)), nn.Dense(hidden, activation="relu"),
                           nn.Dense(classes, activation="softmax")])
    model.compile(optimizer=optimizer or nn.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=list(metrics))
    return model


@pytest.fixture(scope="module")
def trained():
    x, y = blobs()
    model = classifier()
    history = model.fit(x, y, batch_size=32, epochs=8, validation_split=0.2, seed=0, verbose=0)
    return model, history, x, y


# ---------------------------------------------------------------------------------------------
# training


def test_fit_learns_a_small_seeded_problem(trained):
    model, history, x, y = trained
    loss = history.history["loss"]
    assert loss[-1] < 0.5 * loss[0], loss
    assert model.evaluate(x, y, verbose=0)["accuracy"] >= 0.95


def test_history_keys_and_lengths(trained):
    _, history, _, _ = trained
    assert isinstance(history, nn.History)
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history.history)
    assert all(len(v) == 8 for v in history.history.values())
    assert history.epoch == list(range(8))
    assert all(isinstance(v, float) for v in history.history["loss"])
    assert history.params["epochs"] == 8 and history.params["steps"] == 6  # 192 training samples / 32


def test_evaluate_and_predict_shapes(trained):
    model, _, x, y = trained
    result = model.evaluate(x[:50], y[:50], batch_size=16, verbose=0)
    assert set(result) == {"loss", "accuracy"} and all(isinstance(v, float) for v in result.values())
    p = model.predict(x[:37], batch_size=8)
    assert isinstance(p, np.ndarray) and p.shape == (37, 3) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    assert model.predict(x[:1], batch_size=1).shape == (1, 3)
    # the same rows give the same outputs, whatever the batch size
    np.testing.assert_allclose(model.predict(x[:37], batch_size=37), p, rtol=1e-5, atol=1e-6)
    assert model.evaluate(x[:50], y[:50], verbose=0, return_dict=False)[0] == pytest.approx(result["loss"], rel=1e-5)


def test_fit_accepts_pj_ndarrays_and_float64_numpy():
    x, y = blobs(n=64)
    model = classifier()
    h = model.fit(pj.asarray(x), pj.asarray(y), batch_size=16, epochs=2, verbose=0, shuffle=False)
    assert len(h.history["loss"]) == 2
    h = model.fit(x.astype(np.float64), y.astype(np.int32), batch_size=16, epochs=1, verbose=0,
                  validation_data=(pj.asarray(x[:16]), y[:16]))
    assert "val_loss" in h.history


def test_regression_with_mse_and_one_unit_output():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((128, 3)).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 0.5], dtype=np.float32) + 0.3).astype(np.float32)  # shape (n,): accepted for 1 unit
    pj.random.seed(1)
    model = nn.Sequential([nn.Input((3,)), nn.Dense(1)])
    model.compile(optimizer=nn.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    h = model.fit(x, y, batch_size=16, epochs=20, verbose=0, seed=0)
    assert h.history["loss"][-1] < 1e-3
    assert set(h.history) == {"loss", "mae"}
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel.ravel(), [1.0, -2.0, 0.5], atol=0.05)
    np.testing.assert_allclose(bias, [0.3], atol=0.05)


def test_model_without_input_builds_on_first_fit():
    x, y = blobs(n=64)
    model = nn.Sequential([nn.Dense(8, activation="tanh"), nn.Dense(3, activation="softmax")])
    assert not model.built
    with pytest.raises(ValueError, match="no weights yet"):
        model.get_weights()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    assert model.built and model.input_shape == (None, 4)
    assert [w.shape for w in model.get_weights()] == [(4, 8), (8,), (8, 3), (3,)]


def test_progress_lines_when_not_a_terminal(capsys):
    x, y = blobs(n=64)
    model = classifier()
    model.fit(x, y, batch_size=16, epochs=2, validation_split=0.25, verbose=1)
    out = capsys.readouterr().out.splitlines()
    lines = [l for l in out if l.startswith("Epoch ")]
    assert len(lines) == 2, out
    assert lines[0].startswith("Epoch 1/2 - ") and " - loss: " in lines[0] and " - val_accuracy: " in lines[0]
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""
    model.evaluate(x, y, batch_size=16)  # verbose="auto": one summary line
    out = capsys.readouterr().out
    assert out.startswith("4/4 - ") and " - loss: " in out and out.count("\n") == 1


def test_terminal_bar_is_driven_by_batches(monkeypatch):
    import io

    class Tty(io.StringIO):
        encoding = "utf-8"

        def isatty(self):
            return True

    out = Tty()
    monkeypatch.setattr("sys.stdout", out)
    x, y = blobs(n=64)
    model = classifier()
    model.fit(x, y, batch_size=8, epochs=1, verbose=1)
    text = out.getvalue()
    assert text.startswith("Epoch 1/1\n") and "\r8/8 " in text and text.endswith("\n")


# ---------------------------------------------------------------------------------------------
# the one SGD step, by hand


def test_one_sgd_step_matches_numpy_for_dense_mse():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, 4)).astype(np.float32)
    y = rng.standard_normal((8, 3)).astype(np.float32)
    w = rng.standard_normal((4, 3)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    model = nn.Sequential([nn.Input((4,)), nn.Dense(3)])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.1), loss="mse")
    model.set_weights([w, b])
    h = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)

    xd, yd, wd, bd = (a.astype(np.float64) for a in (x, y, w, b))
    err = xd @ wd + bd - yd
    loss = np.mean(err ** 2)  # Keras: mean over the last axis, then over the batch
    grad = 2 * err / err.size
    w1, b1 = wd - 0.1 * (xd.T @ grad), bd - 0.1 * grad.sum(axis=0)
    assert h.history["loss"][0] == pytest.approx(loss, rel=1e-5)
    got_w, got_b = model.get_weights()
    np.testing.assert_allclose(got_w, w1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_b, b1, rtol=1e-5, atol=1e-6)


def test_one_sgd_step_matches_numpy_for_softmax_crossentropy():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((6, 5)).astype(np.float32)
    y = np.array([0, 2, 1, 3, 3, 0])
    w = (0.5 * rng.standard_normal((5, 4))).astype(np.float32)
    b = (0.1 * rng.standard_normal(4)).astype(np.float32)
    model = nn.Sequential([nn.Input((5,)), nn.Dense(4, activation="softmax")])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.5), loss="sparse_categorical_crossentropy")
    model.set_weights([w, b])
    h = model.fit(x, y, batch_size=6, epochs=1, shuffle=False, verbose=0)

    z = x.astype(np.float64) @ w + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(6), y]))
    grad = (p - np.eye(4)[y]) / 6
    w1, b1 = w - 0.5 * (x.T.astype(np.float64) @ grad), b - 0.5 * grad.sum(axis=0)
    assert h.history["loss"][0] == pytest.approx(loss, rel=1e-5)
    np.testing.assert_allclose(model.get_weights()[0], w1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b1, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# weights


def test_get_set_weights_round_trip_and_forward_pass():
    model = classifier(hidden=5)
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(4, 5), (5,), (5, 3), (3,)]
    rng = np.random.default_rng(0)
    new = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    model.set_weights(new)
    for got, want in zip(model.get_weights(), new):
        np.testing.assert_array_equal(got, want)
    x = rng.standard_normal((7, 4)).astype(np.float32)
    h = np.maximum(x @ new[0] + new[1], 0) @ new[2] + new[3]
    e = np.exp(h - h.max(axis=1, keepdims=True))
    np.testing.assert_allclose(model.predict(x), e / e.sum(axis=1, keepdims=True), rtol=1e-5, atol=1e-6)
    assert model.count_params() == 4 * 5 + 5 + 5 * 3 + 3
    assert [w.shape for w in model.layers[0].get_weights()] == [(4, 5), (5,)]


def test_set_weights_rejects_wrong_count_and_shapes():
    model = classifier(hidden=5)
    w = model.get_weights()
    with pytest.raises(ValueError, match="4"):
        model.set_weights(w[:3])
    with pytest.raises(ValueError, match=r"5"):
        model.set_weights([w[0].T] + w[1:])
    with pytest.raises(TypeError, match="list of arrays"):
        model.set_weights(w[0])


def test_frozen_layer_keeps_its_weights():
    x, y = blobs(n=64)
    pj.random.seed(0)
    model = nn.Sequential([nn.Input((4,)), nn.Dense(8, activation="relu", trainable=False), nn.Dense(3, activation="softmax")])
    model.compile(optimizer=nn.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    before = model.get_weights()
    model.fit(x, y, epochs=2, verbose=0)
    after = model.get_weights()
    np.testing.assert_array_equal(before[0], after[0])
    np.testing.assert_array_equal(before[1], after[1])
    assert not np.array_equal(before[2], after[2])


def test_add_and_pop_keep_existing_weights():
    model = classifier(hidden=5)
    before = model.get_weights()
    model.add(nn.Dense(2))
    after = model.get_weights()
    assert len(after) == 6
    for a, b in zip(before, after[:4]):
        np.testing.assert_array_equal(a, b)
    model.pop()
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------------------------
# wrong input, checked before the JVM


def test_wrong_inputs_raise_naming_what_was_received(trained):
    model, _, x, y = trained
    with pytest.raises(ValueError, match=r"same number of samples.*x=float32\[240, 4\], y=int64\[239\]"):
        model.fit(x, y[:-1], verbose=0)
    with pytest.raises(ValueError, match=r"expected x of shape \(None, 4\).*Received: x=float32\[240, 5\]"):
        model.fit(np.ones((240, 5), np.float32), y, verbose=0)
    with pytest.raises(ValueError, match=r"label 7 out of range for 3 classes"):
        model.fit(x, np.where(y == 2, 7, y), verbose=0)
    with pytest.raises(ValueError, match=r"label -1 out of range"):
        model.evaluate(x, y - 1, verbose=0)
    with pytest.raises(ValueError, match=r"predict: expected x of shape \(None, 4\).*float32\[3, 2\]"):
        model.predict(np.ones((3, 2), np.float32))
    with pytest.raises(ValueError, match=r"expected x of shape \(None, 4\)"):
        model.predict(np.ones(4, np.float32))
    with pytest.raises(TypeError, match="Received: x of type str"):
        model.predict("images")
    with pytest.raises(ValueError, match="at least one sample"):
        model.predict(np.ones((0, 4), np.float32))
    with pytest.raises(ValueError, match="batch_size > 0"):
        model.fit(x, y, batch_size=0)
    with pytest.raises(ValueError, match=r"validation_data=\(x_val, y_val\)"):
        model.fit(x, y, validation_data=(x,), verbose=0)
    with pytest.raises(ValueError, match="validation_split in"):
        model.fit(x, y, validation_split=1.0, verbose=0)


def test_dense_labels_must_match_the_output():
    model = nn.Sequential([nn.Input((4,)), nn.Dense(3)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((10, 4), np.float32)
    with pytest.raises(ValueError, match=r"expected y of shape \(10, 3\).*Received: y=float32\[10, 2\]"):
        model.fit(x, np.ones((10, 2), np.float32), verbose=0)
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        model.fit(x, np.zeros(10, np.int64), verbose=0)
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match=r"expected y of shape \(10, 3\)"):
        model.fit(x, np.zeros((10, 4), np.float32), verbose=0)


def test_summary_and_save_need_a_built_model(capsys):
    model = nn.Sequential([nn.Dense(3)])
    with pytest.raises(ValueError, match="no weights yet"):
        model.summary()
    built = classifier(hidden=5)
    built.summary()
    out = capsys.readouterr().out
    for layer in built.layers:
        assert layer.name in out
    assert "43" in out  # total parameters
    lines = []
    built.summary(print_fn=lines.append)
    assert lines and "43" in lines[0]


# ---------------------------------------------------------------------------------------------
# save / load


def test_save_load_round_trip_identical_predictions(trained, tmp_path):
    model, _, x, y = trained
    path = tmp_path / "m.pyj4"
    model.save(path)
    assert path.is_file() and zipfile.is_zipfile(path)
    loaded = nn.load_model(path)
    assert isinstance(loaded, nn.Sequential)
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    assert loaded.input_shape == model.input_shape == (None, 4)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    # compiled state travels with the file: evaluate works, and training continues
    assert loaded.evaluate(x, y, verbose=0)["loss"] == pytest.approx(model.evaluate(x, y, verbose=0)["loss"], rel=1e-6)
    loaded.fit(x, y, epochs=1, verbose=0)


def test_load_model_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        nn.load_model(tmp_path / "missing.pyj4")
    garbage = tmp_path / "garbage.pyj4"
    garbage.write_bytes(b"this is not a model")
    with pytest.raises(ValueError, match="not a readable pyj4 model file"):
        nn.load_model(garbage)
    truncated = tmp_path / "truncated.pyj4"
    model = classifier(hidden=5)
    model.save(tmp_path / "good.pyj4")
    data = (tmp_path / "good.pyj4").read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated.pyj4"):
        nn.load_model(truncated)
    with pytest.raises(FileNotFoundError, match="directory"):
        model.save(tmp_path / "no" / "such" / "dir" / "m.pyj4")


JAVA_PROGRAM = """
import java.nio.file.Path;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.Model;

public class PredictMain {
    public static void main(String[] args) throws Exception {
        Model model = Model.load(Path.of(args[0]));
        int n = Integer.parseInt(args[1]), d = Integer.parseInt(args[2]);
        float[] data = new float[n * d];
        for (int i = 0; i < data.length; i++) data[i] = (float) (((i * 37) % 101) / 50.0 - 1.0);
        NDArray out = model.predict(NDArray.create(data, n, d));
        StringBuilder sb = new StringBuilder();
        for (float v : out.toFloatArray()) sb.append(Float.floatToIntBits(v)).append('\\n');
        System.out.print(sb);
    }
}
"""


@pytest.mark.slow
def test_saved_model_predicts_the_same_in_a_java_process(trained, tmp_path):
    javac, java = shutil.which("javac"), shutil.which("java")
    if not javac or not java:
        pytest.skip("needs a JDK (javac, java) on PATH")
    model, _, _, _ = trained
    model.save(tmp_path / "m.pyj4")
    classpath = os.pathsep.join(__import__("pyj4._jvm", fromlist=["classpath"]).classpath())
    (tmp_path / "PredictMain.java").write_text(textwrap.dedent(JAVA_PROGRAM))
    subprocess.run([javac, "-cp", classpath, "-d", str(tmp_path), str(tmp_path / "PredictMain.java")],
                   check=True, capture_output=True, timeout=120)
    proc = subprocess.run([java, "--enable-native-access=ALL-UNNAMED", "-cp", classpath + os.pathsep + str(tmp_path),
                           "PredictMain", str(tmp_path / "m.pyj4"), "5", "4"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    got = np.array([int(v) for v in proc.stdout.split()], dtype=np.int32).view(np.float32).reshape(5, 3)
    i = np.arange(20)
    x = ((((i * 37) % 101) / 50.0 - 1.0).astype(np.float32)).reshape(5, 4)
    np.testing.assert_array_equal(got, model.predict(x))


# ---------------------------------------------------------------------------------------------
# callbacks


def test_early_stopping_stops():
    x, y = blobs(n=64)
    model = classifier()
    es = nn.callbacks.EarlyStopping(monitor="loss", min_delta=10.0, patience=1)
    h = model.fit(x, y, epochs=20, verbose=0, callbacks=[es])
    assert len(h.history["loss"]) == 2  # no epoch improves by 10: stop once patience (1) runs out


def test_early_stopping_restores_best_weights():
    x, y = blobs(n=64)
    model = classifier(optimizer=nn.optimizers.SGD(2.0))  # a rate that makes the loss jump around
    seen = []

    class Record(nn.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((logs["loss"], self.model.get_weights()))

    es = nn.callbacks.EarlyStopping(monitor="loss", patience=2, restore_best_weights=True)
    model.fit(x, y, epochs=12, verbose=0, callbacks=[Record(), es], shuffle=False)
    best = min(range(len(seen)), key=lambda i: seen[i][0])
    for got, want in zip(model.get_weights(), seen[best][1]):
        np.testing.assert_array_equal(got, want)


def test_model_checkpoint_writes_loadable_files(tmp_path):
    x, y = blobs(n=64)
    model = classifier()
    pattern = str(tmp_path / "ckpt-{epoch:02d}.pyj4")
    model.fit(x, y, epochs=3, verbose=0, callbacks=[nn.callbacks.ModelCheckpoint(pattern, monitor="loss")])
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["ckpt-01.pyj4", "ckpt-02.pyj4", "ckpt-03.pyj4"]
    np.testing.assert_array_equal(nn.load_model(tmp_path / "ckpt-03.pyj4").predict(x), model.predict(x))
    best = tmp_path / "best.pyj4"
    model.fit(x, y, epochs=2, verbose=0, validation_split=0.25,
              callbacks=[nn.callbacks.ModelCheckpoint(best, monitor="val_loss", save_best_only=True)])
    assert best.is_file()


def test_user_callback_receives_epoch_logs_and_can_stop():
    x, y = blobs(n=64)
    model = classifier()
    events = []

    class Spy(nn.callbacks.Callback):
        def on_train_begin(self, logs=None):
            events.append("begin")

        def on_epoch_begin(self, epoch, logs=None):
            events.append(("epoch", epoch))

        def on_epoch_end(self, epoch, logs=None):
            events.append(("end", epoch, dict(logs)))
            if epoch == 2:
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            events.append("end_train")

    spy = Spy()
    h = model.fit(x, y, epochs=10, verbose=0, validation_split=0.25, callbacks=[spy])
    assert spy.model is model and spy.params["epochs"] == 10
    assert events[0] == "begin" and events[-1] == "end_train"
    ends = [e for e in events if e[0] == "end"]
    assert [e[1] for e in ends] == [0, 1, 2] and len(h.history["loss"]) == 3
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(ends[0][2])
    assert ends[1][2]["loss"] == pytest.approx(h.history["loss"][1])


def test_user_batch_callback_and_exceptions_propagate():
    x, y = blobs(n=64)
    model = classifier()
    batches = []

    class Batches(nn.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batches.append((batch, logs["loss"]))

    model.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[Batches()])
    assert [b for b, _ in batches] == [0, 1, 2, 3] * 2

    class Boom(nn.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            raise KeyError("from the callback")

    with pytest.raises(KeyError, match="from the callback"):
        model.fit(x, y, epochs=3, verbose=0, callbacks=[Boom()])
    model.fit(x, y, epochs=1, verbose=0)  # the model is still usable


def test_learning_rate_scheduler_changes_the_learning_rate():
    x, y = blobs(n=64)
    snapshots = []

    class Snap(nn.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append(self.model.get_weights())

    # From epoch 2 on the rate is tiny, so the weights stop moving.
    seen = []

    def schedule(epoch, lr):
        seen.append((epoch, lr))
        return 0.05 if epoch < 2 else 1e-30

    model = classifier(optimizer=nn.optimizers.SGD(0.05))
    model.fit(x, y, epochs=4, verbose=0, callbacks=[nn.callbacks.LearningRateScheduler(schedule), Snap()])
    assert [e for e, _ in seen] == [0, 1, 2, 3]
    assert seen[0][1] == pytest.approx(0.05) and seen[3][1] == pytest.approx(1e-30)
    assert not np.allclose(snapshots[0][0], snapshots[1][0])
    for a, b in zip(snapshots[2], snapshots[3]):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# memory


def test_native_memory_is_flat_over_epochs():
    x, y = blobs(n=128)
    model = classifier(hidden=32)
    model.fit(x, y, epochs=1, verbose=0, validation_split=0.25)  # optimizer state exists from here
    gc.collect()  # objects of earlier tests must not be freed while we measure
    samples = []

    class Mem(nn.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            gc.collect()
            samples.append(pj.memory()["allocated_bytes"])

    model.fit(x, y, epochs=6, verbose=0, validation_split=0.25, callbacks=[Mem()])
    assert max(samples) - min(samples) == 0, samples


@pytest.mark.no_leaks
def test_a_dropped_model_frees_its_native_memory():
    x, y = blobs(n=64)
    model = classifier(hidden=32)
    model.fit(x, y, epochs=2, verbose=0)
    model.predict(x)
    model.evaluate(x, y, verbose=0)
    del model


# ---------------------------------------------------------------------------------------------
# pj.data.Dataset


def test_fit_evaluate_predict_on_an_in_memory_dataset():
    data = pytest.importorskip("pyj4.data")
    x, y = blobs(n=96)
    ds = data.Dataset.from_numpy(x, y)
    model = classifier()
    h = model.fit(ds, batch_size=16, epochs=3, verbose=0, validation_data=data.Dataset.from_numpy(x[:32], y[:32]))
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(h.history)
    assert set(model.evaluate(ds, verbose=0)) == {"loss", "accuracy"}
    np.testing.assert_array_equal(model.predict(ds), model.predict(x))
    with pytest.raises(ValueError, match="carries its labels"):
        model.fit(ds, y, verbose=0)
    with pytest.raises(ValueError, match="no labels"):
        model.fit(data.Dataset.from_numpy(x), verbose=0)


def test_fit_on_an_arrow_table_dataset_matches_numpy():
    data = pytest.importorskip("pyj4.data")
    pa = pytest.importorskip("pyarrow")
    x, y = blobs(n=64)
    table = pa.table({f"f{i}": x[:, i] for i in range(4)} | {"label": y})
    ds = data.Dataset.from_arrow(table, label="label")
    a, b = classifier(), classifier()
    ha = a.fit(ds, batch_size=16, epochs=2, shuffle=False, verbose=0)
    hb = b.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    assert ha.history["loss"] == pytest.approx(hb.history["loss"], rel=1e-6)


def test_fit_on_a_streamed_parquet_dataset(tmp_path):
    data = pytest.importorskip("pyj4.data")
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    x, y = blobs(n=96)
    pq.write_table(pa.table({f"f{i}": x[:, i] for i in range(4)} | {"label": y}), tmp_path / "d.parquet", row_group_size=32)
    ds = data.Dataset.from_parquet(tmp_path / "d.parquet", label="label", batch_rows=32)
    model = classifier()
    h = model.fit(ds, batch_size=32, epochs=4, shuffle=False, verbose=0, validation_data=(x[:32], y[:32]))
    assert "val_loss" in h.history
    # the same batches in the same order as arrays give the same training
    ref = classifier().fit(x, y, batch_size=32, epochs=4, shuffle=False, verbose=0, validation_data=(x[:32], y[:32]))
    assert h.history["loss"] == pytest.approx(ref.history["loss"], rel=1e-5)
    assert h.history["val_loss"] == pytest.approx(ref.history["val_loss"], rel=1e-5)
    assert model.evaluate(ds, verbose=0)["loss"] == pytest.approx(model.evaluate(x, y, verbose=0)["loss"], rel=1e-5)
    np.testing.assert_allclose(model.predict(ds, batch_size=32), model.predict(x), rtol=1e-6)


def test_fit_on_a_stream_whose_record_batches_exceed_the_batch_size(tmp_path):
    data = pytest.importorskip("pyj4.data")
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    x, y = blobs(n=96)
    pq.write_table(pa.table({f"f{i}": x[:, i] for i in range(4)} | {"label": y}), tmp_path / "d.parquet")
    ds = data.Dataset.from_parquet(tmp_path / "d.parquet", label="label", batch_rows=48)
    h = classifier().fit(ds, batch_size=16, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2


def test_close_frees_now_and_later_use_says_closed():
    x, _ = blobs(n=8)
    gc.collect()
    before = pj.memory()["allocated_bytes"]
    with classifier(hidden=64) as model:
        assert pj.memory()["allocated_bytes"] > before
        model.predict(x)
    gc.collect()
    assert pj.memory()["allocated_bytes"] <= before  # a leak shows as growth; earlier garbage may go meanwhile
    for call in (lambda: model.predict(x), model.get_weights, model.summary):
        with pytest.raises(RuntimeError, match="was closed"):
            call()


def test_ctrl_c_in_a_callback_stops_fit_cleanly():
    x, y = blobs(n=64)
    model = classifier()
    seen = []

    class Interrupt(nn.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)
            if batch == 1:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=[Interrupt()])
    assert seen == [0, 1]  # the engine stopped after the batch, and no later event reached Python
    assert model.evaluate(x, y, verbose=0)["loss"] > 0  # the model is intact


def test_validation_data_with_the_wrong_feature_count_is_caught_in_python():
    x, y = blobs(n=32)
    model = nn.Sequential([nn.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"validation_data\[0\] of shape \(None, 4\).*float32\[8, 5\]"):
        model.fit(x, y, validation_data=(np.ones((8, 5), np.float32), y[:8]), verbose=0)
