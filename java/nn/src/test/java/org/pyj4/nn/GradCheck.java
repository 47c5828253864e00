package org.pyj4.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.autograd.ElementwiseOps;
import org.pyj4.nn.autograd.GradMode;
import org.pyj4.nn.autograd.ReductionOps;
import org.pyj4.nn.autograd.Variable;

/**
 * Gradient checks against central finite differences, in float64. The function's output is
 * reduced with fixed pseudo-random weights, so every output element gets a different upstream
 * gradient (a plain sum would hide mistakes that only show with non-uniform gradients).
 */
public final class GradCheck {
    private GradCheck() {}

    private static final double EPS = 1e-6;

    /** Checks d f / d input for each input (float64 arrays, values given row-major with shapes). */
    public static void check(String what, Function<List<Variable>, Variable> f, double tolerance, NDArray... inputs) {
        try (MemoryScope scope = MemoryScope.open()) {
            List<Variable> vars = new ArrayList<>();
            for (NDArray in : inputs) vars.add(Variable.leaf(in.astype(DType.FLOAT64)));
            Variable out = f.apply(vars);
            NDArray weights = weightsFor(out.value());
            Variable loss = ReductionOps.sum(ElementwiseOps.mul(out, Variable.constant(weights)));
            loss.backward();
            for (int i = 0; i < inputs.length; i++) {
                NDArray analytic = vars.get(i).grad();
                assertNotNull(analytic, what + ": no gradient reached input " + i);
                double[] a = analytic.toDoubleArray();
                double[] n = numeric(f, vars, i, weights);
                for (int j = 0; j < n.length; j++) {
                    double scale = Math.max(1.0, Math.abs(n[j]));
                    assertEquals(n[j], a[j], tolerance * scale, what + ": d/d input " + i + " element " + j
                            + "\n numeric=" + Arrays.toString(n) + "\n analytic=" + Arrays.toString(a));
                }
            }
        }
    }

    public static void check(String what, Function<List<Variable>, Variable> f, NDArray... inputs) {
        check(what, f, 1e-6, inputs);
    }

    /**
     * Checks the gradients that {@code f} (which reads the parameters) leaves in each parameter,
     * against finite differences taken by perturbing the parameters' values in place.
     */
    public static void checkParameters(String what, java.util.function.Supplier<Variable> f, List<org.pyj4.nn.autograd.Parameter> params, double tolerance) {
        NDArray weights;
        double[][] analytic = new double[params.size()][];
        try (MemoryScope scope = MemoryScope.open()) {
            for (org.pyj4.nn.autograd.Parameter p : params) p.zeroGrad();
            Variable out = f.get();
            weights = scope.detach(weightsFor(out.value()));
            ReductionOps.sum(ElementwiseOps.mul(out, Variable.constant(weights))).backward();
            for (int i = 0; i < params.size(); i++) {
                assertNotNull(params.get(i).grad(), what + ": no gradient reached " + params.get(i).name());
                analytic[i] = params.get(i).grad().toDoubleArray();
                params.get(i).zeroGrad();
            }
        }
        try (GradMode.Off off = GradMode.off()) {
            for (int i = 0; i < params.size(); i++) {
                org.pyj4.nn.autograd.Parameter p = params.get(i);
                double[] base = p.value().toDoubleArray();
                for (int j = 0; j < base.length; j++) {
                    double plus = evaluateWith(p, perturbed(base, j, EPS), f, weights), minus = evaluateWith(p, perturbed(base, j, -EPS), f, weights);
                    double numeric = (plus - minus) / (2 * EPS);
                    assertEquals(numeric, analytic[i][j], tolerance * Math.max(1.0, Math.abs(numeric)),
                            what + ": d/d " + p.name() + " element " + j + "\n analytic=" + Arrays.toString(analytic[i]));
                }
                try (NDArray restore = NDArray.create(base, p.shape())) {
                    p.assign(restore);
                }
            }
        } finally {
            weights.close();
        }
    }

    private static double evaluateWith(org.pyj4.nn.autograd.Parameter p, double[] values, java.util.function.Supplier<Variable> f, NDArray weights) {
        try (MemoryScope scope = MemoryScope.open()) {
            p.assign(NDArray.create(values, p.shape()));
            return f.get().value().mul(weights).sum().getDouble();
        }
    }

    private static double[] numeric(Function<List<Variable>, Variable> f, List<Variable> vars, int which, NDArray weights) {
        double[] base = vars.get(which).value().toDoubleArray();
        long[] shape = vars.get(which).value().shape();
        double[] grad = new double[base.length];
        try (GradMode.Off off = GradMode.off()) {
            for (int j = 0; j < base.length; j++) {
                grad[j] = (evaluate(f, vars, which, perturbed(base, j, EPS), shape, weights)
                        - evaluate(f, vars, which, perturbed(base, j, -EPS), shape, weights)) / (2 * EPS);
            }
        }
        return grad;
    }

    private static double[] perturbed(double[] base, int j, double by) {
        double[] c = base.clone();
        c[j] += by;
        return c;
    }

    private static double evaluate(Function<List<Variable>, Variable> f, List<Variable> vars, int which, double[] values,
                                   long[] shape, NDArray weights) {
        try (MemoryScope scope = MemoryScope.open()) {
            List<Variable> in = new ArrayList<>(vars);
            in.set(which, Variable.constant(NDArray.create(values, shape)));
            NDArray out = f.apply(in).value();
            return out.mul(weights).sum().getDouble();
        }
    }

    /** Deterministic weights in [0.5, 1.5) with varying signs. */
    static NDArray weightsFor(NDArray out) {
        double[] w = new double[(int) out.size()];
        for (int i = 0; i < w.length; i++) w[i] = (0.5 + ((i * 0.37) % 1.0)) * (i % 3 == 2 ? -1 : 1);
        return NDArray.create(w, out.shape()).astype(out.dtype());
    }

    /** A float64 array of the given shape with deterministic, distinct, non-integer values. */
    public static NDArray values(long... shape) {
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = Math.sin(1.3 * i + 0.4) * 1.7 + 0.05 * i;
        return NDArray.create(v, shape);
    }

    /** Strictly positive values, for log, sqrt, division. */
    public static NDArray positive(long... shape) {
        try (NDArray v = values(shape)) {
            return v.abs().add(0.5);
        }
    }
}
