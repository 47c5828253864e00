package org.pyj4.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.functional.SymbolicTensor;
import org.pyj4.nn.layers.Add;
import org.pyj4.nn.layers.Concatenate;
import org.pyj4.nn.layers.Conv2D;
import org.pyj4.nn.layers.Dense;
import org.pyj4.nn.layers.Flatten;
import org.pyj4.nn.layers.LSTM;
import org.pyj4.nn.layers.Layer;
import org.pyj4.nn.layers.MaxPooling2D;
import org.pyj4.nn.layers.Multiply;

/** Functional models: graphs built in Java and from Keras 3 JSON, branches, shared layers, several outputs, files. */
class FunctionalTest {
    @TempDir Path dir;

    /** in -> conv -> (conv) -> add (residual) -> pool -> flatten -> softmax. */
    private static Functional residualCnn() {
        SymbolicTensor in = Functional.input(6, 6, 2);
        SymbolicTensor c1 = new Conv2D(4, 3, "same", "relu").call(in);
        SymbolicTensor c2 = new Conv2D(4, 3, "same", null).call(c1);
        SymbolicTensor sum = new Add().call(c1, c2);
        SymbolicTensor out = new Dense(3, "softmax").call(new Flatten().call(new MaxPooling2D(2).call(sum)));
        return new Functional(in, out);
    }

    @Test void aResidualGraphRoundTripsThroughKeras3Json() {
        NDArray x = LayerTesting.uniform(1, -1, 1, 4, 6, 6, 2).astype("float32");
        try (Functional m = residualCnn()) {
            assertArrayEquals(new long[] {3}, m.outputShape());
            NDArray y = m.predict(x);
            JsonObject arch = JsonParser.parseString(m.toJson()).getAsJsonObject();
            assertEquals("Functional", arch.get("class_name").getAsString());
            JsonObject config = arch.getAsJsonObject("config");
            JsonArray layers = config.getAsJsonArray("layers");
            assertEquals(List.of("input_layer", "conv2d", "conv2d_1", "add", "max_pooling2d", "flatten", "dense"),
                    layers.asList().stream().map(l -> l.getAsJsonObject().get("name").getAsString()).toList());
            assertEquals(0, layers.get(0).getAsJsonObject().getAsJsonArray("inbound_nodes").size());
            JsonObject addNode = layers.get(3).getAsJsonObject().getAsJsonArray("inbound_nodes").get(0).getAsJsonObject();
            JsonArray addArgs = addNode.getAsJsonArray("args").get(0).getAsJsonArray();
            assertEquals(2, addArgs.size(), "a merge layer takes its tensors as one list argument");
            assertEquals("[\"conv2d\",0,0]", addArgs.get(0).getAsJsonObject().getAsJsonObject("config").get("keras_history").toString());
            assertEquals("[[\"input_layer\",0,0]]", config.get("input_layers").toString());
            assertEquals("[[\"dense\",0,0]]", config.get("output_layers").toString());
            try (Model back = Model.fromJson(m.toJson())) {
                assertTrue(back instanceof Functional);
                assertEquals(m.toJson(), back.toJson());
                back.build(6, 6, 2);
                back.setWeights(m.getWeights());
                assertArrayEquals(y.toFloatArray(), back.predict(x).toFloatArray(), 0f);
            }
            assertTrue(m.summary().contains("add (Add)"), m.summary());
        }
    }

    @Test void branchesMergeAndASharedLayerHasTwoNodes() {
        SymbolicTensor in = Functional.input(5);
        Dense shared = new Dense(4, "tanh");
        SymbolicTensor a = shared.call(in);
        SymbolicTensor b = shared.call(new Dense(5, "relu").call(in));
        SymbolicTensor joined = new Concatenate().call(a, b);
        SymbolicTensor out = new Dense(2, null).call(new Multiply().call(joined, joined));
        try (Functional m = new Functional(in, out)) {
            assertEquals(2, shared.nodes().size());
            NDArray x = LayerTesting.uniform(2, -1, 1, 3, 5).astype("float32");
            NDArray y = m.predict(x);
            assertArrayEquals(new long[] {3, 2}, y.shape());
            JsonObject config = JsonParser.parseString(m.toJson()).getAsJsonObject().getAsJsonObject("config");
            JsonObject sharedEntry = config.getAsJsonArray("layers").asList().stream().map(e -> e.getAsJsonObject())
                    .filter(e -> e.get("name").getAsString().equals(shared.name())).findFirst().orElseThrow();
            assertEquals(2, sharedEntry.getAsJsonArray("inbound_nodes").size());
            assertTrue(m.toJson().contains("[\"" + shared.name() + "\",1,0]"), "the second call of the shared layer is node 1");
            try (Model back = Model.fromJson(m.toJson())) {
                back.build(5);
                back.setWeights(m.getWeights());
                assertArrayEquals(y.toFloatArray(), back.predict(x).toFloatArray(), 0f);
                assertEquals(m.countParams(), back.countParams());
            }
        }
    }

