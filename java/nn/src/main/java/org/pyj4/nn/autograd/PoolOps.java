package org.pyj4.nn.autograd;

import org.pyj4.backend.Backend;
import org.pyj4.backend.PoolKind;
import org.pyj4.backend.Window;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;

/**
 * Max and average pooling over channels_last x [N, H, W, C] (any strides), with {@link Backend#pool}.
 * Max pooling's backward scatter-adds the output gradient to the argmax positions the forward pass
 * recorded; average pooling's spreads each output gradient over its window's taps inside x
 * (divided by their count) with col2im.
 */
public final class PoolOps {
    private PoolOps() {}

    public static Variable maxPool(Variable x, Window window, long outH, long outW) {
        NDArray xv = x.value;
        Backend be = xv.backend();
        long[] xs = xv.shape();
        long[] os = {xs[0], outH, outW, xs[3]};
        NDArray out = NDArray.uninitialized(xv.dtype(), os, be);  // pool writes every element
        boolean recording = GradMode.isEnabled() && x.requiresGrad();
        NDArray argmax = recording ? NDArray.uninitialized(DType.INT64, os, be) : null;
        be.pool(PoolKind.MAX, xv.tensor(), window, out.tensor(), argmax == null ? null : argmax.tensor());
        return Variable.result(out, (g, grads) -> {
            NDArray dx = NDArray.empty(g.dtype(), xs, be);  // zero-filled
            be.scatterAdd(dx.tensor(), argmax.tensor(), g.tensor());
            grads.add(x, dx);
        }, x);
    }

    public static Variable avgPool(Variable x, Window window, long outH, long outW) {
        NDArray xv = x.value;
        Backend be = xv.backend();
        long[] xs = xv.shape();
        long[] os = {xs[0], outH, outW, xs[3]};
        NDArray out = NDArray.uninitialized(xv.dtype(), os, be);  // pool writes every element
        be.pool(PoolKind.AVG, xv.tensor(), window, out.tensor(), null);
        return Variable.result(out, (g, grads) -> {
            // Each output's gradient, over its tap count, copied to every tap (a broadcast view), added back by col2im.
            double[] counts = tapCounts(window, xs[1], xs[2], outH, outW);
            NDArray count = NDArray.create(counts, 1, outH, outW, 1, 1, 1).astype(g.dtype());
            NDArray share = g.reshape(xs[0], outH, outW, 1, 1, xs[3]).div(count);
            NDArray cols = share.broadcastTo(xs[0], outH, outW, window.kernelH(), window.kernelW(), xs[3]);
            NDArray dx = NDArray.empty(g.dtype(), xs, be);
            be.col2im(cols.tensor(), window, dx.tensor());
            grads.add(x, dx);
        }, x);
    }

    /** How many taps of each output position's window lie inside an h x w input. */
    static double[] tapCounts(Window w, long h, long width, long outH, long outW) {
        double[] counts = new double[(int) (outH * outW)];
        for (long oh = 0; oh < outH; oh++) {
            long rows = inside(oh * w.strideH() - w.padTop(), w.kernelH(), w.dilationH(), h);
            for (long ow = 0; ow < outW; ow++) {
                counts[(int) (oh * outW + ow)] = rows * inside(ow * w.strideW() - w.padLeft(), w.kernelW(), w.dilationW(), width);
            }
        }
        return counts;
    }

    private static long inside(long start, int kernel, int dilation, long size) {
        long n = 0;
        for (int k = 0; k < kernel; k++) {
            long at = start + (long) k * dilation;
            if (at >= 0 && at < size) n++;
        }
        return n;
    }
}
