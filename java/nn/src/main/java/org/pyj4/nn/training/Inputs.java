package org.pyj4.nn.training;

import java.util.Arrays;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.Model;

/** Checks and converts the arrays handed to fit, evaluate and predict, once per call. */
final class Inputs {
    private Inputs() {}

    /** x as the model consumes it: a batch of samples of the model's input shape, in its input dtype (a new reference or a copy). */
    static NDArray features(Model model, NDArray x, String op) {
        if (x == null) throw new IllegalArgumentException(op + ": expected input data x. Received: None");
        if (x.ndim() == 0) throw new ShapeException(op + ": expected a batch of samples (an array with a batch axis). Received: x=" + x.describe());
        long[] sample = Arrays.copyOfRange(x.shape(), 1, x.ndim());
        if (model instanceof org.pyj4.nn.Functional && ((org.pyj4.nn.Functional) model).inputs().size() != 1) {
            throw new IllegalArgumentException(op + ": model '" + model.name() + "' takes " + ((org.pyj4.nn.Functional) model).inputs().size()
                    + " inputs; fit, predict and evaluate take models with one input (run several with Functional.callAll)");
        }
        if (!model.isBuilt()) model.build(model.inputShape() != null ? fill(model.inputShape(), sample) : sample);
        long[] expected = model.inputShape();
        boolean ok = expected.length == sample.length;
        for (int i = 0; ok && i < sample.length; i++) ok = expected[i] < 0 || expected[i] == sample[i];
        if (!ok) {
            throw new ShapeException(op + ": expected input of shape " + withBatch(expected) + " for model '" + model.name() + "'. Received: x=" + x.describe());
        }
        return x.dtype() == model.inputDtype() ? x.reshape(x.shape()) : x.astype(model.inputDtype());
    }

    static void sameCount(String op, NDArray x, NDArray y) {
        if (x == null) throw new IllegalArgumentException(op + ": expected input data x. Received: None");
        if (x.ndim() == 0) throw new ShapeException(op + ": expected a batch of samples (an array with a batch axis). Received: x=" + x.describe());
        if (y == null) throw new IllegalArgumentException(op + ": expected targets y. Received: None");
        long nx = x.shape()[0], ny = y.ndim() == 0 ? -1 : y.shape()[0];
        if (nx != ny) {
            throw new ShapeException(op + ": x and y must have the same number of samples. Received: x=" + x.describe() + ", y=" + y.describe());
        }
    }

    private static long[] fill(long[] declared, long[] actual) {
        if (declared.length != actual.length) return declared;
        long[] m = declared.clone();
        for (int i = 0; i < m.length; i++) if (m[i] < 0) m[i] = actual[i];
        return m;
    }

    static String withBatch(long[] s) {
        StringBuilder b = new StringBuilder("(None");
        for (long d : s) b.append(", ").append(d < 0 ? "None" : Long.toString(d));
        return b.append(")").toString();
    }

    static void checkBatchSize(String op, int batchSize) {
        if (batchSize <= 0) throw new IllegalArgumentException(op + ": expected batch_size > 0. Received: batch_size=" + batchSize);
    }
}
