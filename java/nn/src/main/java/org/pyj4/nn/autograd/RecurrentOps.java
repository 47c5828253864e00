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
        long b = s.batch, t = s.steps, h = s.units;
        NDArray xt = timeMajor(x.value, bias != null, be);
        NDArray xp = inputProjections(xt, kernel.value, bias == null ? null : bias.value, be);
        // Every step writes its slice of gates, cs and hs, and the product fills hproj before the cell
        // reads it: none of them needs the zero-fill (a few MiB per sequence).
        NDArray gates = NDArray.uninitialized(dt, new long[] {t, b, 4 * h}, be);
        NDArray cs = NDArray.uninitialized(dt, new long[] {t, b, h}, be);
        NDArray hs = NDArray.uninitialized(dt, new long[] {t, b, h}, be);
        NDArray hproj = NDArray.uninitialized(dt, new long[] {b, 4 * h}, be);
        NDArray zeros = NDArray.empty(dt, new long[] {b, 4 * h}, be);  // zero-filled: h_0, c_0 and the first h_0 @ U
        Tensor zeroH = step(zeros.slice(1, 0L, h, 1L), -1);
        Tensor u = recurrent.value.tensor();
        for (long i = 0; i < t; i++) {
            Tensor hp = zeros.tensor();
            if (i > 0) {
                be.matmul(step(hs, i - 1), u, hproj.tensor());
                hp = hproj.tensor();
            }
            be.rnnCell(RnnCell.LSTM_FORWARD, new Tensor[] {step(xp, i), hp, i == 0 ? zeroH : step(cs, i - 1), step(gates, i), step(cs, i), step(hs, i)});
        }
        NDArray last = hs.get(Index.at(t - 1));
        NDArray output = returnSequences ? hs.transpose(1, 0, 2) : last;
        NDArray[] values = {output, last, cs.get(Index.at(t - 1))};
        return Variable.results(values, (gs, grads) -> {
            // dz's steps and dc[1] are written before read; dhRec (read as zero by the last step) and
            // dc[0] without an incoming state gradient must start at zero.
            NDArray dz = NDArray.uninitialized(dt, new long[] {t, b, 4 * h}, be);
            NDArray dhRec = NDArray.empty(dt, new long[] {b, h}, be);
            NDArray[] dc = {gs[2] != null ? NDArray.uninitialized(dt, new long[] {b, h}, be) : NDArray.empty(dt, new long[] {b, h}, be),
                NDArray.uninitialized(dt, new long[] {b, h}, be)};
            if (gs[2] != null) be.copy(gs[2].tensor(), dc[0].tensor());
            NDArray lastDh = lastStepGradient(gs[0], gs[1], returnSequences, b, h, dt, be);
            Tensor ut = recurrent.value.transpose().tensor();
            for (long i = t - 1; i >= 0; i--) {
                Tensor dhOut = i == t - 1 ? lastDh.tensor() : returnSequences && gs[0] != null ? sequenceStep(gs[0], i) : zeroH;
                int in = (int) ((t - 1 - i) % 2);
                be.rnnCell(RnnCell.LSTM_BACKWARD, new Tensor[] {step(gates, i), i == 0 ? zeroH : step(cs, i - 1), step(cs, i), dhOut,
                    dhRec.tensor(), dc[in].tensor(), step(dz, i), dc[1 - in].tensor()});
                if (i > 0) be.matmul(step(dz, i), ut, dhRec.tensor());
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
        NDArray xt = timeMajor(x.value, bias != null, be);
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
     * With ones, a last column of ones ([T, B, D + 1]): the input projection's product then adds the
     * bias (the kernel's last row, see inputProjections), and the kernel's gradient product yields
     * the bias's gradient as its last row, with no separate passes over [T, B, G*H] for either.
     */
    private static NDArray timeMajor(NDArray x, boolean ones, Backend be) {
        long[] s = x.shape();
        long d = s[2];
        NDArray xt = NDArray.uninitialized(x.dtype(), new long[] {s[1], s[0], ones ? d + 1 : d}, be);  // both copies fill it
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
        be.matmul(xt.reshape(s[0] * s[1], s[2]).tensor(), k.tensor(), xp.reshape(s[0] * s[1], g).tensor());
        return xp;
    }

    /** Step i of a contiguous time-major [T, B, W] array as a [B, W] view; i = -1 reads a [B, W] array itself. */
    private static Tensor step(NDArray a, long i) {
        Tensor t = a.tensor();
        if (i < 0) return t;
        long[] s = t.shape();
        long[] st = t.strides();
        return new Tensor(t.buffer(), t.dtype(), new long[] {s[1], s[2]}, new long[] {st[1], st[2]}, t.offset() + i * st[0]);
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
            be.matmul(xt.reshape(t * b, cols).transpose().tensor(), dPre2.tensor(), dk.tensor());
            NDArray dKernel = cols == d ? dk : dk.slice(0, 0L, d, 1L);
            if (into == null) grads.add(kernel, dKernel);
            else if (dKernel != into) be.copy(dKernel.tensor(), into.tensor());
            if (cols > d) biasGrad = dk.get(Index.at(d));
        }
        if (gates == 4) recurrentGradient(grads, recurrent, hs, dPre, t, b, h, gates, be);
        if (grads.wants(x)) {
            NDArray dxt = NDArray.uninitialized(x.dtype(), new long[] {t * b, d}, be);
            be.matmul(dPre2.tensor(), kernel.value.transpose().tensor(), dxt.tensor());
            grads.add(x, dxt.reshape(t, b, d).transpose(1, 0, 2));
        }
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
