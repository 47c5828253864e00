package org.pyj4.nn.autograd;

import static org.pyj4.nn.GradCheck.check;
import static org.pyj4.nn.GradCheck.positive;
import static org.pyj4.nn.GradCheck.values;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pyj4.backend.Backends;
import org.pyj4.ndarray.NDArray;

/** Every elementwise primitive's gradient against finite differences, including broadcasting. */
class ElementwiseGradTest {
    private static String previous;

    @BeforeAll static void referenceBackend() {
        previous = Backends.getDefault().name();
        Backends.setDefault("java");
    }

    @AfterAll static void restore() { Backends.setDefault(previous); }

    @Test void binaryWithBroadcasting() {
        check("add", v -> ElementwiseOps.add(v.get(0), v.get(1)), values(2, 3), values(3));
        check("sub", v -> ElementwiseOps.sub(v.get(0), v.get(1)), values(2, 1, 3), values(4, 1));
        check("mul", v -> ElementwiseOps.mul(v.get(0), v.get(1)), values(2, 3), values(2, 1));
        check("div", v -> ElementwiseOps.div(v.get(0), v.get(1)), values(2, 3), positive(1, 3));
        check("pow", v -> ElementwiseOps.pow(v.get(0), v.get(1)), positive(2, 3), values(3));
        check("maximum", v -> ElementwiseOps.maximum(v.get(0), v.get(1)), values(2, 3), values(2, 3).mul(0.7).add(0.1));
        check("minimum", v -> ElementwiseOps.minimum(v.get(0), v.get(1)), values(2, 3), values(3).mul(-0.6));
    }

    @Test void scalarForms() {
        check("pow const", v -> ElementwiseOps.pow(v.get(0), 3.0), values(2, 3));
        check("add const", v -> ElementwiseOps.add(v.get(0), 2.5), values(4));
        check("mul const", v -> ElementwiseOps.mul(v.get(0), -1.5), values(4));
        check("rsub", v -> ElementwiseOps.rsub(1.0, v.get(0)), values(4));
        check("clip", v -> ElementwiseOps.clip(v.get(0), -0.9, 1.1), values(3, 4));
    }

    @Test void unary() {
        check("neg", v -> ElementwiseOps.neg(v.get(0)), values(2, 3));
        check("exp", v -> ElementwiseOps.exp(v.get(0)), values(2, 3));
        check("expm1", v -> ElementwiseOps.expm1(v.get(0)), values(2, 3));
        check("log", v -> ElementwiseOps.log(v.get(0)), positive(2, 3));
        check("log1p", v -> ElementwiseOps.log1p(v.get(0)), positive(2, 3));
        check("sqrt", v -> ElementwiseOps.sqrt(v.get(0)), positive(2, 3));
        check("square", v -> ElementwiseOps.square(v.get(0)), values(2, 3));
        check("abs", v -> ElementwiseOps.abs(v.get(0)), values(2, 3));
        check("tanh", v -> ElementwiseOps.tanh(v.get(0)), values(2, 3));
        check("sigmoid", v -> ElementwiseOps.sigmoid(v.get(0)), values(2, 3));
        check("relu", v -> ElementwiseOps.relu(v.get(0)), values(2, 3));
        check("erf", v -> ElementwiseOps.erf(v.get(0)), values(2, 3));
        check("sin", v -> ElementwiseOps.sin(v.get(0)), values(2, 3));
        check("cos", v -> ElementwiseOps.cos(v.get(0)), values(2, 3));
    }

    @Test void whereRoutesGradients() {
        NDArray cond = NDArray.create(new boolean[] {true, false, true, false, false, true}, 2, 3);
        check("where", v -> ElementwiseOps.where(cond, v.get(0), v.get(1)), values(2, 3), values(3));
    }

    @Test void reusedInputAccumulates() {
        check("x * x + x", v -> ElementwiseOps.add(ElementwiseOps.mul(v.get(0), v.get(0)), v.get(0)), values(3, 2));
    }
}
