package org.pyj4.nn.layers;

import java.util.Locale;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.autograd.ElementwiseOps;
import org.pyj4.nn.autograd.MatrixOps.OutputActivation;
import org.pyj4.nn.autograd.NNOps;
import org.pyj4.nn.autograd.Variable;

/** The activations layers accept by name, with Keras 3 semantics. */
public enum ActivationFunction {
    LINEAR, RELU, SIGMOID, TANH, SOFTMAX,
    /** The exact form, x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)). */
    GELU,
    /** Negative slope 0.2, as Keras 3. */
    LEAKY_RELU,
    /** alpha 1.0. */
    ELU;

    private static final double LEAKY_SLOPE = 0.2;
    private static final double ELU_ALPHA = 1.0;

    /** The Keras name: "relu", "leaky_relu", ... */
    public String kerasName() { return name().toLowerCase(Locale.ROOT); }

    /** By Keras name; null or "linear" is the identity. */
    public static ActivationFunction of(String owner, String name) {
        if (name == null) return LINEAR;
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (ActivationFunction a : values()) if (a.kerasName().equals(n)) return a;
        if (n.equals("leakyrelu")) return LEAKY_RELU;
        throw new IllegalArgumentException(owner + ": unknown activation. Expected one of relu, sigmoid, tanh, softmax, gelu, leaky_relu, elu, linear. Received: activation='"
                + name + "'");
    }

    /** The form a dense layer can apply in place (its derivative depends on the output only), or null. */
    public OutputActivation fused() {
        switch (this) {
            case LINEAR: return OutputActivation.LINEAR;
            case RELU: return OutputActivation.RELU;
            case SIGMOID: return OutputActivation.SIGMOID;
            case TANH: return OutputActivation.TANH;
            default: return null;
        }
    }

    public Variable apply(Variable x) {
        switch (this) {
            case LINEAR: return x;
            case RELU: return ElementwiseOps.relu(x);
            case SIGMOID: return ElementwiseOps.sigmoid(x);
            case TANH: return ElementwiseOps.tanh(x);
            case SOFTMAX: return NNOps.softmax(x, -1);
            case GELU: {
                Variable phi = ElementwiseOps.mul(ElementwiseOps.add(ElementwiseOps.erf(ElementwiseOps.mul(x, 1 / Math.sqrt(2))), 1.0), 0.5);
                return ElementwiseOps.mul(x, phi);
            }
            case LEAKY_RELU: return ElementwiseOps.where(positive(x), x, ElementwiseOps.mul(x, LEAKY_SLOPE));
            default: {
                // expm1 of min(x, 0): the unused branch never overflows, so its zero gradient stays finite.
                Variable zero = Variable.constant(NDArray.scalarOf(0.0, x.dtype()));
                Variable negativePart = ElementwiseOps.mul(ElementwiseOps.expm1(ElementwiseOps.minimum(x, zero)), ELU_ALPHA);
                return ElementwiseOps.where(positive(x), x, negativePart);
            }
        }
    }

    private static NDArray positive(Variable x) {
        try (NDArray zero = NDArray.scalarOf(0.0, x.dtype())) {
            return x.value().gt(zero);
        }
    }
}
