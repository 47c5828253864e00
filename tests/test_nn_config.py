"""pyj4.nn on the Python side alone: the Keras JSON that layers, optimizers and losses produce
(docs/nn-contract.md), argument validation, and the progress display. No model is built here."""
from __future__ import annotations

import io
import json

import pytest

from pyj4 import nn
from pyj4.nn import _progress, callbacks, initializers, losses, metrics, optimizers
from pyj4.nn.optimizers import schedules

# ---------------------------------------------------------------------------------------------
# layer configs


def test_dense_config_matches_the_contract():
    d = nn.Dense(256, activation="relu", name="dense")
    assert d.to_dict() == {
        "class_name": "Dense",
        "config": {
            "name": "dense", "units": 256, "activation": "relu", "use_bias": True,
            "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
            "bias_initializer": {"class_name": "Zeros", "config": {}},
        },
    }


def test_input_dropout_flatten_reshape_activation_configs():
    assert nn.Input((784,), name="input").to_dict() == {
        "class_name": "InputLayer", "config": {"name": "input", "batch_shape": [None, 784], "dtype": "float32"}}
    assert nn.Dropout(0.2, name="dropout").to_dict() == {
        "class_name": "Dropout", "config": {"name": "dropout", "rate": 0.2, "seed": None}}
    assert nn.Flatten(name="f").to_dict() == {"class_name": "Flatten", "config": {"name": "f"}}
    assert nn.Reshape((4, -1), name="r").to_dict() == {"class_name": "Reshape", "config": {"name": "r", "target_shape": [4, -1]}}
    assert nn.Activation("tanh", name="a").to_dict() == {"class_name": "Activation", "config": {"name": "a", "activation": "tanh"}}


def test_trainable_false_goes_into_the_config():
    assert nn.Dense(2, name="d", trainable=False).to_dict()["config"]["trainable"] is False
    assert "trainable" not in nn.Dense(2, name="e").to_dict()["config"]
    with pytest.raises(TypeError, match="trainable"):
        nn.Dense(2, trainable="no")


def test_dense_defaults_and_initializer_objects():
    d = nn.Dense(3, kernel_initializer=initializers.HeNormal(seed=7), bias_initializer="ones", use_bias=False)
    cfg = d.get_config()
    assert cfg["activation"] == "linear"  # None means linear, as in Keras
    assert cfg["kernel_initializer"] == {"class_name": "HeNormal", "config": {"seed": 7}}
    assert cfg["bias_initializer"] == {"class_name": "Ones", "config": {}}
    assert cfg["use_bias"] is False
    rn = initializers.get("random_normal").to_dict()
    assert rn == {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.05, "seed": None}}


def test_automatic_names_are_unique_per_class():
    a, b = nn.Dense(1), nn.Dense(1)
    assert a.name != b.name and a.name.startswith("dense") and b.name.startswith("dense")
    assert nn.Dropout(0.1).name.startswith("dropout")


def test_layer_round_trips_through_config():
    for layer in (nn.Dense(5, activation="gelu", kernel_initializer="he_uniform", name="d"),
                  nn.Dropout(0.3, seed=1, name="dr"), nn.Reshape((2, 3), name="rs"), nn.Input((4, 2), name="in")):
        again = nn.layers.deserialize(json.loads(json.dumps(layer.to_dict())))
        assert again.to_dict() == layer.to_dict()


def test_deserialize_keeps_unknown_keys_and_rejects_unknown_classes():
    entry = {"class_name": "Dense", "config": {"name": "d", "units": 2, "trainable": False, "dtype": "float32",
                                               "kernel_regularizer": None}}
    layer = nn.layers.deserialize(entry)
    assert layer.trainable is False
    config = layer.to_dict()["config"]
    assert config["trainable"] is False and config["dtype"] == "float32" and config["kernel_regularizer"] is None
    with pytest.raises(ValueError, match="Conv7D"):
        nn.layers.deserialize({"class_name": "Conv7D", "config": {}})


def test_sequential_json_without_input_needs_no_jvm():
    model = nn.Sequential([nn.Dense(4, activation="relu", name="h"), nn.Dense(1, name="o")], name="m")
    spec = json.loads(model.to_json())
    assert spec["class_name"] == "Sequential"
    assert spec["config"]["name"] == "m"
    assert [l["config"]["name"] for l in spec["config"]["layers"]] == ["h", "o"]
    assert model.input_shape is None and not model.built


