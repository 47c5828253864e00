package org.pyj4.nn;

/**
 * Straightforward double-precision implementations of what the layers compute, written from the
 * Keras / TensorFlow definitions (loops over every index, nothing shared with the library), for
 * the layer tests to compare against. Arrays are row-major; images are channels_last.
 */
public final class Naive {
    private Naive() {}

    /** TensorFlow's padding before the first element for "same" (the smaller half), 0 for "valid". */
    public static int padBefore(String padding, int in, int kernel, int stride, int dilation) {
        if (padding.equals("causal")) return (kernel - 1) * dilation;
        if (!padding.equals("same")) return 0;
        int out = (in + stride - 1) / stride;
        int extent = (kernel - 1) * dilation + 1;
        return Math.max((out - 1) * stride + extent - in, 0) / 2;
    }

    public static int outLength(String padding, int in, int kernel, int stride, int dilation) {
        if (!padding.equals("valid")) return (in + stride - 1) / stride;
        int extent = (kernel - 1) * dilation + 1;
        return in >= extent ? (in - extent) / stride + 1 : 0;
    }

    /** x [n, h, w, c], kernel [kh, kw, c / groups, f], bias [f] or null: y [n, oh, ow, f]. */
    public static double[] conv2d(double[] x, int n, int h, int w, int c, double[] k, int kh, int kw, int f, double[] bias,
                                  int sh, int sw, int dh, int dw, String padding, int groups) {
        int oh = outLength(padding, h, kh, sh, dh), ow = outLength(padding, w, kw, sw, dw);
        int pt = padBefore(padding, h, kh, sh, dh), pl = padBefore(padding, w, kw, sw, dw);
        int cg = c / groups, fg = f / groups;
        double[] y = new double[n * oh * ow * f];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                    for (int o = 0; o < f; o++) {
                        int g = o / fg;
                        double s = bias == null ? 0 : bias[o];
                        for (int p = 0; p < kh; p++)
                            for (int q = 0; q < kw; q++) {
                                int hi = i * sh - pt + p * dh, wj = j * sw - pl + q * dw;
                                if (hi < 0 || hi >= h || wj < 0 || wj >= w) continue;
                                for (int ci = 0; ci < cg; ci++) {
                                    s += x[((b * h + hi) * w + wj) * c + g * cg + ci] * k[((p * kw + q) * cg + ci) * f + o];
                                }
                            }
                        y[((b * oh + i) * ow + j) * f + o] = s;
                    }
        return y;
    }

    /** Max or average pooling of x [n, h, w, c] over windows inside x (padding skipped). */
    public static double[] pool2d(double[] x, int n, int h, int w, int c, int ph, int pw, int sh, int sw, String padding, boolean max) {
        int oh = outLength(padding, h, ph, sh, 1), ow = outLength(padding, w, pw, sw, 1);
        int pt = padBefore(padding, h, ph, sh, 1), pl = padBefore(padding, w, pw, sw, 1);
        double[] y = new double[n * oh * ow * c];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                    for (int ch = 0; ch < c; ch++) {
                        double best = Double.NEGATIVE_INFINITY, sum = 0;
                        int count = 0;
                        for (int p = 0; p < ph; p++)
                            for (int q = 0; q < pw; q++) {
                                int hi = i * sh - pt + p, wj = j * sw - pl + q;
                                if (hi < 0 || hi >= h || wj < 0 || wj >= w) continue;
                                double v = x[((b * h + hi) * w + wj) * c + ch];
                                best = Math.max(best, v);
                                sum += v;
                                count++;
                            }
                        y[((b * oh + i) * ow + j) * c + ch] = max ? best : sum / count;
                    }
        return y;
    }

    private static double sigmoid(double v) { return 1 / (1 + Math.exp(-v)); }

    /**
     * Keras LSTM over x [b, t, d] (gates i, f, c, o): returns {every h [b, t, u], last c [b, u]}.
     * kernel [d, 4u], recurrent [u, 4u], bias [4u].
     */
    public static double[][] lstm(double[] x, int b, int t, int d, double[] kernel, double[] recurrent, double[] bias, int u) {
        double[] hs = new double[b * t * u], c = new double[b * u], h = new double[b * u];
        for (int s = 0; s < t; s++) {
            double[] hn = new double[b * u], cn = new double[b * u];
            for (int r = 0; r < b; r++) {
                for (int j = 0; j < u; j++) {
                    double[] z = new double[4];
                    for (int g = 0; g < 4; g++) {
                        double v = bias[g * u + j];
                        for (int k = 0; k < d; k++) v += x[(r * t + s) * d + k] * kernel[k * 4 * u + g * u + j];
                        for (int k = 0; k < u; k++) v += h[r * u + k] * recurrent[k * 4 * u + g * u + j];
                        z[g] = v;
                    }
                    double i = sigmoid(z[0]), f = sigmoid(z[1]), g = Math.tanh(z[2]), o = sigmoid(z[3]);
                    cn[r * u + j] = f * c[r * u + j] + i * g;
                    hn[r * u + j] = o * Math.tanh(cn[r * u + j]);
                }
            }
            h = hn;
            c = cn;
            for (int r = 0; r < b; r++) System.arraycopy(h, r * u, hs, (r * t + s) * u, u);
        }
        return new double[][] {hs, c};
    }

