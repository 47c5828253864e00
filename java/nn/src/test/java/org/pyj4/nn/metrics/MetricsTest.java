package org.pyj4.nn.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.NDArray;

/** Streaming metrics against values counted by hand. */
class MetricsTest {
    @Test void accuracyInItsThreeForms() {
        try (MemoryScope s = MemoryScope.open()) {
            NDArray probs = NDArray.create(new float[] {0.1f, 0.7f, 0.2f, 0.6f, 0.3f, 0.1f, 0.2f, 0.2f, 0.6f}, 3, 3);
            Accuracy sparse = new Accuracy("accuracy", Accuracy.Kind.SPARSE);
            sparse.update(NDArray.create(new long[] {1, 0, 0}, 3), probs);
            assertEquals(2.0 / 3, sparse.result(), 1e-12);
            sparse.update(NDArray.create(new long[] {1}, 1, 1), probs.get(org.pyj4.ndarray.Index.slice(0L, 1L, null)));
            assertEquals(3.0 / 4, sparse.result(), 1e-12, "streams over batches");
            Accuracy categorical = new Accuracy("accuracy", Accuracy.Kind.CATEGORICAL);
            categorical.update(NDArray.create(new float[] {0, 1, 0, 0, 0, 1, 0, 0, 1}, 3, 3), probs);
            assertEquals(2.0 / 3, categorical.result(), 1e-12);
            Accuracy binary = new Accuracy("accuracy", Accuracy.Kind.BINARY);
            binary.update(NDArray.create(new float[] {1, 0, 0, 1}, 4), NDArray.create(new float[] {0.9f, 0.6f, 0.4f, 0.2f}, 4, 1));
            assertEquals(0.5, binary.result(), 1e-12);
        }
    }

    @Test void precisionRecallAndErrors() {
        try (MemoryScope s = MemoryScope.open()) {
            NDArray y = NDArray.create(new float[] {1, 1, 0, 0, 1}, 5);
            NDArray p = NDArray.create(new float[] {0.9f, 0.3f, 0.8f, 0.1f, 0.7f}, 5);
            ConfusionMetric precision = new ConfusionMetric("precision", true), recall = new ConfusionMetric("recall", false);
            precision.update(y, p);
            recall.update(y, p);
            assertEquals(2.0 / 3, precision.result(), 1e-12); // tp 2, fp 1
            assertEquals(2.0 / 3, recall.result(), 1e-12);    // tp 2, fn 1
            ErrorMetric mae = new ErrorMetric("mae", false);
            mae.update(y, p);
            assertEquals((0.1 + 0.7 + 0.8 + 0.1 + 0.3) / 5, mae.result(), 1e-6);
        }
    }

    @Test void aucMatchesTheExactAreaForSeparableAndTiedScores() {
        try (MemoryScope s = MemoryScope.open()) {
            AUC auc = new AUC("auc", 200);
            auc.update(NDArray.create(new float[] {0, 0, 1, 1}, 4), NDArray.create(new float[] {0.1f, 0.4f, 0.35f, 0.8f}, 4));
            // Exact ROC AUC: 3 of the 4 (positive, negative) pairs are ordered correctly.
            assertEquals(0.75, auc.result(), 1e-9);
            auc.reset();
            auc.update(NDArray.create(new float[] {0, 1}, 2), NDArray.create(new float[] {0.2f, 0.9f}, 2));
            assertEquals(1.0, auc.result(), 1e-9);
        }
    }
}