    @Test void severalOutputsAndInputsRunThroughCallAll() {
        SymbolicTensor seq = Functional.input(4, 3);
        LSTM lstm = new LSTM(5, true, true);
        List<SymbolicTensor> outs = lstm.callNode(List.of(seq), null);
        assertEquals(3, outs.size());
        SymbolicTensor other = Functional.input(5);
        SymbolicTensor state = new Add().call(outs.get(1), other);
        try (Functional m = new Functional(List.of(seq, other), List.of(outs.get(0), state, outs.get(2)), "two_in_three_out");
             MemoryScope s = MemoryScope.open()) {
            List<Variable> r = m.callAll(List.of(Variable.constant(LayerTesting.uniform(1, -1, 1, 2, 4, 3).astype("float32")),
                    Variable.constant(NDArray.ones(org.pyj4.ndarray.DType.FLOAT32, 2, 5))), false);
            assertArrayEquals(new long[] {2, 4, 5}, r.get(0).shape());
            assertArrayEquals(new long[] {2, 5}, r.get(1).shape());
            assertNull(m.outputLayer());
            assertThrows(IllegalArgumentException.class, () -> m.predict(NDArray.zeros(org.pyj4.ndarray.DType.FLOAT32, 2, 4, 3)));
            try (Model back = Model.fromJson(m.toJson())) {
                assertEquals(m.toJson(), back.toJson());
            }
            Path file = dir.resolve("two_inputs.pyj4");
            m.save(file);
            try (Model back = Model.load(file)) {
                List<Variable> again = ((Functional) back).callAll(List.of(Variable.constant(LayerTesting.uniform(1, -1, 1, 2, 4, 3).astype("float32")),
                        Variable.constant(NDArray.ones(org.pyj4.ndarray.DType.FLOAT32, 2, 5))), false);
                for (int i = 0; i < 3; i++) assertArrayEquals(r.get(i).value().toFloatArray(), again.get(i).value().toFloatArray(), 0f);
            }
        }
    }

    /** A Keras 3 functional config as Keras writes it (module, registered_name and build_config included). */
    static final String KERAS3_TRANSFORMER = """
        {"module": "keras", "class_name": "Functional", "config": {"name": "encoder", "trainable": true, "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 6, 8], "dtype": "float32", "sparse": false, "name": "tokens"},
           "registered_name": null, "name": "tokens", "inbound_nodes": []},
          {"module": "keras.layers", "class_name": "MultiHeadAttention", "config": {"name": "mha", "trainable": true, "dtype": {"module": "keras",
             "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "num_heads": 2, "key_dim": 4, "value_dim": 4,
             "dropout": 0.0, "use_bias": true, "output_shape": null, "attention_axes": [1], "kernel_initializer": {"module": "keras.initializers",
             "class_name": "GlorotUniform", "config": {"seed": 1}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers",
             "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer": null,
             "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null, "seed": null},
           "registered_name": null, "build_config": {"shapes_dict": {"query_shape": [null, 6, 8], "value_shape": [null, 6, 8]}}, "name": "mha",
           "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 6, 8], "dtype": "float32", "keras_history": ["tokens", 0, 0]}},
                                       {"class_name": "__keras_tensor__", "config": {"shape": [null, 6, 8], "dtype": "float32", "keras_history": ["tokens", 0, 0]}}],
                              "kwargs": {"use_causal_mask": true}}]},
          {"module": "keras.layers", "class_name": "Add", "config": {"name": "residual", "trainable": true, "dtype": "float32"}, "registered_name": null,
           "name": "residual", "inbound_nodes": [{"args": [[{"class_name": "__keras_tensor__", "config": {"shape": [null, 6, 8], "dtype": "float32", "keras_history": ["tokens", 0, 0]}},
                                                            {"class_name": "__keras_tensor__", "config": {"shape": [null, 6, 8], "dtype": "float32", "keras_history": ["mha", 0, 0]}}]],
                                                  "kwargs": {}}]},
          {"module": "keras.layers", "class_name": "LayerNormalization", "config": {"name": "norm", "axis": -1, "epsilon": 0.001, "center": true, "scale": true,
             "rms_scaling": false, "beta_initializer": "zeros", "gamma_initializer": "ones", "beta_regularizer": null, "gamma_regularizer": null,
             "beta_constraint": null, "gamma_constraint": null}, "registered_name": null, "build_config": {"input_shape": [null, 6, 8]}, "name": "norm",
           "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 6, 8], "dtype": "float32", "keras_history": ["residual", 0, 0]}}],
                              "kwargs": {}}]},
          {"module": "keras.layers", "class_name": "Flatten", "config": {"name": "flatten", "data_format": "channels_last"}, "name": "flatten",
           "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 6, 8], "dtype": "float32", "keras_history": ["norm", 0, 0]}}], "kwargs": {}}]},
          {"module": "keras.layers", "class_name": "Dense", "config": {"name": "head", "units": 3, "activation": "softmax",
             "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": 2}}}, "name": "head",
           "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 48], "dtype": "float32", "keras_history": ["flatten", 0, 0]}}], "kwargs": {}}]}
        ], "input_layers": [["tokens", 0, 0]], "output_layers": [["head", 0, 0]]}, "registered_name": "Functional"}
        """;

