package org.pyj4.nn.autograd;

import org.pyj4.backend.Backend;
import org.pyj4.backend.BinaryOp;
import org.pyj4.backend.ReduceOp;
import org.pyj4.backend.Window;
import org.pyj4.ndarray.DTypeException;
import org.pyj4.ndarray.Index;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.ShapeException;

/**
 * Convolution as im2col + one matrix product (OpenBLAS on the CPU backend), the layout Keras uses:
 * channels_last input [N, H, W, C], kernel [KH, KW, C / groups, F]. The unfolded windows
 * ({@link Backend#im2col}) are [N, OH, OW, KH, KW, C/groups] per group, so a group's rows times the
 * kernel reshaped [KH * KW * C/groups, F] is its output. The bias and an activation whose
 * derivative needs only the output are applied in place, as for dense layers. Backward: the
 * kernel's gradient is cols^T @ dY, the input's is col2im(dY @ kernel^T).
 */
public final class ConvOps {
    private ConvOps() {}

    /**
     * activation(conv(x, kernel) + bias) over channels_last x [N, H, W, C] (any strides: a
     * channels_first input arrives as a transposed view); output [N, outH, outW, F].
     *
     * @param bias null for use_bias=false
     */
    public static Variable conv2d(Variable x, Variable kernel, Variable bias, Window window, int groups, long outH, long outW,
                                  MatrixOps.OutputActivation activation) {
        long[] xs = x.value.shape(), ks = kernel.value.shape();
        if (xs.length != 4 || ks.length != 4 || ks[0] != window.kernelH() || ks[1] != window.kernelW() || ks[2] * groups != xs[3]
                || ks[3] % groups != 0) {
            throw new ShapeException("Conv: expected x [N, H, W, C] and kernel [KH, KW, C / groups, F] with groups=" + groups
                    + ". Received: x=" + x.value.describe() + ", kernel=" + kernel.value.describe());
        }
        if (x.dtype() != kernel.dtype()) {
            throw new DTypeException("Conv: expected an input of the kernel's dtype. Received: x=" + x.value.describe() + ", kernel=" + kernel.value.describe());
        }
        Backend be = x.value.backend();
        long n = xs[0], cg = ks[2], f = ks[3], fg = f / groups;
        long rows = n * outH * outW, k = ks[0] * ks[1] * cg;
        // One block of unfolded windows per group. Windows with a few values per row (KW * C/G small,
        // such as a first layer on 1-channel images) are stored transposed, [G, KH, KW, C/G, N, OH, OW],
        // so that im2col copies long runs along OW; the matrix product reads either layout in place.
        // With one group, a bias rides along as one more column of ones (cols) and one more row
        // (the kernel matrix): the product adds it, and the kernel's gradient product yields its
        // gradient, instead of a broadcast add and a column sum over every output.
        boolean byColumns = ks[1] * cg <= 8 && outW > 1;
        if (groups == 1 && ks[1] * cg <= 8 && (bias == null || bias.dtype() == x.dtype())) return direct(x, kernel, bias, window, outH, outW, activation, byColumns);
        boolean biasInProduct = bias != null && groups == 1;
        Layout layout = new Layout(byColumns, groups, n, outH, outW, ks[0], ks[1], cg, biasInProduct ? 1 : 0);
        NDArray cols = layout.allocate(x.dtype(), be);
        for (int g = 0; g < groups; g++) {
            be.im2col(channels(x.value, g, cg).tensor(), window, layout.windows(cols, g).tensor());
        }
        NDArray y2 = NDArray.uninitialized(x.dtype(), new long[] {rows, f}, be);  // the product writes it all
        NDArray colsMatrix = layout.matrix(cols);  // [G, rows, K (+ 1)]
        NDArray kernelMatrix = kernel.value.reshape(k, f);
        NDArray productKernel = kernelMatrix;
        if (biasInProduct) {
            be.copy(NDArray.scalarOf(1.0, x.dtype()).broadcastTo(rows).tensor(), layout.ones(cols).tensor());
            productKernel = NDArray.concatenate(new NDArray[] {kernelMatrix, bias.value.reshape(1, f)}, 0);
        }
        long kp = productKernel.shape()[0];
        be.matmul(colsMatrix.tensor(), groupColumns(productKernel, groups, kp, fg).tensor(), groupColumns(y2, groups, rows, fg).tensor());
        if (bias != null && !biasInProduct) be.binary(BinaryOp.ADD, y2.tensor(), bias.value.broadcastTo(rows, f).tensor(), y2.tensor());
        if (activation.op != null) be.unary(activation.op, y2.tensor(), y2.tensor());
        NDArray y = y2.reshape(n, outH, outW, f);
        return Variable.result(y, (gOut, grads) -> {
            NDArray dz = activation.backward(gOut.reshape(rows, f), y2);
            NDArray dzGroups = groupColumns(dz, groups, rows, fg);
            boolean wantBias = bias != null && grads.wants(bias);
            if (biasInProduct && (grads.wants(kernel) || wantBias)) {
                // [K + 1, F]: the kernel's gradient, then the bias' as its last row.
                NDArray both = NDArray.uninitialized(kernel.dtype(), new long[] {kp, f}, be);
                be.matmul(colsMatrix.get(Index.at(0)).transpose().tensor(), dz.tensor(), both.tensor());
                if (grads.wants(kernel)) grads.add(kernel, both.slice(0, 0L, k, 1L).reshape(ks));
                if (wantBias) grads.add(bias, both.get(Index.at(k)));
            } else {
                if (wantBias) {
                    NDArray into = grads.destination(bias);
                    if (into != null) be.reduce(ReduceOp.SUM, dz.tensor(), new int[] {0}, into.reshape(1, f).tensor());
                    else grads.add(bias, dz.sum(new int[] {0}, false));
                }
                if (grads.wants(kernel)) {
                    NDArray into = grads.destination(kernel);
                    NDArray dk = into != null ? into : NDArray.uninitialized(kernel.dtype(), ks, be);
                    be.matmul(colsMatrix.swapAxes(-1, -2).tensor(), dzGroups.tensor(), groupColumns(dk.reshape(k, f), groups, k, fg).tensor());
                    if (into == null) grads.add(kernel, dk);
                }
            }
            if (grads.wants(x)) {
                Layout plain = new Layout(byColumns, groups, n, outH, outW, ks[0], ks[1], cg, 0);
                NDArray dcols = plain.allocate(x.dtype(), be);
                be.matmul(dzGroups.tensor(), groupColumns(kernelMatrix, groups, k, fg).swapAxes(-1, -2).tensor(), plain.matrix(dcols).tensor());
                NDArray dx = NDArray.empty(x.dtype(), xs, be);  // zero-filled: col2im adds into it
                for (int g = 0; g < groups; g++) {
                    be.col2im(plain.windows(dcols, g).tensor(), window, channels(dx, g, cg).tensor());
                }
                grads.add(x, dx);
            }
        }, x, kernel, bias);
    }

