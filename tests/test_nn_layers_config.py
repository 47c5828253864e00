"""The layers for real models and the functional API on the Python side alone: the Keras 3 JSON each
layer and graph produces (docs/nn-contract.md), shape inference, and argument validation that fails
before anything crosses into the JVM. No model is built here."""
from __future__ import annotations

import json

import numpy as np
import pytest

from pyj4 import nn

GLOROT = {"class_name": "GlorotUniform", "config": {"seed": None}}
ZEROS = {"class_name": "Zeros", "config": {}}
ONES = {"class_name": "Ones", "config": {}}


def config(layer):
    return layer.to_dict()["config"]


# ---------------------------------------------------------------------------------------------
# configs: Keras 3 keys and defaults


def test_conv2d_config_has_keras_defaults():
    assert nn.Conv2D(8, 3, name="c").to_dict() == {"class_name": "Conv2D", "config": {
        "name": "c", "filters": 8, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
        "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "linear", "use_bias": True,
        "kernel_initializer": GLOROT, "bias_initializer": ZEROS}}


def test_conv2d_config_with_every_argument():
    c = config(nn.Conv2D(6, (3, 5), strides=(2, 1), padding="SAME", data_format="channels_first", dilation_rate=(1, 2),
                         groups=2, activation="relu", use_bias=False, kernel_initializer="he_normal", name="c"))
    assert c["kernel_size"] == [3, 5] and c["strides"] == [2, 1] and c["dilation_rate"] == [1, 2]
    assert c["padding"] == "same" and c["data_format"] == "channels_first" and c["groups"] == 2
    assert c["activation"] == "relu" and c["use_bias"] is False
    assert c["kernel_initializer"] == {"class_name": "HeNormal", "config": {"seed": None}}


def test_conv1d_config_and_causal_padding():
    assert nn.Conv1D(4, 5, padding="causal", name="c").to_dict() == {"class_name": "Conv1D", "config": {
        "name": "c", "filters": 4, "kernel_size": [5], "strides": [1], "padding": "causal",
        "data_format": "channels_last", "dilation_rate": [1], "groups": 1, "activation": "linear", "use_bias": True,
        "kernel_initializer": GLOROT, "bias_initializer": ZEROS}}


def test_pooling_configs():
    assert nn.MaxPooling2D(name="p").to_dict() == {"class_name": "MaxPooling2D", "config": {
        "name": "p", "pool_size": [2, 2], "padding": "valid", "strides": [2, 2], "data_format": "channels_last"}}
    assert config(nn.AveragePooling2D(3, strides=1, padding="same", name="a")) == {
        "name": "a", "pool_size": [3, 3], "padding": "same", "strides": [1, 1], "data_format": "channels_last"}
    assert nn.GlobalAveragePooling2D(name="g").to_dict() == {"class_name": "GlobalAveragePooling2D", "config": {
        "name": "g", "data_format": "channels_last", "keepdims": False}}
    assert config(nn.GlobalMaxPooling2D(data_format="channels_first", keepdims=True, name="g")) == {
        "name": "g", "data_format": "channels_first", "keepdims": True}


def test_normalization_configs():
    assert nn.BatchNormalization(name="bn").to_dict() == {"class_name": "BatchNormalization", "config": {
        "name": "bn", "axis": -1, "momentum": 0.99, "epsilon": 0.001, "center": True, "scale": True,
        "beta_initializer": ZEROS, "gamma_initializer": ONES, "moving_mean_initializer": ZEROS,
        "moving_variance_initializer": ONES, "synchronized": False}}
    assert nn.LayerNormalization(name="ln").to_dict() == {"class_name": "LayerNormalization", "config": {
        "name": "ln", "axis": -1, "epsilon": 0.001, "center": True, "scale": True, "rms_scaling": False,
        "beta_initializer": ZEROS, "gamma_initializer": ONES}}
    assert config(nn.LayerNormalization(axis=[1, 2], epsilon=1e-5, center=False, name="ln"))["axis"] == [1, 2]