    @Test void readsAKeras3ConfigWithCallKeywords() {
        try (Model m = Model.fromJson(KERAS3_TRANSFORMER)) {
            assertEquals("encoder", m.name());
            assertArrayEquals(new long[] {6, 8}, m.inputShape());
            assertArrayEquals(new long[] {3}, m.outputShape());
            NDArray x = LayerTesting.uniform(3, -1, 1, 2, 6, 8).astype("float32");
            NDArray y = m.predict(x);
            assertArrayEquals(new long[] {2, 3}, y.shape());
            String json = m.toJson();
            assertTrue(json.contains("\"use_causal_mask\":true"), json);
            try (Model back = Model.fromJson(json)) {
                assertEquals(json, back.toJson());
                back.build(6, 8);
                back.setWeights(m.getWeights());
                assertArrayEquals(y.toFloatArray(), back.predict(x).toFloatArray(), 0f);
            }
            // The causal mask reached the layer: changing the last step changes only... the last step's attention output.
            assertNotNull(((Functional) m).nodes().get(1).options().get("use_causal_mask"));
        }
    }

    @Test void badGraphsAreRefusedClearly() {
        SymbolicTensor in = Functional.input(3), stray = Functional.input(3);
        SymbolicTensor sum = new Add().call(in, stray);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Functional(in, sum));
        assertTrue(e.getMessage().contains("disconnected"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Functional(sum, sum), "inputs must be InputLayer tensors");
        String unknown = KERAS3_TRANSFORMER.replace("[\"norm\", 0, 0]", "[\"nowhere\", 0, 0]");
        e = assertThrows(IllegalArgumentException.class, () -> Model.fromJson(unknown));
        assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
        String twice = KERAS3_TRANSFORMER.replace("\"name\": \"flatten\"", "\"name\": \"head\"");
        assertThrows(IllegalArgumentException.class, () -> Model.fromJson(twice));
        assertThrows(IllegalArgumentException.class, () -> Model.fromJson("{\"class_name\": \"Functional\", \"config\": {\"layers\": []}}"));
        assertThrows(IllegalArgumentException.class, () -> Model.fromJson(KERAS3_TRANSFORMER.replace("\"use_causal_mask\": true", "\"bogus\": 1")));
    }

    @Test void trainsSavesAndLoadsLikeASequential() {
        NDArray[] d = Data.gaussianMixture(96, 4, 3, 3);
        SymbolicTensor in = Functional.input(4);
        SymbolicTensor h = new Dense(8, "relu").call(in);
        SymbolicTensor out = new Dense(3, "softmax").call(new Concatenate().call(h, in));
        try (Functional m = new Functional(in, out)) {
            assertTrue(m.outputLayer() instanceof Dense, "the softmax output fuses with the cross-entropy");
            m.compile(Data.adam(0.02, "sparse_categorical_crossentropy", "accuracy"));
            History hist = m.fit(d[0], d[1], new FitOptions().batchSize(16).epochs(4).seed(1L).verbose(0), List.of());
            List<Double> loss = hist.history().get("loss");
            assertTrue(loss.get(3) < loss.get(0), "loss " + loss);
            Path file = dir.resolve("functional.pyj4");
            m.save(file);
            try (Model back = Model.load(file)) {
                assertTrue(back instanceof Functional);
                assertArrayEquals(m.predict(d[0]).toFloatArray(), back.predict(d[0]).toFloatArray(), 0f);
                assertEquals(m.optimizer().iterations(), back.optimizer().iterations());
                History more = back.fit(d[0], d[1], new FitOptions().batchSize(16).epochs(1).seed(1L).verbose(0), List.of());
                assertTrue(more.history().get("loss").get(0) < loss.get(0));
            }
        }
    }

    @Test void layersKeepTheirNamesAndAreNamedUniquely() {
        SymbolicTensor in = Functional.input(2);
        Layer named = new Dense(2, null, "mine", null);
        SymbolicTensor out = new Dense(2, null).call(named.call(new Dense(2, null).call(in)));
        try (Functional m = new Functional(in, out)) {
            assertEquals(Arrays.asList("input_layer", "dense", "mine", "dense_1"), m.layers().stream().map(Layer::name).toList());
        }
    }
}
