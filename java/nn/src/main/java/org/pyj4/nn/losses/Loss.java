package org.pyj4.nn.losses;

import com.google.gson.JsonObject;
import java.util.Arrays;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;
import org.pyj4.nn.layers.ActivationFunction;

/**
 * A training objective: the mean over the batch (Keras' "sum_over_batch_size" reduction) of a
 * per-sample loss, as a scalar variable to backpropagate from.
 */
public abstract class Loss {
    /** Keras' clipping constant for probabilities. */
    protected static final double EPSILON = 1e-7;

    /** Keras class name: "MeanSquaredError", "SparseCategoricalCrossentropy", ... */
    public abstract String className();

    /** The Keras string name: "mse", "sparse_categorical_crossentropy", ... */
    public abstract String kerasName();

    /** Config keys (Keras get_config), besides name and reduction. */
    protected void addConfig(JsonObject config) {}

    /** The loss of predictions (after the model's output activation) against targets. */
    public abstract Variable compute(Variable yPred, NDArray yTrue);

    /** Whether this loss can start from the pre-activation of a model ending in {@code activation} (Keras' logits shortcut). */
    public boolean fusesWith(ActivationFunction activation) { return false; }

    /** The loss computed from the logits of a model ending in an activation this loss {@link #fusesWith}. */
    public Variable computeFromLogits(Variable logits, NDArray yTrue) {
        throw new UnsupportedOperationException(className() + " has no logits form");
    }

    /** Which "accuracy" Keras pairs with this loss: "binary", "categorical", "sparse", or null to decide from shapes. */
    public String accuracyKind() { return null; }

    /** Targets of a whole dataset in the dtype this loss wants them (a new reference or a converted copy). */
    public NDArray prepareTargets(NDArray y, DType predictionDtype) {
        return y.dtype() == predictionDtype ? y.reshape(y.shape()) : y.astype(predictionDtype);
    }

    public final JsonObject toJson() {
        JsonObject c = new JsonObject();
        c.addProperty("name", kerasName());
        c.addProperty("reduction", "sum_over_batch_size");
        addConfig(c);
        return Config.classAndConfig(className(), c);
    }

    /**
     * Keras' squeeze_or_expand_to_same_rank: targets one axis short of the predictions gain a trailing
     * axis of 1 (and the reverse); then the shapes must agree.
     */
    protected final NDArray align(NDArray yTrue, NDArray yPred) {
        long[] t = yTrue.shape(), p = yPred.shape();
        NDArray aligned = yTrue;
        if (t.length == p.length - 1 && p[p.length - 1] == 1) aligned = yTrue.expandDims(-1);
        else if (t.length == p.length + 1 && t[t.length - 1] == 1) aligned = yTrue.squeeze(-1);
        if (!Arrays.equals(aligned.shape(), p)) {
            throw new ShapeException(kerasName() + ": expected targets of the predictions' shape. Received: y_true=" + yTrue.describe()
                    + ", y_pred=" + yPred.describe());
        }
        return aligned.dtype() == yPred.dtype() ? aligned : aligned.astype(yPred.dtype());
    }

    @Override public String toString() { return className(); }
}