    /**
     * One group with few values per window row (a first layer on 1- or 3-channel images): the
     * backend's direct convolution, which keeps the windows in cache instead of unfolding
     * [rows, KH * KW * C] of them through memory, with the bias added in the same pass; its
     * kernel-gradient primitive sums the bias' gradient too. The input's gradient, when wanted,
     * still goes through a product and col2im.
     */
    private static Variable direct(Variable x, Variable kernel, Variable bias, Window window, long outH, long outW,
                                   MatrixOps.OutputActivation activation, boolean byColumns) {
        Backend be = x.value.backend();
        long[] xs = x.value.shape(), ks = kernel.value.shape();
        long n = xs[0], f = ks[3], rows = n * outH * outW, k = ks[0] * ks[1] * ks[2];
        NDArray y2 = NDArray.uninitialized(x.dtype(), new long[] {rows, f}, be);  // conv2d writes it all
        NDArray y = y2.reshape(n, outH, outW, f);
        be.conv2d(x.value.tensor(), kernel.value.tensor(), bias == null ? null : bias.value.reshape(f).tensor(), window, y.tensor());
        if (activation.op != null) be.unary(activation.op, y2.tensor(), y2.tensor());
        return Variable.result(y, (gOut, grads) -> {
            NDArray dz = activation.backward(gOut.reshape(rows, f), y2);
            boolean wantKernel = grads.wants(kernel), wantBias = bias != null && grads.wants(bias);
            if (wantKernel || wantBias) {
                NDArray kernelInto = wantKernel ? grads.destination(kernel) : null;
                NDArray biasInto = wantBias ? grads.destination(bias) : null;
                NDArray dk = kernelInto != null ? kernelInto : NDArray.uninitialized(kernel.dtype(), ks, be);
                NDArray db = !wantBias ? null : biasInto != null ? biasInto : NDArray.uninitialized(bias.dtype(), bias.value.shape(), be);
                be.conv2dKernelGrad(x.value.tensor(), dz.reshape(n, outH, outW, f).tensor(), window, dk.tensor(), db == null ? null : db.reshape(f).tensor());
                if (wantKernel && kernelInto == null) grads.add(kernel, dk);
                if (wantBias && biasInto == null) grads.add(bias, db);
            }
            if (grads.wants(x)) {
                Layout plain = new Layout(byColumns, 1, n, outH, outW, ks[0], ks[1], ks[2], 0);
                NDArray dcols = plain.allocate(x.dtype(), be);
                be.matmul(dz.reshape(1, rows, f).tensor(), kernel.value.reshape(1, k, f).swapAxes(-1, -2).tensor(), plain.matrix(dcols).tensor());
                NDArray dx = NDArray.empty(x.dtype(), xs, be);  // zero-filled: col2im adds into it
                be.col2im(plain.windows(dcols, 0).tensor(), window, dx.tensor());
                grads.add(x, dx);
            }
        }, x, kernel, bias);
    }