def test_sequential_with_input_shape_kwarg_declares_the_input():
    model = nn.Sequential([nn.Dense(4, input_shape=(3,), name="h")], name="m2")
    layers = model.get_config()["layers"]
    assert layers[0] == {"class_name": "InputLayer", "config": {"name": "m2_input", "batch_shape": [None, 3], "dtype": "float32"}}
    assert model.input_shape == (None, 3) and model.output_shape == (None, 4)


# ---------------------------------------------------------------------------------------------
# layer argument validation


@pytest.mark.parametrize("units, exc, text", [
    (0, ValueError, "Dense: expected units > 0. Received: units=0"),
    (-3, ValueError, "Received: units=-3"),
    (2.5, TypeError, "Received: units=2.5"),
    ("8", TypeError, "Received: units='8'"),
    (True, TypeError, "Received: units=True"),
])
def test_dense_rejects_bad_units(units, exc, text):
    with pytest.raises(exc, match=text.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        nn.Dense(units)


@pytest.mark.parametrize("rate", [1.5, 1.0, -0.1, float("nan")])
def test_dropout_rejects_rates_outside_0_1(rate):
    with pytest.raises(ValueError, match="Dropout: expected rate in"):
        nn.Dropout(rate)


def test_unknown_activation_and_initializer_name_the_value():
    with pytest.raises(ValueError, match=r"unknown activation.*Received: activation='relu6'"):
        nn.Dense(3, activation="relu6")
    with pytest.raises(TypeError, match="by name"):
        nn.Dense(3, activation=lambda t: t)
    with pytest.raises(ValueError, match="kernel_initializer='lecun_normal'"):
        nn.Dense(3, kernel_initializer="lecun_normal")
    with pytest.raises(ValueError, match="Activation: expected an activation name"):
        nn.Activation(None)


def test_bad_layer_keyword_and_shapes():
    with pytest.raises(TypeError, match="unexpected keyword argument.*kernel_regularizer"):
        nn.Dense(3, kernel_regularizer="l2")
    with pytest.raises(ValueError, match="positive dimensions"):
        nn.Input((0, 3))
    with pytest.raises(TypeError, match="tuple of integers"):
        nn.Input("784")
    with pytest.raises(ValueError, match="one -1 allowed"):
        nn.Reshape((-1, -1))
    with pytest.raises(ValueError, match="name"):
        nn.Dense(3, name="")


def test_sequential_structure_errors():
    with pytest.raises(TypeError, match="a class, not an instance"):
        nn.Sequential([nn.Dense])
    with pytest.raises(TypeError, match="expected a list of layers"):
        nn.Sequential(nn.Dense(3))
    d = nn.Dense(3, name="same")
    with pytest.raises(ValueError, match="unique names"):
        nn.Sequential([d, nn.Dense(2, name="same")])
    with pytest.raises(ValueError, match="Input must be the first layer"):
        nn.Sequential([nn.Dense(3), nn.Input((3,))])


def test_reshape_size_mismatch_is_caught_in_python():
    with pytest.raises(ValueError, match="Reshape.*total size must stay 12"):
        nn.Sequential([nn.Dense(12, input_shape=(3,)), nn.Reshape((5, 2))])


# ---------------------------------------------------------------------------------------------
# compile configs: optimizers, losses, metrics, schedules


def test_optimizer_configs_have_keras_defaults():
    assert optimizers.get("adam").to_dict() == {
        "class_name": "Adam",
        "config": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False}}
    assert optimizers.get("sgd").to_dict() == {
        "class_name": "SGD", "config": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}}
    assert optimizers.AdamW().get_config()["weight_decay"] == 0.004
    assert optimizers.get("RMSprop").get_config() == {
        "learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False}
    assert optimizers.Adam(weight_decay=0.01).get_config()["weight_decay"] == 0.01
    assert optimizers.get("adagrad").get_config() == {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7}
    assert optimizers.SGD(0.1, momentum=0.9, nesterov=True, clipnorm=1.0).get_config() == {
        "learning_rate": 0.1, "momentum": 0.9, "nesterov": True, "clipnorm": 1.0}


def test_optimizer_with_schedule_and_round_trip():
    sched = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    opt = optimizers.SGD(learning_rate=sched)
    d = opt.to_dict()
    assert d["config"]["learning_rate"] == {"class_name": "ExponentialDecay", "config": {
        "initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": False}}
    assert optimizers.get(json.loads(json.dumps(d))) == opt


def test_schedules_follow_keras_formulas():
    e = schedules.ExponentialDecay(1.0, 10, 0.5, staircase=True)
    assert e(9) == 1.0 and e(10) == 0.5
    c = schedules.CosineDecay(1.0, 100, alpha=0.1)
    assert c(0) == pytest.approx(1.0) and c(100) == pytest.approx(0.1) and c(50) == pytest.approx(0.55)
    w = schedules.CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=10)
    assert w(5) == pytest.approx(0.5) and w(10) == pytest.approx(1.0)
    p = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert (p(10), p(11), p(21)) == (1.0, 0.5, 0.1)
    with pytest.raises(ValueError, match="len\\(values\\) == len\\(boundaries\\) \\+ 1"):
        schedules.PiecewiseConstantDecay([10], [1.0])