def test_embedding_config():
    assert nn.Embedding(100, 16, name="e").to_dict() == {"class_name": "Embedding", "config": {
        "name": "e", "input_dim": 100, "output_dim": 16,
        "embeddings_initializer": {"class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05, "seed": None}},
        "mask_zero": False}}


def test_lstm_and_gru_configs():
    expected = {
        "name": "r", "units": 8, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True,
        "kernel_initializer": GLOROT, "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}},
        "bias_initializer": ZEROS, "dropout": 0.0, "recurrent_dropout": 0.0, "seed": None, "return_sequences": False,
        "return_state": False, "go_backwards": False, "stateful": False, "unroll": False,
    }
    assert nn.LSTM(8, name="r").to_dict() == {"class_name": "LSTM", "config": {**expected, "unit_forget_bias": True}}
    assert nn.GRU(8, name="r").to_dict() == {"class_name": "GRU", "config": {**expected, "reset_after": True}}
    c = config(nn.LSTM(3, return_sequences=True, return_state=True, go_backwards=True, unit_forget_bias=False))
    assert c["return_sequences"] and c["return_state"] and c["go_backwards"] and not c["unit_forget_bias"]


def test_multi_head_attention_config():
    assert nn.MultiHeadAttention(4, 16, name="mha").to_dict() == {"class_name": "MultiHeadAttention", "config": {
        "name": "mha", "num_heads": 4, "key_dim": 16, "value_dim": 16, "dropout": 0.0, "use_bias": True,
        "output_shape": None, "attention_axes": None, "kernel_initializer": GLOROT, "bias_initializer": ZEROS,
        "seed": None}}
    c = config(nn.MultiHeadAttention(2, 8, value_dim=4, dropout=0.1, use_bias=False, output_shape=12, seed=3))
    assert (c["value_dim"], c["output_shape"], c["use_bias"], c["seed"]) == (4, [12], False, 3)


def test_merge_configs():
    assert nn.Add(name="a").to_dict() == {"class_name": "Add", "config": {"name": "a"}}
    assert nn.Multiply(name="m").to_dict() == {"class_name": "Multiply", "config": {"name": "m"}}
    assert nn.Concatenate(axis=1, name="c").to_dict() == {"class_name": "Concatenate", "config": {"name": "c", "axis": 1}}


def test_automatic_names_are_keras_snake_case():
    for layer, prefix in ((nn.Conv2D(1, 1), "conv2d"), (nn.MaxPooling2D(), "max_pooling2d"),
                          (nn.GlobalAveragePooling2D(), "global_average_pooling2d"), (nn.LSTM(1), "lstm"),
                          (nn.MultiHeadAttention(1, 1), "multi_head_attention"), (nn.BatchNormalization(), "batch_normalization")):
        assert layer.name.startswith(prefix), layer.name


@pytest.mark.parametrize("layer", [
    nn.Conv2D(6, (3, 5), strides=2, padding="same", dilation_rate=1, groups=3, activation="gelu"),
    nn.Conv1D(4, 3, padding="causal", dilation_rate=2, data_format="channels_first"),
    nn.MaxPooling2D((3, 2), strides=(1, 2), padding="same"), nn.AveragePooling2D(), nn.GlobalMaxPooling2D(keepdims=True),
    nn.GlobalAveragePooling2D(), nn.BatchNormalization(axis=1, momentum=0.9, epsilon=1e-5, center=False),
    nn.LayerNormalization(axis=[-2, -1]), nn.Embedding(7, 3, embeddings_initializer="random_normal"),
    nn.LSTM(5, return_sequences=True, unit_forget_bias=False), nn.GRU(2, return_state=True, go_backwards=True),
    nn.MultiHeadAttention(3, 4, value_dim=2, output_shape=(6,)), nn.Add(), nn.Multiply(), nn.Concatenate(axis=-2),
], ids=lambda layer: type(layer).__name__)
def test_every_layer_round_trips_through_json(layer):
    entry = json.loads(json.dumps(layer.to_dict()))
    again = nn.layers.deserialize(entry)
    assert type(again) is type(layer) and again.to_dict() == layer.to_dict()


def test_orthogonal_initializer():
    assert nn.initializers.get("orthogonal").to_dict() == {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}}
    assert nn.initializers.Orthogonal(gain=2.0, seed=1).get_config() == {"gain": 2.0, "seed": 1}