    /**
     * Where the unfolded windows of each group live: row-major windows [G, rows, K + extra], or
     * transposed [G, K + extra, rows] (OW innermost); {@code extra} = 1 adds the bias' ones.
     */
    private record Layout(boolean byColumns, int groups, long n, long outH, long outW, long kh, long kw, long cg, int extra) {
        long rows() { return n * outH * outW; }

        long k() { return kh * kw * cg; }

        NDArray allocate(org.pyj4.ndarray.DType dtype, Backend be) {
            long[] shape = byColumns ? new long[] {groups, k() + extra, rows()} : new long[] {groups, rows(), k() + extra};
            return NDArray.uninitialized(dtype, shape, be);  // im2col (or a product) and the ones write every element
        }

        /** Group g's windows as im2col's [N, OH, OW, KH, KW, C/G] (a view). */
        NDArray windows(NDArray cols, int g) {
            NDArray block = cols.get(Index.at(g));
            NDArray w = byColumns ? block.slice(0, 0L, k(), 1L).reshape(kh, kw, cg, n, outH, outW).transpose(3, 4, 5, 0, 1, 2)
                    : block.slice(1, 0L, k(), 1L).reshape(n, outH, outW, kh, kw, cg);
            if (!w.sharesMemory(cols)) throw new IllegalStateException("ConvOps: the windows must be a view of the cols buffer");
            return w;
        }

        /** The ones of group 0 (extra = 1): [rows] (a view). */
        NDArray ones(NDArray cols) {
            NDArray block = cols.get(Index.at(0));
            return byColumns ? block.get(Index.at(k())) : block.get(Index.all(), Index.at(k()));
        }

        /** All groups as matrices [G, rows, K + extra] (a view). */
        NDArray matrix(NDArray cols) { return byColumns ? cols.swapAxes(1, 2) : cols; }
    }

    /** Channels [g * cg, (g + 1) * cg) of a channels_last array (a view). */
    private static NDArray channels(NDArray a, int g, long cg) {
        return a.slice(3, g * cg, (g + 1) * cg, 1L);
    }

    /** The [rows, G * width] matrix m as G blocks of columns: a [G, rows, width] view. */
    private static NDArray groupColumns(NDArray m, int groups, long rows, long width) {
        return m.reshape(rows, groups, width).transpose(1, 0, 2);
    }
}
