package org.pyj4.nn.losses;

import com.google.gson.JsonObject;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.autograd.NNOps;
import org.pyj4.nn.autograd.ReductionOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.layers.ActivationFunction;

/** Categorical cross-entropy with integer class labels (one per sample) instead of one-hot rows. */
public final class SparseCategoricalCrossentropy extends Loss {
    private final boolean fromLogits;
    private final CategoricalCrossentropy dense;

    public SparseCategoricalCrossentropy(boolean fromLogits) {
        this.fromLogits = fromLogits;
        this.dense = new CategoricalCrossentropy(fromLogits, 0);
    }

    public SparseCategoricalCrossentropy() { this(false); }

    @Override public String className() { return "SparseCategoricalCrossentropy"; }

    @Override public String kerasName() { return "sparse_categorical_crossentropy"; }

    @Override public String accuracyKind() { return "sparse"; }

    @Override protected void addConfig(JsonObject c) {
        c.addProperty("from_logits", fromLogits);
        c.addProperty("ignore_class", (String) null);
    }

    /** Labels become int64 once per dataset (floats holding class numbers are accepted, as Keras). */
    @Override public NDArray prepareTargets(NDArray y, DType predictionDtype) {
        return y.dtype() == DType.INT64 ? y.reshape(y.shape()) : y.astype(DType.INT64);
    }

    @Override public Variable compute(Variable yPred, NDArray yTrue) {
        return fromLogits ? computeFromLogits(yPred, yTrue) : dense.compute(yPred, oneHot(yTrue, yPred.value()));
    }

    @Override public boolean fusesWith(ActivationFunction a) { return dense.fusesWith(a); }

    @Override public Variable computeFromLogits(Variable logits, NDArray yTrue) {
        // oneHot checked every label's range: its rows are exact one-hots, which backward uses
        return ReductionOps.mean(NNOps.softmaxCrossEntropy(logits, oneHot(yTrue, logits.value()), true));
    }

    /** One-hot rows in the predictions' dtype, from labels of shape [...] or [..., 1]; checks each label's range. */
    NDArray oneHot(NDArray labels, NDArray yPred) {
        long[] p = yPred.shape();
        long classes = p[p.length - 1];
        NDArray l = labels.ndim() == p.length && labels.shape()[labels.ndim() - 1] == 1 ? labels.squeeze(-1) : labels;
        long[] expected = java.util.Arrays.copyOf(p, p.length - 1);
        if (!java.util.Arrays.equals(l.shape(), expected)) {
            throw new ShapeException("sparse_categorical_crossentropy: expected one label per prediction row, of shape "
                    + java.util.Arrays.toString(expected) + ". Received: y_true=" + labels.describe() + ", y_pred=" + yPred.describe());
        }
        NDArray ints = l.dtype() == DType.INT64 ? l : l.astype(DType.INT64);
        checkRange(ints, classes);
        NDArray classIds = NDArray.arange(0L, classes, 1L, DType.INT64);
        return ints.expandDims(-1).eq(classIds).astype(yPred.dtype());
    }

    private static void checkRange(NDArray labels, long classes) {
        if (labels.size() == 0) return;
        long lo = labels.min(null, false).getLong(), hi = labels.max(null, false).getLong();
        if (lo < 0 || hi >= classes) {
            throw new IllegalArgumentException("sparse_categorical_crossentropy: label " + (lo < 0 ? lo : hi) + " out of range for "
                    + classes + " classes (expected 0 <= label < " + classes + ")");
        }
    }
}
