package org.pyj4.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.DTypeException;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.layers.Dense;
import org.pyj4.nn.layers.Dropout;
import org.pyj4.nn.layers.InputLayer;
import org.pyj4.nn.losses.MeanSquaredError;
import org.pyj4.nn.optimizers.SGD;

/** The Model API that Python and Java users call: construction, JSON, weights, summary, and its errors. */
class ModelApiTest {
    private static final String CONTRACT_EXAMPLE = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"layers\": ["
            + "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"input\", \"batch_shape\": [null, 784], \"dtype\": \"float32\"}},"
            + "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 256, \"activation\": \"relu\", \"use_bias\": true,"
            + " \"kernel_initializer\": {\"class_name\": \"GlorotUniform\", \"config\": {\"seed\": null}},"
            + " \"bias_initializer\": {\"class_name\": \"Zeros\", \"config\": {}}}},"
            + "{\"class_name\": \"Dropout\", \"config\": {\"name\": \"dropout\", \"rate\": 0.2, \"seed\": null}},"
            + "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense_1\", \"units\": 10, \"activation\": \"softmax\", \"use_bias\": true,"
            + " \"kernel_initializer\": {\"class_name\": \"GlorotUniform\", \"config\": {\"seed\": null}},"
            + " \"bias_initializer\": {\"class_name\": \"Zeros\", \"config\": {}}}}]}}";

    @Test void theContractsExampleBuildsAndRoundTrips() {
        try (Model m = Model.fromJson(CONTRACT_EXAMPLE)) {
            assertEquals(784 * 256 + 256 + 256 * 10 + 10, m.countParams());
            String summary = m.summary();
            assertTrue(summary.contains("dense (Dense)") && summary.contains("(None, 256)") && summary.contains("200,960"), summary);
            assertTrue(summary.contains("Total params: 203,530"), summary);
            try (Model again = Model.fromJson(m.toJson())) {
                assertEquals(m.toJson(), again.toJson());
            }
            m.compile("{\"optimizer\": {\"class_name\": \"Adam\", \"config\": {\"learning_rate\": 0.001, \"beta_1\": 0.9, \"beta_2\": 0.999, \"epsilon\": 1e-7}},"
                    + " \"loss\": {\"class_name\": \"SparseCategoricalCrossentropy\", \"config\": {\"from_logits\": false}}, \"metrics\": [\"accuracy\"]}");
            NDArray out = m.predict(NDArray.zeros(DType.FLOAT32, 3, 784));
            assertArrayEquals(new long[] {3, 10}, out.shape());
        }
    }

    @Test void javaConstructionNamesLayersUniquely() {
        try (Sequential m = new Sequential(List.of(new InputLayer(3), new Dense(4, "relu"), new Dropout(0.1), new Dense(2, null)))) {
            assertEquals(List.of("input_layer", "dense", "dropout", "dense_1"), m.layers().stream().map(l -> l.name()).toList());
            m.compile(new SGD(0.1, 0, false), new MeanSquaredError(), List.of("mae"));
            History h = m.fit(NDArray.ones(DType.FLOAT32, 8, 3), NDArray.zeros(DType.FLOAT32, 8, 2), new FitOptions().verbose(0).epochs(2), null);
            assertEquals(2, h.history().get("mae").size());
        }
    }

    @Test void weightsGetAndSet() {
        try (Model m = Model.fromJson(Data.mlpJson(3, new int[] {4}, 2, "sigmoid", null))) {
            List<NDArray> w = m.getWeights();
            assertEquals(4, w.size());
            NDArray x = NDArray.ones(DType.FLOAT32, 1, 3);
            float[] before = m.predict(x).toFloatArray();
            m.setWeights(List.of(w.get(0).mul(0.0), w.get(1), w.get(2), w.get(3).astype(DType.FLOAT64)));
            float[] after = m.predict(x).toFloatArray();
            assertTrue(before[0] != after[0]);
            assertThrows(IllegalArgumentException.class, () -> m.setWeights(w.subList(0, 3)));
            ShapeException s = assertThrows(ShapeException.class, () -> m.setWeights(List.of(w.get(1), w.get(0), w.get(2), w.get(3))));
            assertTrue(s.getMessage().startsWith("set_weights: expected dense/kernel of shape [3, 4]"), s.getMessage());
            assertThrows(DTypeException.class, () -> m.setWeights(List.of(w.get(0).astype(DType.INT32), w.get(1), w.get(2), w.get(3))));
        }
    }

    @Test void errorsNameWhatWasReceived() {
        try (Model m = Model.fromJson(Data.mlpJson(4, new int[] {4}, 3, "softmax", null))) {
            IllegalStateException notCompiled = assertThrows(IllegalStateException.class,
                    () -> m.fit(NDArray.zeros(DType.FLOAT32, 100, 4), NDArray.zeros(DType.INT64, 100), null, null));
            assertTrue(notCompiled.getMessage().contains("must compile"));
            m.compile(Data.adam(0.01, "sparse_categorical_crossentropy"));
            ShapeException counts = assertThrows(ShapeException.class,
                    () -> m.fit(NDArray.zeros(DType.FLOAT32, 100, 4), NDArray.zeros(DType.INT64, 99), null, null));
            assertEquals("fit: x and y must have the same number of samples. Received: x=float32[100, 4], y=int64[99]", counts.getMessage());
            ShapeException shape = assertThrows(ShapeException.class, () -> m.predict(NDArray.zeros(DType.FLOAT32, 2, 5)));
            assertEquals("predict: expected input of shape (None, 4) for model 'mlp'. Received: x=float32[2, 5]", shape.getMessage());
            IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                    () -> m.fit(NDArray.zeros(DType.FLOAT32, 4, 4), NDArray.create(new long[] {0, 1, 12, 2}, 4), new FitOptions().verbose(0), null));
            assertTrue(label.getMessage().startsWith("sparse_categorical_crossentropy: label 12 out of range for 3 classes"), label.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.compile("{\"optimizer\": \"adam\", \"loss\": \"mse\", \"metrics\": [\"f1\"]}"));
            assertThrows(IllegalArgumentException.class, () -> Model.fromJson("{\"class_name\": \"Functional\", \"config\": {}}"));
            assertThrows(IllegalArgumentException.class, () -> Model.fromJson("[1, 2]"));
        }
    }

    @Test void evaluateAndPredictAcceptOtherDtypes() {
        try (Model m = Model.fromJson(Data.mlpJson(2, new int[] {3}, 1, "sigmoid", null))) {
            m.compile("{\"optimizer\": \"sgd\", \"loss\": \"binary_crossentropy\", \"metrics\": [\"accuracy\", \"precision\", \"recall\", \"auc\", \"mse\"]}");
            NDArray x = NDArray.create(new double[] {0, 1, 1, 0, 2, 2, -1, 0}, 4, 2);
            NDArray y = NDArray.create(new long[] {0, 1, 1, 0}, 4);
            Map<String, Double> r = m.evaluate(x, y, 3);
            assertEquals(List.of("loss", "accuracy", "precision", "recall", "auc", "mse"), List.copyOf(r.keySet()));
            assertEquals(DType.FLOAT32, m.predict(x).dtype());
        }
    }
}