@pytest.mark.parametrize("make, text", [
    (lambda: optimizers.get("adamax"), "unknown optimizer.*Received: optimizer='adamax'"),
    (lambda: optimizers.Adam(learning_rate=0), "learning_rate in \\(0"),
    (lambda: optimizers.Adam(learning_rate=-1e-3), "Received: learning_rate=-0.001"),
    (lambda: optimizers.Adam(beta_1=1.0), "beta_1 in"),
    (lambda: optimizers.SGD(momentum=1.5), "momentum in"),
    (lambda: optimizers.SGD(clipnorm=1, clipvalue=1), "not both"),
])
def test_optimizer_validation(make, text):
    with pytest.raises(ValueError, match=text):
        make()


def test_loss_configs_and_aliases():
    assert losses.get("sparse_categorical_crossentropy").to_dict() == {
        "class_name": "SparseCategoricalCrossentropy", "config": {"from_logits": False}}
    assert losses.get("mse").to_dict() == {"class_name": "MeanSquaredError", "config": {}}
    assert losses.get("mae") == losses.MeanAbsoluteError()
    assert losses.get("huber").get_config() == {"delta": 1.0}
    assert losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1).get_config() == {
        "from_logits": True, "label_smoothing": 0.1}
    assert losses.get("BinaryCrossentropy").to_dict()["class_name"] == "BinaryCrossentropy"
    with pytest.raises(ValueError, match="unknown loss.*Received: loss='hinge'"):
        losses.get("hinge")
    with pytest.raises(TypeError, match="run inside the JVM"):
        losses.get(lambda a, b: 0)
    with pytest.raises(ValueError, match="delta"):
        losses.Huber(delta=0)


def test_metric_names():
    # strings are kept as given (they name the history key); objects give the engine's name
    assert [metrics.get(m) for m in ("accuracy", "acc", "MSE", "mae", metrics.AUC(), metrics.Precision)] == [
        "accuracy", "acc", "MSE", "mae", "auc", "precision"]
    with pytest.raises(ValueError, match="unknown metric.*'f1'"):
        metrics.get("f1")


def test_compile_checks_arguments_before_the_jvm():
    model = nn.Sequential([nn.Dense(2)])
    with pytest.raises(ValueError, match="unknown optimizer"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="unknown loss"):
        model.compile(optimizer="adam", loss="cross_entropy")
    with pytest.raises(ValueError, match="expected a loss"):
        model.compile(optimizer="adam")
    with pytest.raises(TypeError, match="metrics"):
        model.compile(optimizer="adam", loss="mse", metrics="accuracy,mse" and 3)


def test_fit_before_compile_says_compile():
    model = nn.Sequential([nn.Dense(2)])
    with pytest.raises(RuntimeError, match="must be compiled first"):
        model.fit([[1.0]], [[1.0, 2.0]])


# ---------------------------------------------------------------------------------------------
# callbacks (configuration only)


