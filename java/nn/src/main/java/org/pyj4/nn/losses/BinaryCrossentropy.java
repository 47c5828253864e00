package org.pyj4.nn.losses;

import com.google.gson.JsonObject;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.autograd.ElementwiseOps;
import org.pyj4.nn.autograd.NNOps;
import org.pyj4.nn.autograd.ReductionOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.layers.ActivationFunction;

/**
 * -(t log p + (1 - t) log(1 - p)) averaged, with p clipped to [1e-7, 1 - 1e-7] as Keras. From logits
 * (or fused with a final sigmoid) it is the stable max(z, 0) - z t + log(1 + exp(-|z|)).
 */
public final class BinaryCrossentropy extends Loss {
    private final boolean fromLogits;
    private final double labelSmoothing;

    public BinaryCrossentropy(boolean fromLogits, double labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("BinaryCrossentropy: expected 0 <= label_smoothing <= 1. Received: label_smoothing=" + labelSmoothing);
        }
        this.fromLogits = fromLogits;
        this.labelSmoothing = labelSmoothing;
    }

    public BinaryCrossentropy() { this(false, 0); }

    @Override public String className() { return "BinaryCrossentropy"; }

    @Override public String kerasName() { return "binary_crossentropy"; }

    @Override public String accuracyKind() { return "binary"; }

    @Override protected void addConfig(JsonObject c) {
        c.addProperty("from_logits", fromLogits);
        c.addProperty("label_smoothing", labelSmoothing);
    }

    private NDArray targets(NDArray yTrue, NDArray yPred) {
        NDArray t = align(yTrue, yPred);
        return labelSmoothing == 0 ? t : t.mul(1 - labelSmoothing).add(0.5 * labelSmoothing);
    }

    @Override public Variable compute(Variable yPred, NDArray yTrue) {
        if (fromLogits) return computeFromLogits(yPred, yTrue);
        NDArray t = targets(yTrue, yPred.value());
        Variable p = ElementwiseOps.clip(yPred, EPSILON, 1 - EPSILON);
        Variable pos = ElementwiseOps.mul(Variable.constant(t), ElementwiseOps.log(p));
        Variable neg = ElementwiseOps.mul(Variable.constant(NDArray.scalar(1.0).sub(t)), ElementwiseOps.log(ElementwiseOps.rsub(1.0, p)));
        return ElementwiseOps.neg(ReductionOps.mean(ElementwiseOps.add(pos, neg)));
    }

    @Override public boolean fusesWith(ActivationFunction a) { return !fromLogits && a == ActivationFunction.SIGMOID; }

    @Override public Variable computeFromLogits(Variable logits, NDArray yTrue) {
        return ReductionOps.mean(NNOps.sigmoidCrossEntropy(logits, targets(yTrue, logits.value())));
    }
}
