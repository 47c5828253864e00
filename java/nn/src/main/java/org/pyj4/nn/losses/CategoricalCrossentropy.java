package org.pyj4.nn.losses;

import com.google.gson.JsonObject;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.autograd.ElementwiseOps;
import org.pyj4.nn.autograd.NNOps;
import org.pyj4.nn.autograd.ReductionOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.layers.ActivationFunction;

/**
 * -sum(t log p) over the last axis, averaged over samples; t one-hot (or any distribution). From
 * probabilities, p is renormalised and clipped as Keras; from logits (or fused with a final softmax)
 * it is the stable log-softmax form.
 */
public final class CategoricalCrossentropy extends Loss {
    private final boolean fromLogits;
    private final double labelSmoothing;

    public CategoricalCrossentropy(boolean fromLogits, double labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("CategoricalCrossentropy: expected 0 <= label_smoothing <= 1. Received: label_smoothing=" + labelSmoothing);
        }
        this.fromLogits = fromLogits;
        this.labelSmoothing = labelSmoothing;
    }

    public CategoricalCrossentropy() { this(false, 0); }

    @Override public String className() { return "CategoricalCrossentropy"; }

    @Override public String kerasName() { return "categorical_crossentropy"; }

    @Override public String accuracyKind() { return "categorical"; }

    @Override protected void addConfig(JsonObject c) {
        c.addProperty("from_logits", fromLogits);
        c.addProperty("label_smoothing", labelSmoothing);
        c.addProperty("axis", -1);
    }

    private NDArray targets(NDArray yTrue, NDArray yPred) {
        NDArray t = align(yTrue, yPred);
        if (labelSmoothing == 0) return t;
        long classes = yPred.shape()[yPred.ndim() - 1];
        return t.mul(1 - labelSmoothing).add(labelSmoothing / classes);
    }

    @Override public Variable compute(Variable yPred, NDArray yTrue) {
        if (fromLogits) return computeFromLogits(yPred, yTrue);
        NDArray t = targets(yTrue, yPred.value());
        int[] last = {-1};
        Variable p = ElementwiseOps.div(yPred, ReductionOps.sum(yPred, last, true));
        Variable logP = ElementwiseOps.log(ElementwiseOps.clip(p, EPSILON, 1 - EPSILON));
        Variable perSample = ReductionOps.sum(ElementwiseOps.mul(Variable.constant(t), logP), last, false);
        return ElementwiseOps.neg(ReductionOps.mean(perSample));
    }

    @Override public boolean fusesWith(ActivationFunction a) { return !fromLogits && a == ActivationFunction.SOFTMAX; }

    @Override public Variable computeFromLogits(Variable logits, NDArray yTrue) {
        return ReductionOps.mean(NNOps.softmaxCrossEntropy(logits, targets(yTrue, logits.value())));
    }
}