def test_callback_argument_checks():
    es = callbacks.EarlyStopping(monitor="val_accuracy", patience=2)
    assert es.mode == "max"
    assert callbacks.EarlyStopping().mode == "min"
    with pytest.raises(ValueError, match="patience >= 0"):
        callbacks.EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="unknown mode"):
        callbacks.EarlyStopping(mode="up")
    with pytest.raises(TypeError, match="filepath"):
        callbacks.ModelCheckpoint(None)
    with pytest.raises(TypeError, match="function of the epoch"):
        callbacks.LearningRateScheduler(0.1)
    assert callbacks.LearningRateScheduler(lambda e, lr: lr)._takes_lr
    assert not callbacks.LearningRateScheduler(lambda e: 0.1)._takes_lr


# ---------------------------------------------------------------------------------------------
# progress display


class FakeClock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


class Tty(io.StringIO):
    encoding = "utf-8"

    def isatty(self):
        return True


def test_value_and_time_formats():
    assert _progress.format_value(0.123456) == "0.1235"
    assert _progress.format_value(1.5e-5) == "1.5000e-05"
    assert _progress.format_value(0.0) == "0.0000"
    assert _progress.format_time(2.6) == "3s" and _progress.format_time(0.045) == "45ms"
    assert _progress.format_rate(0.006) == "6ms/step" and _progress.format_rate(4e-5) == "40us/step"
    assert _progress.format_logs({"val_loss": 0.2, "accuracy": 0.9, "loss": 0.3, "val_accuracy": 0.8}) == (
        " - loss: 0.3000 - accuracy: 0.9000 - val_loss: 0.2000 - val_accuracy: 0.8000")


def test_plain_stream_prints_one_line_per_epoch():
    out, clock = io.StringIO(), FakeClock()
    bar = _progress.ProgressBar(epochs=2, steps=10, verbose=1, stream=out, clock=clock)
    assert not bar.bar_mode and not bar.wants_batches
    for epoch in range(2):
        bar.on_epoch_begin(epoch)
        for b in range(10):
            bar.on_batch_end(b, {"loss": 1.0})
        clock.t += 2.0
        bar.on_epoch_end(epoch, {"loss": 0.5, "accuracy": 0.75, "val_loss": 0.6})
    lines = out.getvalue().splitlines()
    assert lines == [
        "Epoch 1/2 - 2s 200ms/step - loss: 0.5000 - accuracy: 0.7500 - val_loss: 0.6000",
        "Epoch 2/2 - 2s 200ms/step - loss: 0.5000 - accuracy: 0.7500 - val_loss: 0.6000",
    ]


def test_terminal_bar_is_throttled_and_finished():
    out, clock = Tty(), FakeClock()
    bar = _progress.ProgressBar(epochs=1, steps=100, verbose=1, stream=out, clock=clock, interval=0.1)
    assert bar.bar_mode and bar.wants_batches
    bar.on_epoch_begin(0)
    calls = []
    for b in range(100):
        clock.t += 0.01  # 100 batches in 1 s: at most ~10 redraws
        bar.on_batch_end(b, lambda: calls.append(1) or {"loss": 0.4})
    assert 9 <= bar.draws <= 11
    assert len(calls) == bar.draws  # logs are converted only when drawn
    bar.on_epoch_end(0, {"loss": 0.25, "accuracy": 0.5})
    text = out.getvalue()
    assert text.startswith("Epoch 1/1\n")
    final = text.split("\r")[-1]
    assert final.startswith("100/100 " + "\u2501" * 20 + " 1s 10ms/step - loss: 0.2500 - accuracy: 0.5000")
    assert text.endswith("\n")


def test_ascii_bar_where_the_stream_is_not_utf8():
    out = Tty()
    out.encoding = "ascii"
    bar = _progress.ProgressBar(epochs=1, steps=10, verbose=1, stream=out)
    assert bar.bar(5) == " 5/10 [=========>..........]"
    assert bar.bar(10) == "10/10 [====================]"


def test_verbose_2_is_one_line_even_on_a_terminal():
    out = Tty()
    bar = _progress.ProgressBar(epochs=3, steps=4, verbose=2, stream=out, clock=FakeClock())
    assert not bar.bar_mode
    bar.on_epoch_begin(0)
    bar.on_epoch_end(0, {"loss": 1.0})
    assert out.getvalue() == "Epoch 1/3 - 0s 0us/step - loss: 1.0000\n"


def test_functional_model_outputs_must_be_layer_outputs():
    with pytest.raises(TypeError, match="Dense"):
        nn.Model([nn.Input((3,))], [nn.Dense(2)])
