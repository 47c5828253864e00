package org.pyj4.nn.losses;

import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.autograd.ElementwiseOps;
import org.pyj4.nn.autograd.ReductionOps;
import org.pyj4.nn.autograd.Variable;

/** mean((y_pred - y_true)^2). */
public final class MeanSquaredError extends Loss {
    @Override public String className() { return "MeanSquaredError"; }

    @Override public String kerasName() { return "mean_squared_error"; }

    @Override public Variable compute(Variable yPred, NDArray yTrue) {
        Variable error = ElementwiseOps.sub(yPred, Variable.constant(align(yTrue, yPred.value())));
        return ReductionOps.mean(ElementwiseOps.square(error));
    }
}
