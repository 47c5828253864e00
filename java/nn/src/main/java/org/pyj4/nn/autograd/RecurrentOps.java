package org.pyj4.nn.autograd;

import org.pyj4.backend.Backend;
import org.pyj4.backend.BinaryOp;
import org.pyj4.backend.RnnCell;
import org.pyj4.backend.Tensor;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.DTypeException;
import org.pyj4.ndarray.Index;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.ShapeException;

/**
 * Keras LSTM and GRU (reset_after=True) over a whole sequence, as one autograd node with three (LSTM)
 * or two (GRU) outputs: the sequence or last state, and the final states.
 *
 * <p>The work is arranged for few, large calls: the input projections of every step are one matrix
 * product; each step is then one product h_prev @ recurrent_kernel and one fused cell
 * ({@link Backend#rnnCell}); everything lives in time-major buffers [T, B, ...] allocated once per
 * sequence, whose per-step slices are plain {@link Tensor} views (no per-step arrays). Backward
 * walks the steps in reverse with one cell and one product each, then forms the kernels' and
 * biases' gradients with one product or sum over all steps.
 */
public final class RecurrentOps {
    private RecurrentOps() {}

    /**
     * LSTM over x [B, T, D]; kernel [D, 4H], recurrentKernel [H, 4H], bias [4H] or null. Returns
     * {output, h_T, c_T}: output is the sequence of h [B, T, H] or h_T [B, H].
     */
    public static Variable[] lstm(Variable x, Variable kernel, Variable recurrent, Variable bias, boolean returnSequences) {
        Dims s = Dims.of("LSTM", x, kernel, recurrent, 4);
        Backend be = x.value.backend();
        DType dt = x.dtype();
        long b = s.batch, t = s.steps, h = s.units, d = x.value.shape()[2];
        // With a bias, one buffer xh [T + 1, B, D + 1 + H] holds step i's row [x_i, 1, h_{i-1}]: the
        // cell writes h_i straight into step i + 1's last columns, and backward forms the kernel's,
        // the bias's and the recurrent kernel's gradients with one product xh^T @ dz (rows 0..T-1).
        NDArray xh = bias == null ? null : NDArray.uninitialized(dt, new long[] {t + 1, b, d + 1 + h}, be);
        NDArray xt = timeMajor(x.value, xh, be);
        NDArray xp = inputProjections(xt, kernel.value, bias == null ? null : bias.value, be);
        // Every step writes its slice of gates, cs and hs, and the product fills hproj before the cell
        // reads it: none of them needs the zero-fill (a few MiB per sequence).
        NDArray gates = NDArray.uninitialized(dt, new long[] {t, b, 4 * h}, be);
        NDArray cs = NDArray.uninitialized(dt, new long[] {t, b, h}, be);
        NDArray hs = xh == null ? NDArray.uninitialized(dt, new long[] {t, b, h}, be) : xh.slice(0, 1L, t + 1, 1L).slice(2, d + 1, d + 1 + h, 1L);
        if (xh != null) {  // h_{-1} = 0 in step 0's row
            be.copy(NDArray.scalarOf(0.0, dt).broadcastTo(b, h).tensor(), step(xh.slice(2, d + 1, d + 1 + h, 1L), 0));
        }
        be.lstmSequence(xp.tensor(), recurrent.value.tensor(), gates.tensor(), cs.tensor(), hs.tensor());
        NDArray last = hs.get(Index.at(t - 1));
        NDArray output = returnSequences ? hs.transpose(1, 0, 2) : last;
        NDArray[] values = {output, last, cs.get(Index.at(t - 1))};
        return Variable.results(values, (gs, grads) -> {
            // dh: the gradient reaching each h_i from outside (the output sequence's, or only the last
            // step's, plus the returned state's); dcLast: the one reaching c_T.
            boolean sequence = returnSequences && gs[0] != null;
            NDArray dh = sequence ? NDArray.uninitialized(dt, new long[] {t, b, h}, be) : NDArray.empty(dt, new long[] {t, b, h}, be);
            NDArray dhLast = dh.get(Index.at(t - 1));
            if (sequence) be.copy(gs[0].transpose(1, 0, 2).tensor(), dh.tensor());
            else if (gs[0] != null) be.copy(gs[0].tensor(), dhLast.tensor());
            if (gs[1] != null) be.binary(BinaryOp.ADD, dhLast.tensor(), gs[1].tensor(), dhLast.tensor());
            NDArray dcLast = gs[2] != null ? NDArray.uninitialized(dt, new long[] {b, h}, be) : NDArray.empty(dt, new long[] {b, h}, be);
            if (gs[2] != null) be.copy(gs[2].tensor(), dcLast.tensor());  // any layout in, rows contiguous for the fused path
            NDArray dz = NDArray.uninitialized(dt, new long[] {t, b, 4 * h}, be);
            be.lstmSequenceGrad(gates.tensor(), cs.tensor(), recurrent.value.tensor(), dh.tensor(), dcLast.tensor(), dz.tensor());
            if (xh != null) {
                lstmWeightGradients(grads, xh, kernel, recurrent, bias, dz, t, b, h, be);
                inputGradient(grads, x, kernel, dz.reshape(t * b, 4 * h), t, b, be);
                return;
            }
            NDArray db = parameterGradients(grads, x, xt, kernel, recurrent, hs, dz, t, b, h, 4, be);
            if (bias != null && grads.wants(bias)) grads.add(bias, db != null ? db : dz.reshape(t * b, 4 * h).sum(new int[] {0}, false));
        }, x, kernel, recurrent, bias);
    }