# ---------------------------------------------------------------------------------------------
# argument validation: errors name what was received


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: nn.Conv2D(0, 3), ValueError, r"filters > 0. Received: filters=0"),
    (lambda: nn.Conv2D(8, (3, 3, 3)), TypeError, r"kernel_size.*Received: kernel_size=\(3, 3, 3\)"),
    (lambda: nn.Conv2D(8, 3, strides=0), ValueError, r"strides > 0. Received: strides=\(0, 0\)"),
    (lambda: nn.Conv2D(8, 3, padding="causal"), ValueError, r"padding.*Received: padding='causal'"),
    (lambda: nn.Conv2D(8, 3, padding="full"), ValueError, r"Received: padding='full'"),
    (lambda: nn.Conv2D(8, 3, data_format="NHWC"), ValueError, r"data_format.*Received: data_format='NHWC'"),
    (lambda: nn.Conv2D(8, 3, groups=3), ValueError, r"filters=8, groups=3"),
    (lambda: nn.Conv2D(8, 3, activation="swish"), ValueError, r"Received: activation='swish'"),
    (lambda: nn.Conv2D(8, 3.0), TypeError, r"Received: kernel_size=3.0"),
    (lambda: nn.Conv1D(8, 3, kernel_regularizer="l2"), TypeError, r"kernel_regularizer"),
    (lambda: nn.MaxPooling2D(0), ValueError, r"pool_size > 0"),
    (lambda: nn.MaxPooling2D(2, padding="causal"), ValueError, r"Received: padding='causal'"),
    (lambda: nn.GlobalAveragePooling2D(keepdims=1), TypeError, r"keepdims.*Received: keepdims=1"),
    (lambda: nn.BatchNormalization(momentum=1.5), ValueError, r"momentum.*Received: momentum=1.5"),
    (lambda: nn.BatchNormalization(epsilon=0), ValueError, r"epsilon.*Received: epsilon=0"),
    (lambda: nn.BatchNormalization(axis=[1, 2]), TypeError, r"axis.*Received: axis=\[1, 2\]"),
    (lambda: nn.BatchNormalization(synchronized=True), ValueError, r"synchronized"),
    (lambda: nn.LayerNormalization(axis="last"), TypeError, r"Received: axis='last'"),
    (lambda: nn.LayerNormalization(rms_scaling=True), ValueError, r"rms_scaling"),
    (lambda: nn.Embedding(0, 4), ValueError, r"input_dim > 0. Received: input_dim=0"),
    (lambda: nn.Embedding(10, 4, mask_zero=True), ValueError, r"mask_zero"),
    (lambda: nn.LSTM(0), ValueError, r"units > 0. Received: units=0"),
    (lambda: nn.LSTM(4, activation="relu"), ValueError, r"activation='relu'"),
    (lambda: nn.GRU(4, recurrent_dropout=0.2), ValueError, r"recurrent_dropout=0.2"),
    (lambda: nn.GRU(4, reset_after=False), ValueError, r"reset_after=False"),
    (lambda: nn.LSTM(4, stateful=True), ValueError, r"stateful=True"),
    (lambda: nn.LSTM(4, return_sequences="yes"), TypeError, r"return_sequences.*Received: return_sequences='yes'"),
    (lambda: nn.MultiHeadAttention(0, 4), ValueError, r"num_heads > 0. Received: num_heads=0"),
    (lambda: nn.MultiHeadAttention(2, 4, attention_axes=(1, 2)), ValueError, r"attention_axes=\(1, 2\)"),
    (lambda: nn.MultiHeadAttention(2, 4, output_shape=(3, 4)), ValueError, r"output_shape=\(3, 4\)"),
    (lambda: nn.MultiHeadAttention(2, 4, dropout=1.0), ValueError, r"dropout.*Received: dropout=1.0"),
    (lambda: nn.Concatenate(axis=1.5), TypeError, r"axis.*Received: axis=1.5"),
    (lambda: nn.Input((28, 28, 1), dtype="uint8"), ValueError, r"Received: dtype='uint8'"),
])
def test_bad_arguments_raise_naming_what_was_received(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


# ---------------------------------------------------------------------------------------------
# shape inference (Keras' arithmetic) and wrong connections caught in Python


@pytest.mark.parametrize("layer, shape, expected", [
    (nn.Conv2D(8, 3), (None, 28, 28, 1), (None, 26, 26, 8)),
    (nn.Conv2D(8, 3, padding="same", strides=2), (None, 28, 28, 1), (None, 14, 14, 8)),
    (nn.Conv2D(8, 5, strides=2), (None, 28, 27, 3), (None, 12, 12, 8)),
    (nn.Conv2D(8, 3, dilation_rate=2), (None, 10, 10, 2), (None, 6, 6, 8)),
    (nn.Conv2D(4, 3, data_format="channels_first"), (None, 2, 10, 9), (None, 4, 8, 7)),
    (nn.Conv1D(4, 3, padding="causal"), (None, 10, 2), (None, 10, 4)),
    (nn.Conv1D(4, 3), (None, None, 2), (None, None, 4)),
    (nn.MaxPooling2D(), (None, 7, 7, 3), (None, 3, 3, 3)),
    (nn.MaxPooling2D(padding="same"), (None, 7, 7, 3), (None, 4, 4, 3)),
    (nn.AveragePooling2D(3, strides=1), (None, 5, 6, 2), (None, 3, 4, 2)),
    (nn.GlobalAveragePooling2D(), (None, 5, 6, 2), (None, 2)),
    (nn.GlobalMaxPooling2D(keepdims=True, data_format="channels_first"), (None, 2, 5, 6), (None, 2, 1, 1)),
    (nn.BatchNormalization(), (None, 4, 4, 3), (None, 4, 4, 3)),
    (nn.Embedding(10, 4), (None, 7), (None, 7, 4)),
    (nn.LSTM(6), (None, 5, 3), (None, 6)),
    (nn.GRU(6, return_sequences=True), (None, None, 3), (None, None, 6)),
    (nn.LSTM(6, return_state=True), (None, 5, 3), [(None, 6), (None, 6), (None, 6)]),
    (nn.Dense(4), (None, 5, 3), (None, 5, 4)),
])
def test_output_shapes(layer, shape, expected):
    assert layer.compute_output_shape(shape) == expected


@pytest.mark.parametrize("layer, shape, pattern", [
    (nn.Conv2D(8, 3), (None, 28, 28), r"rank 4.*Received: input_shape=\(None, 28, 28\)"),
    (nn.Conv2D(8, 5), (None, 3, 3, 1), r"does not fit"),
    (nn.Conv2D(8, 3, groups=2), (None, 8, 8, 3), r"divisible by groups=2"),
    (nn.MaxPooling2D(), (None, 8, 8), r"rank 4"),
    (nn.LSTM(4), (None, 8), r"rank 3"),
    (nn.BatchNormalization(axis=4), (None, 8, 8, 3), r"axis=4 is out of range"),
    (nn.LayerNormalization(axis=0), (None, 3), r"batch axis"),
])
def test_wrong_input_shapes_are_caught_in_python(layer, shape, pattern):
    with pytest.raises(ValueError, match=pattern):
        layer.compute_output_shape(shape)


def test_sequential_with_conv_layers_infers_its_output_shape():
    model = nn.Sequential([nn.Input((28, 28, 1)), nn.Conv2D(6, 5, padding="same", activation="relu"), nn.MaxPooling2D(),
                           nn.Conv2D(16, 5, activation="relu"), nn.MaxPooling2D(), nn.Flatten(), nn.Dense(10)])
    assert model.output_shape == (None, 10)
    with pytest.raises(ValueError, match="does not fit"):
        nn.Sequential([nn.Input((4, 4, 1)), nn.Conv2D(2, 3), nn.Conv2D(2, 3), nn.Conv2D(2, 3)])


# ---------------------------------------------------------------------------------------------
# the functional API: symbolic tensors and the graph's JSON


def test_calling_layers_makes_symbolic_tensors():
    inp = nn.Input((28, 28, 1), name="img")
    x = nn.Conv2D(4, 3, padding="same", name="c")(inp)
    assert isinstance(x, nn.KerasTensor) and x.shape == (None, 28, 28, 4) and x.dtype == "float32"
    assert x._keras_history[0].name == "c" and inp.output.shape == (None, 28, 28, 1)
    seq, h, c = nn.LSTM(5, return_sequences=True, return_state=True)(nn.Input((7, 3)))
    assert (seq.shape, h.shape, c.shape) == ((None, 7, 5), (None, 5), (None, 5))
    out, state = nn.GRU(2, return_state=True)(nn.Input((7, 3)))
    assert out.shape == state.shape == (None, 2)


def test_residual_graph_config_is_keras_functional_json():
    inp = nn.Input((4,), name="x")
    h = nn.Dense(4, name="h")(inp)
    s = nn.Add(name="skip")([inp, h])
    out = nn.Dense(2, name="out")(s)
    model = nn.Model(inp, out, name="res")
    spec = json.loads(model.to_json())
    assert spec["class_name"] == "Functional"
    cfg = spec["config"]
    assert cfg["name"] == "res" and cfg["input_layers"] == [["x", 0, 0]] and cfg["output_layers"] == [["out", 0, 0]]
    assert [e["name"] for e in cfg["layers"]] == ["x", "h", "skip", "out"]

    def t(name, shape):
        return {"class_name": "__keras_tensor__", "config": {"shape": shape, "dtype": "float32", "keras_history": [name, 0, 0]}}

    by_name = {e["name"]: e for e in cfg["layers"]}
    assert by_name["x"]["inbound_nodes"] == [] and by_name["x"]["class_name"] == "InputLayer"
    assert by_name["h"]["inbound_nodes"] == [{"args": [t("x", [None, 4])], "kwargs": {}}]
    assert by_name["skip"]["inbound_nodes"] == [{"args": [[t("x", [None, 4]), t("h", [None, 4])]], "kwargs": {}}]
    assert by_name["out"]["config"] == nn.Dense(2, name="out").get_config()


def test_attention_call_arguments_are_recorded_as_given():
    q = nn.Input((5, 8), name="q")
    v = nn.Input((6, 8), name="v")
    mask = nn.Input((5, 6), name="m")
    mha = nn.MultiHeadAttention(2, 4, name="mha")
    out = mha(q, v, attention_mask=mask, use_causal_mask=True)
    assert out.shape == (None, 5, 8)
    node = nn.Model([q, v, mask], out).get_config()["layers"][-1]["inbound_nodes"][0]
    assert [a["config"]["keras_history"][0] for a in node["args"]] == ["q", "v"]
    assert node["kwargs"]["attention_mask"]["config"]["keras_history"] == ["m", 0, 0]
    assert node["kwargs"]["use_causal_mask"] is True


def test_shared_layer_has_two_nodes_and_reindexed_history():
    a, b = nn.Input((3,), name="a"), nn.Input((3,), name="b")
    shared = nn.Dense(2, name="shared")
    out = nn.Concatenate(name="cat")([shared(a), shared(b)])
    cfg = nn.Model([a, b], out).get_config()
    entry = next(e for e in cfg["layers"] if e["name"] == "shared")
    assert len(entry["inbound_nodes"]) == 2
    cat = next(e for e in cfg["layers"] if e["name"] == "cat")["inbound_nodes"][0]["args"][0]
    assert [t["config"]["keras_history"] for t in cat] == [["shared", 0, 0], ["shared", 1, 0]]
    assert cfg["input_layers"] == [["a", 0, 0], ["b", 0, 0]]


def test_model_from_json_rebuilds_the_graph():
    inp = nn.Input((6, 4), name="in")
    seq, h, c = nn.LSTM(3, return_sequences=True, return_state=True, name="lstm")(inp)
    att = nn.MultiHeadAttention(1, 2, name="att")(seq, seq, use_causal_mask=True)
    x = nn.LayerNormalization(name="ln")(nn.Add(name="add")([seq, att]))
    out = nn.Concatenate(name="cat")([nn.GlobalAveragePooling2D(name="gap")(nn.Reshape((6, 3, 1), name="rs")(x)), h, c])
    model = nn.Model(inp, out, name="m")
    again = nn.model_from_json(model.to_json())
    assert isinstance(again, nn.Functional) and again.to_json() == model.to_json()
    assert again.output_shape == (None, 7)


def test_functional_structure_errors():
    inp = nn.Input((3,))
    other = nn.Input((3,))
    out = nn.Dense(2)(nn.Add()([inp, other]))
    with pytest.raises(ValueError, match="disconnected"):
        nn.Model(inp, out)
    with pytest.raises(TypeError, match="a layer, not its output"):
        nn.Model(inp, nn.Dense(2))
    with pytest.raises(ValueError, match="inputs must be nn.Input"):
        nn.Model(nn.Dense(2)(inp), out)
    d = nn.Dense(2, name="twin")
    with pytest.raises(ValueError, match="unique names"):
        nn.Model(inp, nn.Dense(2, name="twin")(d(inp)))


def test_calling_layers_on_wrong_things():
    with pytest.raises(TypeError, match=r"call a layer on symbolic tensors.*Received: ndarray"):
        nn.Dense(2)(np.zeros((4, 3)))
    with pytest.raises(TypeError, match="not called"):
        nn.Input((3,))(nn.Input((3,)))
    with pytest.raises(TypeError, match="list of tensors"):
        nn.Add()(nn.Input((3,)))
    with pytest.raises(ValueError, match="broadcast"):
        nn.Add()([nn.Input((3,)), nn.Input((4,))])
    with pytest.raises(ValueError, match="agree on every axis but axis -1"):
        nn.Concatenate()([nn.Input((2, 3)), nn.Input((4, 3))])
    with pytest.raises(ValueError, match=r"Conv2D '.*': expected inputs of rank 4"):
        nn.Conv2D(2, 3)(nn.Input((8, 8)))
    with pytest.raises(ValueError, match="same sequence length"):
        nn.MultiHeadAttention(2, 4)(nn.Input((5, 8)), nn.Input((6, 8)), key=nn.Input((7, 8)))
    with pytest.raises(ValueError, match="attention_mask of shape"):
        nn.MultiHeadAttention(2, 4)(nn.Input((5, 8)), nn.Input((6, 8)), attention_mask=nn.Input((5, 5)))
    with pytest.raises(ValueError, match="return_attention_scores"):
        q = nn.Input((5, 8))
        nn.MultiHeadAttention(2, 4)(q, q, return_attention_scores=True)
    with pytest.raises(ValueError, match="training mode during fit"):
        nn.Dropout(0.5)(nn.Input((3,)), training=True)
    with pytest.raises(TypeError, match="no values"):
        nn.Input((3,)).output + nn.Input((3,)).output
    with pytest.raises(ValueError, match="initial_state"):
        x = nn.Input((4, 2))
        nn.LSTM(2)(x, initial_state=[nn.Dense(2)(nn.Flatten()(x))])


def test_a_layer_belongs_to_one_model():
    inp = nn.Input((3,))
    hidden = nn.Dense(4)
    out = nn.Dense(1)(hidden(inp))
    first = nn.Model(inp, out)
    with pytest.raises(ValueError, match="already belongs to model"):
        nn.Model(inp, hidden.output)
    second = nn.Model(inp, nn.Dense(2)(inp))  # an input may start several models: it holds no weights
    assert second.layers[0] is first.layers[0]
    del first


def test_integer_inputs_for_embeddings():
    ids = nn.Input((10,), dtype="int32", name="ids")
    assert ids.output.dtype == "int32"
    assert nn.Embedding(50, 8)(ids).shape == (None, 10, 8)
    assert ids.to_dict()["config"]["dtype"] == "int32"


def test_sequential_refuses_layers_that_need_a_graph():
    with pytest.raises(ValueError, match="returns 3 tensors.*functional API"):
        nn.Sequential([nn.Input((4, 2)), nn.LSTM(3, return_state=True)])
    with pytest.raises(ValueError, match="list of input shapes"):
        nn.Sequential([nn.Input((4,)), nn.Add()])
    seq = nn.Sequential([nn.Input((5, 8)), nn.MultiHeadAttention(2, 4)])  # one tensor: self-attention
    assert seq.output_shape == (None, 5, 8)
