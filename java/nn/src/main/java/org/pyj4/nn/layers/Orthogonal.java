package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.config.Config;

/**
 * Keras' Orthogonal(gain=1.0, seed): a random matrix with orthonormal rows or columns (the Q of the
 * QR decomposition of a normal matrix, signs fixed by R's diagonal), times gain. Shapes of rank > 2
 * are flattened to [prod(shape[:-1]), shape[-1]]. The default recurrent_initializer of LSTM and GRU.
 */
public final class Orthogonal implements Initializer {
    private final double gain;
    private final Long seed;

    public Orthogonal(double gain, Long seed) {
        this.gain = gain;
        this.seed = seed;
    }

    @Override public NDArray create(long[] shape, DType dtype) {
        if (shape.length < 2) throw new IllegalArgumentException("Orthogonal: expected a shape of rank >= 2. Received: " + java.util.Arrays.toString(shape));
        long cols = shape[shape.length - 1];
        long rows = 1;
        for (int i = 0; i < shape.length - 1; i++) rows *= shape[i];
        int m = (int) Math.max(rows, cols), n = (int) Math.min(rows, cols);
        double[] a;
        try (NDArray normal = Draws.normal(new long[] {m, n}, 0, 1, DType.FLOAT64, seed, 0)) {
            a = normal.toDoubleArray();
        }
        double[] q = orthonormalColumns(a, m, n);  // m x n, row-major
        double[] out = new double[(int) (rows * cols)];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) out[(int) (i * cols + j)] = gain * (rows >= cols ? q[i * n + j] : q[j * n + i]);
        }
        try (NDArray d = NDArray.create(out, shape)) {
            return d.astype(dtype);
        }
    }

    /**
     * Q of a = QR (m x n, m >= n) by modified Gram-Schmidt with one reorthogonalisation pass, with
     * each column's sign set so that R's diagonal is positive (Keras' q * sign(diag(r))).
     */
    static double[] orthonormalColumns(double[] a, int m, int n) {
        double[] q = a.clone();
        for (int j = 0; j < n; j++) {
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < j; k++) {
                    double dot = 0;
                    for (int i = 0; i < m; i++) dot += q[i * n + k] * q[i * n + j];
                    for (int i = 0; i < m; i++) q[i * n + j] -= dot * q[i * n + k];
                }
            }
            double norm = 0;
            for (int i = 0; i < m; i++) norm += q[i * n + j] * q[i * n + j];
            norm = Math.sqrt(norm);
            if (norm == 0) norm = 1;  // a zero column (probability 0): leave it
            for (int i = 0; i < m; i++) q[i * n + j] /= norm;
        }
        return q;
    }

    @Override public String className() { return "Orthogonal"; }

    @Override public JsonObject config() {
        JsonObject c = new JsonObject();
        c.addProperty("gain", gain);
        c.add("seed", Config.nullable(seed));
        return c;
    }
}