    /**
     * GRU (reset_after=True) over x [B, T, D]; kernel [D, 3H], recurrentKernel [H, 3H], bias [2, 3H]
     * (input bias, recurrent bias) or null. Returns {output, h_T}.
     */
    public static Variable[] gru(Variable x, Variable kernel, Variable recurrent, Variable bias, boolean returnSequences) {
        Dims s = Dims.of("GRU", x, kernel, recurrent, 3);
        Backend be = x.value.backend();
        DType dt = x.dtype();
        long b = s.batch, t = s.steps, h = s.units;
        NDArray xt = timeMajor(x.value, bias == null ? null : NDArray.uninitialized(dt, new long[] {t, b, x.value.shape()[2] + 1}, be), be);
        NDArray xp = inputProjections(xt, kernel.value, bias == null ? null : bias.value.get(Index.at(0)), be);
        NDArray rbias = bias == null ? NDArray.empty(dt, new long[] {3 * h}, be) : bias.value.get(Index.at(1));
        Tensor rb = rbias.broadcastTo(b, 3 * h).tensor();
        NDArray gates = NDArray.uninitialized(dt, new long[] {t, b, 3 * h}, be);
        NDArray hprojs = NDArray.empty(dt, new long[] {t, b, 3 * h}, be);  // step 0's stays zero: h_0 @ U with h_0 = 0
        NDArray hs = NDArray.uninitialized(dt, new long[] {t, b, h}, be);
        NDArray zeros = NDArray.empty(dt, new long[] {b, h}, be);
        Tensor u = recurrent.value.tensor();
        for (long i = 0; i < t; i++) {
            if (i > 0) be.matmul(step(hs, i - 1), u, step(hprojs, i));
            be.rnnCell(RnnCell.GRU_FORWARD, new Tensor[] {step(xp, i), step(hprojs, i), rb, i == 0 ? zeros.tensor() : step(hs, i - 1),
                step(gates, i), step(hs, i)});
        }
        NDArray last = hs.get(Index.at(t - 1));
        NDArray output = returnSequences ? hs.transpose(1, 0, 2) : last;
        return Variable.results(new NDArray[] {output, last}, (gs, grads) -> {
            // Every step's cell writes its slices of dxp and dhp and carry[1] before they are read;
            // dhRec and carry[0] are read as zero by the last step.
            NDArray dxp = NDArray.uninitialized(dt, new long[] {t, b, 3 * h}, be);
            NDArray dhp = NDArray.uninitialized(dt, new long[] {t, b, 3 * h}, be);
            NDArray dhRec = NDArray.empty(dt, new long[] {b, h}, be);
            NDArray[] carry = {NDArray.empty(dt, new long[] {b, h}, be), NDArray.uninitialized(dt, new long[] {b, h}, be)};
            NDArray lastDh = lastStepGradient(gs[0], gs[1], returnSequences, b, h, dt, be);
            Tensor ut = recurrent.value.transpose().tensor();
            for (long i = t - 1; i >= 0; i--) {
                Tensor dhOut = i == t - 1 ? lastDh.tensor() : returnSequences && gs[0] != null ? sequenceStep(gs[0], i) : zeros.tensor();
                int in = (int) ((t - 1 - i) % 2);
                be.rnnCell(RnnCell.GRU_BACKWARD, new Tensor[] {step(gates, i), step(hprojs, i), rb, i == 0 ? zeros.tensor() : step(hs, i - 1),
                    dhOut, dhRec.tensor(), carry[in].tensor(), step(dxp, i), step(dhp, i), carry[1 - in].tensor()});
                if (i > 0) be.matmul(step(dhp, i), ut, dhRec.tensor());
            }
            NDArray db = parameterGradients(grads, x, xt, kernel, recurrent, hs, dxp, t, b, h, 3, be);
            // The recurrent kernel's gradient comes from dhproj (the products h_prev @ U), not from dxproj.
            recurrentGradient(grads, recurrent, hs, dhp, t, b, h, 3, be);
            if (bias != null && grads.wants(bias)) {
                NDArray di = db != null ? db : dxp.reshape(t * b, 3 * h).sum(new int[] {0}, false);
                NDArray dr = dhp.reshape(t * b, 3 * h).sum(new int[] {0}, false);
                grads.add(bias, NDArray.stack(new NDArray[] {di, dr}, 0));
            }
        }, x, kernel, recurrent, bias);
    }