    /** Keras GRU, reset_after=True (gates z, r, h), over x [b, t, d]: every h [b, t, u]. bias [2, 3u]. */
    public static double[] gru(double[] x, int b, int t, int d, double[] kernel, double[] recurrent, double[] bias, int u) {
        double[] hs = new double[b * t * u], h = new double[b * u];
        for (int s = 0; s < t; s++) {
            double[] hn = new double[b * u];
            for (int r = 0; r < b; r++) {
                for (int j = 0; j < u; j++) {
                    double[] xp = new double[3], hp = new double[3];
                    for (int g = 0; g < 3; g++) {
                        xp[g] = bias[g * u + j];
                        hp[g] = bias[3 * u + g * u + j];
                        for (int k = 0; k < d; k++) xp[g] += x[(r * t + s) * d + k] * kernel[k * 3 * u + g * u + j];
                        for (int k = 0; k < u; k++) hp[g] += h[r * u + k] * recurrent[k * 3 * u + g * u + j];
                    }
                    double z = sigmoid(xp[0] + hp[0]), rr = sigmoid(xp[1] + hp[1]), nn = Math.tanh(xp[2] + rr * hp[2]);
                    hn[r * u + j] = z * h[r * u + j] + (1 - z) * nn;
                }
            }
            h = hn;
            for (int r = 0; r < b; r++) System.arraycopy(h, r * u, hs, (r * t + s) * u, u);
        }
        return hs;
    }

    /**
     * Keras MultiHeadAttention on query [b, tq, dq] and key = value [b, tv, dv] with weights wq
     * [dq, heads, kd], bq [heads, kd], wk, bk, wv [dv, heads, vd], bv, wo [heads, vd, dout], bo;
     * mask [b, tq, tv] (nonzero = attend) or null; causal adds j <= i.
     */
    public static double[] attention(double[] q, double[] v, int b, int tq, int tv, int dq, int dv, int heads, int kd, int vd, int dout,
                                     double[] wq, double[] bq, double[] wk, double[] bk, double[] wv, double[] bv, double[] wo, double[] bo,
                                     double[] mask, boolean causal) {
        double[] out = new double[b * tq * dout];
        for (int r = 0; r < b; r++) {
            double[][][] qh = project(q, r, tq, dq, heads, kd, wq, bq), kh = project(v, r, tv, dv, heads, kd, wk, bk), vh = project(v, r, tv, dv, heads, vd, wv, bv);
            double[][][] ctx = new double[tq][heads][vd];
            for (int hd = 0; hd < heads; hd++) {
                for (int i = 0; i < tq; i++) {
                    double[] s = new double[tv];
                    double m = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < tv; j++) {
                        double dot = 0;
                        for (int k = 0; k < kd; k++) dot += qh[i][hd][k] / Math.sqrt(kd) * kh[j][hd][k];
                        boolean attend = (mask == null || mask[(r * tq + i) * tv + j] != 0) && (!causal || j <= i);
                        s[j] = dot + (attend ? 0 : -1e9);
                        m = Math.max(m, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < tv; j++) sum += Math.exp(s[j] - m);
                    for (int j = 0; j < tv; j++) {
                        double p = Math.exp(s[j] - m) / sum;
                        for (int k = 0; k < vd; k++) ctx[i][hd][k] += p * vh[j][hd][k];
                    }
                }
            }
            for (int i = 0; i < tq; i++)
                for (int o = 0; o < dout; o++) {
                    double acc = bo == null ? 0 : bo[o];
                    for (int hd = 0; hd < heads; hd++) for (int k = 0; k < vd; k++) acc += ctx[i][hd][k] * wo[(hd * vd + k) * dout + o];
                    out[(r * tq + i) * dout + o] = acc;
                }
        }
        return out;
    }

    private static double[][][] project(double[] x, int r, int t, int d, int heads, int dim, double[] w, double[] bias) {
        double[][][] p = new double[t][heads][dim];
        for (int i = 0; i < t; i++)
            for (int hd = 0; hd < heads; hd++)
                for (int k = 0; k < dim; k++) {
                    double s = bias == null ? 0 : bias[hd * dim + k];
                    for (int e = 0; e < d; e++) s += x[(r * t + i) * d + e] * w[(e * heads + hd) * dim + k];
                    p[i][hd][k] = s;
                }
        return p;
    }
}
