package org.pyj4.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.FitOptions;
import org.pyj4.nn.Functional;
import org.pyj4.nn.LayerTesting;
import org.pyj4.nn.Model;
import org.pyj4.nn.Sequential;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.functional.SymbolicTensor;
import org.pyj4.nn.layers.Add;
import org.pyj4.nn.layers.AveragePooling2D;
import org.pyj4.nn.layers.BatchNormalization;
import org.pyj4.nn.layers.Concatenate;
import org.pyj4.nn.layers.Conv1D;
import org.pyj4.nn.layers.Conv2D;
import org.pyj4.nn.layers.Dense;
import org.pyj4.nn.layers.Embedding;
import org.pyj4.nn.layers.Flatten;
import org.pyj4.nn.layers.GRU;
import org.pyj4.nn.layers.GlobalAveragePooling2D;
import org.pyj4.nn.layers.GlobalMaxPooling2D;
import org.pyj4.nn.layers.InputLayer;
import org.pyj4.nn.layers.LSTM;
import org.pyj4.nn.layers.Layer;
import org.pyj4.nn.layers.LayerNormalization;
import org.pyj4.nn.layers.MaxPooling2D;
import org.pyj4.nn.layers.MultiHeadAttention;
import org.pyj4.nn.layers.Multiply;

/**
 * Every layer type survives the model file: after training a little (so BatchNormalization's moving
 * statistics and the optimizer have moved), save and load give identical weights and identical
 * predictions, and training resumes.
 */
class LayerSaveLoadTest {
    @TempDir Path dir;

    private static Model images() {
        SymbolicTensor in = Functional.input(8, 8, 2);
        SymbolicTensor a = Conv2D.of(4, new int[] {3, 3}, new int[] {1, 1}, "same", "channels_last", new int[] {1, 1}, 2, "relu", true).call(in);
        SymbolicTensor b = new BatchNormalization().call(a);
        SymbolicTensor c = new MaxPooling2D(2).call(b);
        SymbolicTensor d = new AveragePooling2D(2, 1, "same").call(c);
        SymbolicTensor e = Conv2D.of(3, new int[] {2, 2}, new int[] {1, 1}, "valid", "channels_first", new int[] {1, 1}, 1, "tanh", true).call(d);
        SymbolicTensor g = new Concatenate().call(new GlobalAveragePooling2D().call(d), new GlobalMaxPooling2D().call(d));
        SymbolicTensor out = new Dense(3, "softmax").call(new Concatenate().call(g, new Flatten().call(e)));
        return new Functional(in, out);
    }

    private static Model sequences() {
        return new Sequential(List.of(new InputLayer(new long[] {7}, DType.INT32), new Embedding(12, 6), new Conv1D(6, 3, "causal", "relu"),
                new LSTM(5, true, false), new GRU(4, true, false), new LayerNormalization(), new Flatten(), new Dense(3, "softmax")));
    }

    private static Model attention() {
        SymbolicTensor in = Functional.input(5, 8);
        com.google.gson.JsonObject causal = new com.google.gson.JsonObject();
        causal.addProperty("use_causal_mask", true);
        SymbolicTensor attn = new MultiHeadAttention(2, 4).callNode(List.of(in, in), causal).get(0);
        SymbolicTensor x = new LayerNormalization().call(new Add().call(in, attn));
        SymbolicTensor gate = new Dense(8, "sigmoid").call(x);
        SymbolicTensor out = new Dense(3, "softmax").call(new Flatten().call(new Multiply().call(x, gate)));
        return new Functional(in, out);
    }

    private void roundTrip(Model m, NDArray x, NDArray y, String name) {
        m.compile("{\"optimizer\": \"adam\", \"loss\": \"sparse_categorical_crossentropy\"}");
        m.fit(x, y, new FitOptions().batchSize(4).epochs(1).seed(1L).verbose(0), List.of());
        NDArray want = m.predict(x);
        Path file = dir.resolve(name + ".pyj4");
        m.save(file);
        try (Model back = Model.load(file)) {
            assertEquals(m.toJson(), back.toJson(), name);
            List<Parameter> a = m.parameters(), b = back.parameters();
            assertEquals(a.size(), b.size(), name);
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).name(), b.get(i).name());
                assertEquals(a.get(i).requiresGrad(), b.get(i).requiresGrad(), a.get(i).name());
                assertArrayEquals(a.get(i).value().toFloatArray(), b.get(i).value().toFloatArray(), 0f, a.get(i).name());
            }
            assertArrayEquals(want.toFloatArray(), back.predict(x).toFloatArray(), 0f, name + ": predictions after loading");
            back.fit(x, y, new FitOptions().batchSize(4).epochs(1).seed(1L).verbose(0), List.of());
            assertEquals(m.optimizer().iterations() * 2, back.optimizer().iterations());
        }
    }

    @Test void everyLayerTypeSavesAndLoads() {
        Set<String> covered = new TreeSet<>();
        NDArray labels = NDArray.create(new long[] {0, 1, 2, 1, 0, 2, 1, 0}, 8);
        try (Model m = images()) {
            roundTrip(m, LayerTesting.uniform(1, -1, 1, 8, 8, 8, 2).astype("float32"), labels, "images");
            for (Layer l : m.layers()) covered.add(l.className());
            Map<String, Boolean> trainable = new java.util.HashMap<>();
            for (Parameter p : m.parameters()) trainable.put(p.name(), p.requiresGrad());
            assertFalse(trainable.get("batch_normalization/moving_mean"), "moving statistics are saved as non-trainable weights");
            float[] moved = m.parameters().stream().filter(p -> p.name().endsWith("moving_variance")).findFirst().orElseThrow().value().toFloatArray();
            assertTrue(moved[0] != 1f, "training moved the moving variance");
        }
        try (Model m = sequences()) {
            int[] ids = new int[8 * 7];
            for (int i = 0; i < ids.length; i++) ids[i] = (i * 5) % 12;
            roundTrip(m, NDArray.create(ids, 8, 7), labels, "sequences");
            for (Layer l : m.layers()) covered.add(l.className());
        }
        try (Model m = attention()) {
            roundTrip(m, LayerTesting.uniform(2, -1, 1, 8, 5, 8).astype("float32"), labels, "attention");
            for (Layer l : m.layers()) covered.add(l.className());
        }
        assertTrue(covered.containsAll(List.of("Conv1D", "Conv2D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
                "BatchNormalization", "LayerNormalization", "Embedding", "LSTM", "GRU", "MultiHeadAttention", "Add", "Multiply", "Concatenate")), covered.toString());
    }
}