    /** Batch, steps, units; checks the operands. */
    private record Dims(long batch, long steps, long units) {
        static Dims of(String op, Variable x, Variable kernel, Variable recurrent, int gates) {
            long[] xs = x.value.shape(), ks = kernel.value.shape(), rs = recurrent.value.shape();
            if (xs.length != 3 || ks.length != 2 || rs.length != 2 || ks[0] != xs[2] || rs[1] != gates * rs[0] || ks[1] != rs[1]) {
                throw new ShapeException(op + ": expected x [batch, timesteps, features], kernel [features, " + gates + " * units] and recurrent_kernel [units, "
                        + gates + " * units]. Received: x=" + x.value.describe() + ", kernel=" + kernel.value.describe() + ", recurrent_kernel="
                        + recurrent.value.describe());
            }
            if (xs[1] == 0) throw new ShapeException(op + ": expected at least one timestep. Received: x=" + x.value.describe());
            if (x.dtype() != kernel.dtype() || x.dtype() != recurrent.dtype()) {
                throw new DTypeException(op + ": expected inputs of the kernels' dtype. Received: x=" + x.value.describe() + ", kernel=" + kernel.value.describe());
            }
            return new Dims(xs[0], xs[1], rs[0]);
        }
    }

    /**
     * x [B, T, D] copied to time-major [T, B, D], so that every step's rows are one contiguous block.
     * Into a buffer (into, [T or more, B, D + 1 or more], steps and columns past that left alone), with a
     * last column of ones ([T, B, D + 1]): the input projection's product then adds the bias (the
     * kernel's last row, see inputProjections), and the kernel's gradient product yields the bias's
     * gradient as its last row, with no separate passes over [T, B, G*H] for either.
     */
    private static NDArray timeMajor(NDArray x, NDArray into, Backend be) {
        long[] s = x.shape();
        long d = s[2];
        boolean ones = into != null;
        NDArray xt = ones ? into.slice(0, 0L, s[1], 1L).slice(2, 0L, d + 1, 1L) : NDArray.uninitialized(x.dtype(), new long[] {s[1], s[0], d}, be);
        be.copy(x.transpose(1, 0, 2).tensor(), (ones ? xt.slice(2, 0L, d, 1L) : xt).tensor());
        if (ones) be.copy(NDArray.scalarOf(1.0, x.dtype()).broadcastTo(s[1], s[0], 1).tensor(), xt.slice(2, d, d + 1, 1L).tensor());
        return xt;
    }

