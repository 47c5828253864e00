package org.pyj4.nn.losses;

import com.google.gson.JsonObject;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.autograd.ElementwiseOps;
import org.pyj4.nn.autograd.ReductionOps;
import org.pyj4.nn.autograd.Variable;

/** Per element 0.5 e^2 where |e| <= delta, else delta (|e| - 0.5 delta); averaged. */
public final class Huber extends Loss {
    private final double delta;

    public Huber(double delta) {
        if (!(delta > 0)) throw new IllegalArgumentException("Huber: expected delta > 0. Received: delta=" + delta);
        this.delta = delta;
    }

    public Huber() { this(1.0); }

    @Override public String className() { return "Huber"; }

    @Override public String kerasName() { return "huber_loss"; }

    @Override protected void addConfig(JsonObject c) { c.addProperty("delta", delta); }

    @Override public Variable compute(Variable yPred, NDArray yTrue) {
        Variable error = ElementwiseOps.sub(yPred, Variable.constant(align(yTrue, yPred.value())));
        Variable abs = ElementwiseOps.abs(error);
        Variable quadratic = ElementwiseOps.mul(ElementwiseOps.square(error), 0.5);
        Variable linear = ElementwiseOps.add(ElementwiseOps.mul(abs, delta), -0.5 * delta * delta);
        try (NDArray d = NDArray.scalarOf(delta, abs.dtype())) {
            return ReductionOps.mean(ElementwiseOps.where(abs.value().le(d), quadratic, linear));
        }
    }
}