    /** xt [T, B, D] @ kernel [D, G] for every step at once, or xt [T, B, D + 1] @ [kernel; bias [G]]: [T, B, G]. */
    private static NDArray inputProjections(NDArray xt, NDArray kernel, NDArray bias, Backend be) {
        long[] s = xt.shape();
        long d = kernel.shape()[0], g = kernel.shape()[1];
        NDArray xp = NDArray.uninitialized(xt.dtype(), new long[] {s[0], s[1], g}, be);  // the product fills it
        NDArray k = kernel;
        if (bias != null) {
            k = NDArray.uninitialized(kernel.dtype(), new long[] {d + 1, g}, be);
            be.copy(kernel.tensor(), k.slice(0, 0L, d, 1L).tensor());
            be.copy(bias.broadcastTo(1, g).tensor(), k.slice(0, d, d + 1, 1L).tensor());
        }
        be.matmul(rows(xt), k.tensor(), xp.reshape(s[0] * s[1], g).tensor());
        return xp;
    }

    /** Step i of a contiguous time-major [T, B, W] array as a [B, W] view. */
    private static Tensor step(NDArray a, long i) {
        Tensor t = a.tensor();
        long[] s = t.shape();
        long[] st = t.strides();
        return new Tensor(t.buffer(), t.dtype(), new long[] {s[1], s[2]}, new long[] {st[1], st[2]}, t.offset() + i * st[0]);
    }

    /** [T, B, W] with contiguous rows and B * rowStride steps (a contiguous array or a column slice of one) as [T * B, W] rows. */
    private static Tensor rows(NDArray a) {
        Tensor t = a.tensor();
        long[] s = t.shape();
        long[] st = t.strides();
        if (st[2] != 1 && s[2] > 1 || st[0] != s[1] * st[1]) return a.reshape(s[0] * s[1], s[2]).tensor();
        return new Tensor(t.buffer(), t.dtype(), new long[] {s[0] * s[1], s[2]}, new long[] {st[1], st[2]}, t.offset());
    }

    /** A [R, C] tensor's transposed view [C, R]. */
    private static Tensor flip(Tensor t) {
        return new Tensor(t.buffer(), t.dtype(), new long[] {t.shape()[1], t.shape()[0]}, new long[] {t.strides()[1], t.strides()[0]}, t.offset());
    }

    /**
     * The LSTM's weight gradients from xh ([T + 1, B, D + 1 + H], step i's row [x_i, 1, h_{i-1}],
     * h_{-1} = 0): one product xh[0..T)^T @ dz gives [D + 1 + H, 4H], the kernel's gradient in rows
     * 0..D, the bias's in row D, the recurrent kernel's in the last H rows.
     */
    private static void lstmWeightGradients(Grads grads, NDArray xh, Variable kernel, Variable recurrent, Variable bias, NDArray dz,
                                            long t, long b, long h, Backend be) {
        if (!grads.wants(kernel) && !grads.wants(recurrent) && !grads.wants(bias)) return;
        long d = kernel.value.shape()[0], w = d + 1 + h;
        NDArray all = NDArray.uninitialized(dz.dtype(), new long[] {w, 4 * h}, be);
        be.matmul(flip(rows(xh.slice(0, 0L, t, 1L))), dz.reshape(t * b, 4 * h).tensor(), all.tensor());
        give(grads, kernel, all.slice(0, 0L, d, 1L), be);
        give(grads, bias, all.get(Index.at(d)), be);
        give(grads, recurrent, all.slice(0, d + 1, w, 1L), be);
    }

    /** Hands g to v's gradient: copied into its claimed buffer when it has one, else added. */
    private static void give(Grads grads, Variable v, NDArray g, Backend be) {
        if (!grads.wants(v)) return;
        NDArray into = grads.destination(v);
        if (into == null) grads.add(v, g);
        else be.copy(g.tensor(), into.tensor());
    }

    /** d x = dPre @ kernel^T, back to batch-major [B, T, D]. */
    private static void inputGradient(Grads grads, Variable x, Variable kernel, NDArray dPre2, long t, long b, Backend be) {
        if (!grads.wants(x)) return;
        long d = kernel.value.shape()[0];
        NDArray dxt = NDArray.uninitialized(x.dtype(), new long[] {t * b, d}, be);
        be.matmul(dPre2.tensor(), kernel.value.transpose().tensor(), dxt.tensor());
        grads.add(x, dxt.reshape(t, b, d).transpose(1, 0, 2));
    }

    /** Step i of a batch-major [B, T, H] gradient (any strides) as a [B, H] view. */
    private static Tensor sequenceStep(NDArray g, long i) {
        Tensor t = g.tensor();
        long[] s = t.shape();
        long[] st = t.strides();
        return new Tensor(t.buffer(), t.dtype(), new long[] {s[0], s[2]}, new long[] {st[0], st[2]}, t.offset() + i * st[1]);
    }

    /** The gradient reaching h_T from outside: the last step of the output's, plus the returned state's. */
    private static NDArray lastStepGradient(NDArray gOutput, NDArray gState, boolean returnSequences, long b, long h, DType dt, Backend be) {
        NDArray sum = gOutput != null ? NDArray.uninitialized(dt, new long[] {b, h}, be) : NDArray.empty(dt, new long[] {b, h}, be);
        if (gOutput != null) {
            NDArray lastOut = returnSequences ? gOutput.get(Index.all(), Index.at(gOutput.shape()[1] - 1)) : gOutput;
            be.copy(lastOut.tensor(), sum.tensor());
        }
        if (gState != null) be.binary(BinaryOp.ADD, sum.tensor(), gState.tensor(), sum.tensor());
        return sum;
    }

    /**
     * After the reverse walk: d kernel = X^T @ dPre, d x = dPre @ kernel^T (dPre the gradient of the
     * input projections, [T, B, G*H]), and d recurrent_kernel = H_prev^T @ dPre for the LSTM (whose
     * recurrent product feeds the same pre-activations). When xt carries the ones column (a bias),
     * the kernel's product has one more row, the input bias's gradient, which is returned; null when
     * it was not computed (the caller then sums dPre).
     */
    private static NDArray parameterGradients(Grads grads, Variable x, NDArray xt, Variable kernel, Variable recurrent, NDArray hs, NDArray dPre,
                                              long t, long b, long h, int gates, Backend be) {
        long d = kernel.value.shape()[0], cols = xt.shape()[2], width = gates * h;
        NDArray dPre2 = dPre.reshape(t * b, width);
        NDArray biasGrad = null;
        if (grads.wants(kernel)) {
            NDArray into = grads.destination(kernel);
            NDArray dk = into != null && cols == d ? into : NDArray.uninitialized(kernel.dtype(), new long[] {cols, width}, be);
            be.matmul(flip(rows(xt)), dPre2.tensor(), dk.tensor());
            NDArray dKernel = cols == d ? dk : dk.slice(0, 0L, d, 1L);
            if (into == null) grads.add(kernel, dKernel);
            else if (dKernel != into) be.copy(dKernel.tensor(), into.tensor());
            if (cols > d) biasGrad = dk.get(Index.at(d));
        }
        if (gates == 4) recurrentGradient(grads, recurrent, hs, dPre, t, b, h, gates, be);
        inputGradient(grads, x, kernel, dPre2, t, b, be);
        return biasGrad;
    }

    /** d recurrent_kernel = sum over steps i >= 1 of h_{i-1}^T @ dRec_i: one product over the shifted sequences. */
    private static void recurrentGradient(Grads grads, Variable recurrent, NDArray hs, NDArray dRec, long t, long b, long h, int gates, Backend be) {
        if (!grads.wants(recurrent)) return;
        long width = gates * h;
        NDArray into = grads.destination(recurrent);
        NDArray du = into != null ? into : t > 1 ? NDArray.uninitialized(recurrent.dtype(), new long[] {h, width}, be)
                : NDArray.empty(recurrent.dtype(), new long[] {h, width}, be);
        if (t > 1) {
            NDArray hPrev = hs.slice(0, 0L, t - 1, 1L).reshape((t - 1) * b, h);
            NDArray dNext = dRec.slice(0, 1L, t, 1L).reshape((t - 1) * b, width);
            be.matmul(hPrev.transpose().tensor(), dNext.tensor(), du.tensor());
        } else if (into != null) {
            be.copy(NDArray.scalarOf(0.0, recurrent.dtype()).broadcastTo(h, width).tensor(), du.tensor());
        }
        if (into == null) grads.add(recurrent, du);
    }
}
