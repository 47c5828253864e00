package org.pyj4.backend;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.pyj4.memory.Buffer;
import org.pyj4.memory.HostBuffer;
import org.pyj4.ndarray.AxisException;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.DTypeException;
import org.pyj4.ndarray.Device;
import org.pyj4.ndarray.ShapeException;

/**
 * The {@link Backend} contract as checks that every backend runs first, before it touches memory:
 * tensors are well formed, live on the backend's device, stay inside their buffers, and have the
 * shapes and dtypes each primitive requires. Cheap: nothing here reads an element.
 *
 * <p>Errors name the op and what was received: {@link ShapeException} for shapes,
 * {@link DTypeException} for dtypes, {@link AxisException} for axes, {@link IllegalArgumentException}
 * for the rest, {@link IllegalStateException} for a released buffer.
 */
public final class Checks {
    // Op names for messages, built once: these checks run on every primitive call.
    private static final String[] UNARY_NAMES = names("unary ", UnaryOp.values());
    private static final String[] BINARY_NAMES = names("binary ", BinaryOp.values());
    private static final String[] REDUCE_NAMES = names("reduce ", ReduceOp.values());

    private static String[] names(String prefix, Enum<?>[] ops) {
        String[] out = new String[ops.length];
        for (Enum<?> op : ops) out[op.ordinal()] = prefix + op;
        return out;
    }

    private Checks() {}

    // ------------------------------------------------------------------ one check per primitive

    public static void copy(Device device, Tensor src, Tensor dst) {
        String op = "copy";
        input(op, "src", src, device);
        output(op, "dst", dst, device);
        sameShape(op, "src", src, "dst", dst);
    }

    public static void unary(Device device, UnaryOp op, Tensor x, Tensor out) {
        notNull("unary", "op", op);
        String name = UNARY_NAMES[op.ordinal()];
        input(name, "x", x, device);
        output(name, "out", out, device);
        sameShape(name, "x", x, "out", out);
        switch (op.domain()) {
            case FLOAT_ONLY:
                if (!x.dtype().isFloat()) {
                    throw new DTypeException(name + ": expected a float input (the NDArray layer casts integers first). Received: x=" + describe(x));
                }
                break;
            case INTEGRAL:
                if (x.dtype().isFloat()) {
                    throw new DTypeException(name + ": expected an integer or bool input. Received: x=" + describe(x));
                }
                break;
            default:
                break;
        }
        DType expected = op.domain() == UnaryOp.Domain.BOOL_RESULT ? DType.BOOL : x.dtype();
        if (out.dtype() != expected) {
            throw new DTypeException(name + ": expected out of dtype " + expected + ". Received: x=" + describe(x) + ", out=" + describe(out));
        }
    }

    public static void binary(Device device, BinaryOp op, Tensor a, Tensor b, Tensor out) {
        notNull("binary", "op", op);
        String name = BINARY_NAMES[op.ordinal()];
        input(name, "a", a, device);
        input(name, "b", b, device);
        output(name, "out", out, device);
        sameShape(name, "a", a, "b", b);
        sameShape(name, "a", a, "out", out);
        if (a.dtype() != b.dtype()) {
            throw new DTypeException(name + ": expected inputs of one dtype. Received: a=" + describe(a) + ", b=" + describe(b));
        }
        if (op.isFloatOnly() && !a.dtype().isFloat()) {
            throw new DTypeException(name + ": expected float inputs" + (op == BinaryOp.DIV ? " (true division; the NDArray layer casts integers first)" : "")
                    + ". Received: a=" + describe(a));
        }
        if (op.isBitwise() && a.dtype().isFloat()) {
            throw new DTypeException(name + ": expected integer or bool inputs. Received: a=" + describe(a));
        }
        DType expected = op.isComparison() ? DType.BOOL : a.dtype();
        if (out.dtype() != expected) {
            throw new DTypeException(name + ": expected out of dtype " + expected + ". Received: a=" + describe(a) + ", out=" + describe(out));
        }
    }

    public static void where(Device device, Tensor cond, Tensor a, Tensor b, Tensor out) {
        String op = "where";
        input(op, "cond", cond, device);
        input(op, "a", a, device);
        input(op, "b", b, device);
        output(op, "out", out, device);
        sameShape(op, "cond", cond, "out", out);
        sameShape(op, "a", a, "out", out);
        sameShape(op, "b", b, "out", out);
        if (cond.dtype() != DType.BOOL) throw new DTypeException(op + ": expected a bool cond. Received: cond=" + describe(cond));
        if (a.dtype() != out.dtype() || b.dtype() != out.dtype()) {
            throw new DTypeException(op + ": expected a, b and out of one dtype. Received: a=" + describe(a)
                    + ", b=" + describe(b) + ", out=" + describe(out));
        }
    }

    /**
     * Output dtypes: SUM/PROD write x's dtype, or a dtype of at least its kind (int or float for
     * int/bool x, float for float x); MAX/MIN write x's dtype; ARGMAX/ARGMIN write int64 and take one
     * axis; ANY/ALL write bool.
     */
    public static void reduce(Device device, ReduceOp op, Tensor x, int[] axes, Tensor out) {
        notNull("reduce", "op", op);
        String name = REDUCE_NAMES[op.ordinal()];
        input(name, "x", x, device);
        output(name, "out", out, device);
        notNull(name, "axes", axes);
        int rank = x.rank();
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] < 0 || axes[i] >= rank) {
                throw new AxisException(name + ": axis " + axes[i] + " is out of bounds for x of rank " + rank
                        + ". Received: x=" + describe(x) + ", axes=" + Arrays.toString(axes));
            }
            if (i > 0 && axes[i] <= axes[i - 1]) {
                throw new AxisException(name + ": expected sorted, distinct axes. Received: axes=" + Arrays.toString(axes));
            }
        }
        long[] expectedShape = x.shape().clone();
        for (int a : axes) expectedShape[a] = 1;
        if (!Arrays.equals(expectedShape, out.shape())) {
            throw new ShapeException(name + ": expected out of shape " + Arrays.toString(expectedShape)
                    + " (x's shape with the reduced axes set to 1). Received: x=" + describe(x)
                    + ", axes=" + Arrays.toString(axes) + ", out=" + describe(out));
        }
        DType in = x.dtype();
        DType o = out.dtype();
        boolean ok;
        switch (op) {
            case SUM: case PROD:
                ok = o == in || (in.isFloat() ? o.isFloat() : !o.isBool());
                break;
            case MAX: case MIN: ok = o == in; break;
            case ARGMAX: case ARGMIN:
                if (axes.length != 1) {
                    throw new AxisException(name + ": expected exactly one axis. Received: axes=" + Arrays.toString(axes));
                }
                ok = o == DType.INT64;
                break;
            default: ok = o == DType.BOOL; break;
        }
        if (!ok) {
            throw new DTypeException(name + ": out's dtype does not fit this reduction. Received: x=" + describe(x) + ", out=" + describe(out));
        }
    }

    public static void matmul(Device device, Tensor a, Tensor b, Tensor out) {
        String op = "matmul";
        input(op, "a", a, device);
        input(op, "b", b, device);
        output(op, "out", out, device);
        // Built only on failure: matmul runs several times per training step, and the message costs more than the checks.
        java.util.function.Supplier<String> received = () -> " Received: a=" + describe(a) + ", b=" + describe(b) + ", out=" + describe(out);
        int r = out.rank();
        if (r < 2 || a.rank() != r || b.rank() != r) {
            throw new ShapeException(op + ": expected a, b and out of one rank >= 2 (batch dims broadcast)." + received.get());
        }
        long[] as = a.shape(), bs = b.shape(), os = out.shape();
        for (int d = 0; d < r - 2; d++) {
            if (as[d] != os[d] || bs[d] != os[d]) throw new ShapeException(op + ": expected batch dims equal to out's." + received.get());
        }
        if (as[r - 1] != bs[r - 2] || os[r - 2] != as[r - 2] || os[r - 1] != bs[r - 1]) {
            throw new ShapeException(op + ": expected a [..., m, k], b [..., k, n], out [..., m, n]." + received.get());
        }
        if (a.dtype() != out.dtype() || b.dtype() != out.dtype()) throw new DTypeException(op + ": expected one dtype." + received.get());
    }

    public static void gather(Device device, Tensor x, Tensor index, Tensor out) {
        String op = "gather";
        input(op, "x", x, device);
        input(op, "index", index, device);
        output(op, "out", out, device);
        sameShape(op, "index", index, "out", out);
        if (index.dtype() != DType.INT64) throw new DTypeException(op + ": expected an int64 index. Received: index=" + describe(index));
        if (out.dtype() != x.dtype()) {
            throw new DTypeException(op + ": expected out of x's dtype. Received: x=" + describe(x) + ", out=" + describe(out));
        }
    }

    public static void scatter(Device device, Tensor dst, Tensor index, Tensor values) {
        String op = "scatter";
        output(op, "dst", dst, device);
        input(op, "index", index, device);
        input(op, "values", values, device);
        sameShape(op, "index", index, "values", values);
        if (index.dtype() != DType.INT64) throw new DTypeException(op + ": expected an int64 index. Received: index=" + describe(index));
        if (values.dtype() != dst.dtype()) {
            throw new DTypeException(op + ": expected values of dst's dtype. Received: dst=" + describe(dst) + ", values=" + describe(values));
        }
    }

    public static void random(Device device, RandomKind kind, Tensor out) {
        notNull("random", "kind", kind);
        String op = "random " + kind;
        output(op, "out", out, device);
        if (!out.dtype().isFloat()) throw new DTypeException(op + ": expected a float out. Received: out=" + describe(out));
    }

    /**
     * Backend.optimizerStep: hyper has the kind's length and finite values; param, grad and the
     * kind's number of state tensors share a shape and a float32/float64 dtype, are contiguous,
     * live on the device, and use distinct buffers; param and state are writable.
     */
    public static void optimizerStep(Device device, OptimizerKind kind, Tensor param, Tensor grad, Tensor[] state, double[] hyper) {
        notNull("optimizerStep", "kind", kind);
        String op = "optimizerStep " + kind;
        notNull(op, "hyper", hyper);
        notNull(op, "state", state);
        if (hyper.length != kind.hyperCount()) {
            throw new IllegalArgumentException(op + ": expected " + kind.hyperCount() + " hyperparameters (see OptimizerKind). Received: "
                    + hyper.length + " values " + Arrays.toString(hyper));
        }
        for (double h : hyper) {
            if (!Double.isFinite(h)) throw new IllegalArgumentException(op + ": expected finite hyperparameters. Received: " + Arrays.toString(hyper));
        }
        if (kind == OptimizerKind.ADAM && hyper[5] < 1) {
            throw new IllegalArgumentException(op + ": expected step >= 1 (hyper[5], the 1-based update count). Received: step=" + hyper[5]);
        }
        int expectedState = kind.stateCount(hyper);
        if (state.length != expectedState) {
            throw new IllegalArgumentException(op + ": expected " + expectedState + " state tensors for hyper " + Arrays.toString(hyper)
                    + ". Received: " + state.length);
        }
        output(op, "param", param, device);
        input(op, "grad", grad, device);
        if (param.dtype() != DType.FLOAT32 && param.dtype() != DType.FLOAT64) {
            throw new DTypeException(op + ": expected a float32 or float64 param. Received: param=" + describe(param));
        }
        checkSameLayout(op, param, "grad", grad);
        for (int i = 0; i < state.length; i++) {
            output(op, "state[" + i + "]", state[i], device);
            checkSameLayout(op, param, "state[" + i + "]", state[i]);
        }
        // Distinct buffers: an update reads and writes each element of each tensor once, so aliasing would corrupt it.
        java.util.Set<Buffer> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        seen.add(param.buffer());
        if (!seen.add(grad.buffer())) throw new IllegalArgumentException(op + ": grad shares its buffer with param");
        for (int i = 0; i < state.length; i++) {
            if (!seen.add(state[i].buffer())) throw new IllegalArgumentException(op + ": state[" + i + "] shares its buffer with another operand");
        }
    }

    private static void checkSameLayout(String op, Tensor param, String name, Tensor t) {
        sameShape(op, "param", param, name, t);
        if (t.dtype() != param.dtype()) {
            throw new DTypeException(op + ": expected " + name + " of param's dtype. Received: param=" + describe(param) + ", " + name + "=" + describe(t));
        }
        if (!param.isContiguous() || !t.isContiguous()) {
            throw new IllegalArgumentException(op + ": expected contiguous tensors. Received: param=" + param + ", " + name + "=" + t);
        }
    }

    /** Backend.scatterAdd: scatter's rules, with a float32/float64 dst that overlaps neither index nor values. */
    public static void scatterAdd(Device device, Tensor dst, Tensor index, Tensor values) {
        String op = "scatterAdd";
        output(op, "dst", dst, device);
        input(op, "index", index, device);
        input(op, "values", values, device);
        sameShape(op, "index", index, "values", values);
        if (index.dtype() != DType.INT64) throw new DTypeException(op + ": expected an int64 index. Received: index=" + describe(index));
        floatPair(op, "dst", dst, "values", values);
        noOverlap(op, "dst", dst, "index", index);
        noOverlap(op, "dst", dst, "values", values);
    }

    /** Backend.im2col: x [N, H, W, C], cols [N, OH, OW, KH, KW, C], one float dtype, cols apart from x. */
    public static void im2col(Device device, Tensor x, Window window, Tensor cols) {
        String op = "im2col";
        input(op, "x", x, device);
        output(op, "cols", cols, device);
        windowShapes(op, x, window, cols, "cols");
        noOverlap(op, "cols", cols, "x", x);
    }

    /** Backend.col2im: as im2col, with x written. */
    public static void col2im(Device device, Tensor cols, Window window, Tensor x) {
        String op = "col2im";
        input(op, "cols", cols, device);
        output(op, "x", x, device);
        windowShapes(op, x, window, cols, "cols");
        noOverlap(op, "x", x, "cols", cols);
    }

    /**
     * Backend.conv2d: x [N, H, W, C], kernel [KH, KW, C, F] (the window's kernel), out [N, OH, OW, F],
     * bias null or [F], one float dtype, out apart from the inputs.
     */
    public static void conv2d(Device device, Tensor x, Tensor kernel, Tensor bias, Window window, Tensor out) {
        String op = "conv2d";
        input(op, "x", x, device);
        input(op, "kernel", kernel, device);
        if (bias != null) input(op, "bias", bias, device);
        output(op, "out", out, device);
        convShapes(op, x, kernel, "kernel", bias, "bias", window, out, "out");
        noOverlap(op, "out", out, "x", x);
        noOverlap(op, "out", out, "kernel", kernel);
        if (bias != null) noOverlap(op, "out", out, "bias", bias);
    }

    /** Backend.conv2dKernelGrad: shapes as conv2d (dy for out, dkernel for kernel, dbias for bias), outputs apart from the rest. */
    public static void conv2dKernelGrad(Device device, Tensor x, Tensor dy, Window window, Tensor dkernel, Tensor dbias) {
        String op = "conv2dKernelGrad";
        input(op, "x", x, device);
        input(op, "dy", dy, device);
        output(op, "dkernel", dkernel, device);
        if (dbias != null) output(op, "dbias", dbias, device);
        convShapes(op, x, dkernel, "dkernel", dbias, "dbias", window, dy, "dy");
        noOverlap(op, "dkernel", dkernel, "x", x);
        noOverlap(op, "dkernel", dkernel, "dy", dy);
        if (dbias != null) {
            noOverlap(op, "dbias", dbias, "x", x);
            noOverlap(op, "dbias", dbias, "dy", dy);
            noOverlap(op, "dbias", dbias, "dkernel", dkernel);
        }
    }

    private static void convShapes(String op, Tensor x, Tensor kernel, String kName, Tensor bias, String bName, Window window, Tensor y, String yName) {
        notNull(op, "window", window);
        if (x.rank() != 4 || kernel.rank() != 4 || y.rank() != 4) {
            throw new ShapeException(op + ": expected x [N, H, W, C], " + kName + " [KH, KW, C, F] and " + yName + " [N, OH, OW, F]. Received: x="
                    + describe(x) + ", " + kName + "=" + describe(kernel) + ", " + yName + "=" + describe(y));
        }
        long[] xs = x.shape(), ks = kernel.shape(), ys = y.shape();
        if (ks[0] != window.kernelH() || ks[1] != window.kernelW() || ks[2] != xs[3] || ys[0] != xs[0] || ys[3] != ks[3]) {
            throw new ShapeException(op + ": expected " + kName + " [KH, KW, C, F] with the window's kernel " + window.kernelH() + "x" + window.kernelW()
                    + " and x's C, and " + yName + " [N, OH, OW, F] with x's N and the kernel's F. Received: x=" + describe(x) + ", " + kName + "="
                    + describe(kernel) + ", " + yName + "=" + describe(y));
        }
        floatPair(op, "x", x, kName, kernel);
        floatPair(op, "x", x, yName, y);
        if (bias != null) {
            if (bias.rank() != 1 || bias.shape()[0] != ks[3]) {
                throw new ShapeException(op + ": expected " + bName + " [F] with the kernel's F. Received: " + kName + "=" + describe(kernel) + ", " + bName
                        + "=" + describe(bias));
            }
            floatPair(op, "x", x, bName, bias);
        }
    }

    /**
     * Backend.pool: x [N, H, W, C], out [N, OH, OW, C] of x's float dtype, argmax null or int64 of
     * out's shape (MAX only), outputs apart from x and each other, and every window non-empty.
     */
    public static void pool(Device device, PoolKind kind, Tensor x, Window window, Tensor out, Tensor argmax) {
        notNull("pool", "kind", kind);
        String op = "pool " + kind;
        notNull(op, "window", window);
        input(op, "x", x, device);
        output(op, "out", out, device);
        if (x.rank() != 4 || out.rank() != 4) {
            throw new ShapeException(op + ": expected x [N, H, W, C] and out [N, OH, OW, C]. Received: x=" + describe(x) + ", out=" + describe(out));
        }
        long[] xs = x.shape(), os = out.shape();
        if (xs[0] != os[0] || xs[3] != os[3]) {
            throw new ShapeException(op + ": expected out [N, OH, OW, C] with x's N and C. Received: x=" + describe(x) + ", out=" + describe(out));
        }
        floatPair(op, "x", x, "out", out);
        noOverlap(op, "out", out, "x", x);
        if (argmax != null) {
            if (kind != PoolKind.MAX) throw new IllegalArgumentException(op + ": only MAX pooling writes argmax indices. Received: argmax=" + describe(argmax));
            output(op, "argmax", argmax, device);
            sameShape(op, "out", out, "argmax", argmax);
            if (argmax.dtype() != DType.INT64) throw new DTypeException(op + ": expected an int64 argmax. Received: argmax=" + describe(argmax));
            noOverlap(op, "argmax", argmax, "x", x);
            noOverlap(op, "argmax", argmax, "out", out);
        }
        if (numel(out) > 0) {
            nonEmptyWindows(op, "H", xs[1], os[1], window.strideH(), window.padTop(), window.kernelH(), window.dilationH(), window);
            nonEmptyWindows(op, "W", xs[2], os[2], window.strideW(), window.padLeft(), window.kernelW(), window.dilationW(), window);
        }
    }

    /**
     * Backend.rnnCell: the kind's operand count; 2-D operands of one float32/float64 dtype, B rows
     * each and the kind's width in units of H (the last axis of the first operand over its width);
     * outputs writable, not broadcast, and overlapping no other operand.
     */
    public static void rnnCell(Device device, RnnCell kind, Tensor[] operands) {
        notNull("rnnCell", "kind", kind);
        String op = "rnnCell " + kind;
        notNull(op, "operands", operands);
        int count = kind.inputs() + kind.outputs();
        if (operands.length != count) {
            throw new IllegalArgumentException(op + ": expected " + count + " operands " + Arrays.toString(kind.names()) + ". Received: " + operands.length);
        }
        String[] names = kind.names();
        for (int i = 0; i < count; i++) tensor(op, names[i], operands[i], device, i >= kind.inputs());
        Tensor first = operands[0];
        if (first.rank() != 2 || first.shape()[1] % kind.width(0) != 0) {
            throw new ShapeException(op + ": expected " + names[0] + " [B, " + kind.width(0) + "H]. Received: " + names[0] + "=" + describe(first));
        }
        long b = first.shape()[0], h = first.shape()[1] / kind.width(0);
        DType dtype = first.dtype();
        if (dtype != DType.FLOAT32 && dtype != DType.FLOAT64) {
            throw new DTypeException(op + ": expected float32 or float64 operands. Received: " + names[0] + "=" + describe(first));
        }
        for (int i = 0; i < count; i++) {
            Tensor t = operands[i];
            long width = kind.width(i) * h;
            if (t.rank() != 2 || t.shape()[0] != b || t.shape()[1] != width) {
                throw new ShapeException(op + ": expected " + names[i] + " [" + b + ", " + width + "] (B=" + b + ", H=" + h + "). Received: "
                        + names[i] + "=" + describe(t));
            }
            if (t.dtype() != dtype) {
                throw new DTypeException(op + ": expected every operand of " + names[0] + "'s dtype. Received: " + names[0] + "=" + describe(first)
                        + ", " + names[i] + "=" + describe(t));
            }
        }
        for (int o = kind.inputs(); o < count; o++) {
            for (int i = 0; i < count; i++) if (i != o) noOverlap(op, names[o], operands[o], names[i], operands[i]);
        }
    }

    /** Backend.lstmSequence: xproj [T, B, 4H], u [H, 4H] -> gates [T, B, 4H], c, h [T, B, H]. */
    public static void lstmSequence(Device device, Tensor xproj, Tensor u, Tensor gates, Tensor c, Tensor h) {
        sequence("lstmSequence", device, new String[] {"xproj", "u", "gates", "c", "h"}, new Tensor[] {xproj, u, gates, c, h}, new int[] {4, 0, 4, 1, 1}, 2);
    }

    /** Backend.lstmSequenceGrad: gates [T, B, 4H], c, dh [T, B, H], u [H, 4H], dcLast [B, H] -> dz [T, B, 4H]. */
    public static void lstmSequenceGrad(Device device, Tensor gates, Tensor c, Tensor u, Tensor dh, Tensor dcLast, Tensor dz) {
        sequence("lstmSequenceGrad", device, new String[] {"gates", "c", "u", "dh", "dcLast", "dz"}, new Tensor[] {gates, c, u, dh, dcLast, dz},
                new int[] {4, 1, 0, 1, -1, 4}, 5);
    }

    /**
     * Operands of a recurrent sequence (the first `inputs` read): widths[k] > 0 means [T, B, widths[k] * H],
     * 0 the recurrent kernel [H, 4H] that gives H, -w a state [B, w * H]; one float32/float64 dtype;
     * outputs overlap nothing.
     */
    private static void sequence(String op, Device device, String[] names, Tensor[] ops, int[] widths, int inputs) {
        for (int k = 0; k < ops.length; k++) tensor(op, names[k], ops[k], device, k >= inputs);
        Tensor u = null, seq = null;
        for (int k = 0; k < ops.length; k++) {
            if (widths[k] == 0) u = ops[k];
            else if (widths[k] > 0 && seq == null) seq = ops[k];
        }
        StringBuilder all = new StringBuilder();
        for (int k = 0; k < ops.length; k++) all.append(k == 0 ? "" : ", ").append(names[k]).append('=').append(describe(ops[k]));
        if (u.rank() != 2 || u.shape()[1] != 4 * u.shape()[0] || seq.rank() != 3) {
            throw new ShapeException(op + ": expected u [H, 4H] and [T, B, ...] sequences. Received: " + all);
        }
        long h = u.shape()[0], t = seq.shape()[0], b = seq.shape()[1];
        DType dtype = u.dtype();
        for (int k = 0; k < ops.length; k++) {
            long[] s = ops[k].shape();
            int w = widths[k];
            boolean ok = w == 0 || (w > 0 ? s.length == 3 && s[0] == t && s[1] == b && s[2] == w * h : s.length == 2 && s[0] == b && s[1] == -w * h);
            if (!ok) {
                throw new ShapeException(op + ": expected " + names[k] + " of shape [" + (w > 0 ? t + ", " : "") + b + ", " + Math.abs(w) * h
                        + "] (T=" + t + ", B=" + b + ", H=" + h + "). Received: " + all);
            }
            if (ops[k].dtype() != dtype || (dtype != DType.FLOAT32 && dtype != DType.FLOAT64)) {
                throw new DTypeException(op + ": expected float32 or float64 operands of one dtype. Received: " + all);
            }
        }
        for (int o = inputs; o < ops.length; o++) {
            for (int k = 0; k < ops.length; k++) if (k != o) noOverlap(op, names[o], ops[o], names[k], ops[k]);
        }
    }

    private static void windowShapes(String op, Tensor x, Window window, Tensor cols, String colsName) {
        notNull(op, "window", window);
        if (x.rank() != 4 || cols.rank() != 6) {
            throw new ShapeException(op + ": expected x [N, H, W, C] and " + colsName + " [N, OH, OW, KH, KW, C]. Received: x=" + describe(x)
                    + ", " + colsName + "=" + describe(cols));
        }
        long[] xs = x.shape(), cs = cols.shape();
        if (cs[0] != xs[0] || cs[5] != xs[3] || cs[3] != window.kernelH() || cs[4] != window.kernelW()) {
            throw new ShapeException(op + ": expected " + colsName + " [N, OH, OW, KH, KW, C] with x's N and C and the window's kernel "
                    + window.kernelH() + "x" + window.kernelW() + ". Received: x=" + describe(x) + ", " + colsName + "=" + describe(cols));
        }
        floatPair(op, "x", x, colsName, cols);
    }

    private static void floatPair(String op, String n1, Tensor t1, String n2, Tensor t2) {
        if (t1.dtype() != DType.FLOAT32 && t1.dtype() != DType.FLOAT64) {
            throw new DTypeException(op + ": expected float32 or float64. Received: " + n1 + "=" + describe(t1));
        }
        if (t2.dtype() != t1.dtype()) {
            throw new DTypeException(op + ": expected " + n1 + " and " + n2 + " of one dtype. Received: " + n1 + "=" + describe(t1) + ", " + n2 + "=" + describe(t2));
        }
    }

    /** Every output position along one axis has a tap inside the input (taps are checked for all positions: few). */
    private static void nonEmptyWindows(String op, String axis, long in, long out, int stride, int pad, int kernel, int dilation, Window w) {
        for (long o = 0; o < out; o++) {
            long start = o * stride - pad;
            boolean any = false;
            for (int k = 0; k < kernel && !any; k++) {
                long at = start + (long) k * dilation;
                any = at >= 0 && at < in;
            }
            if (!any) {
                throw new IllegalArgumentException(op + ": output position " + o + " along " + axis + " has no tap inside the input of length "
                        + in + " (a window entirely in the padding). Received: " + w + ", output length " + out);
            }
        }
    }

    private static long numel(Tensor t) {
        long n = 1;
        for (long d : t.shape()) n *= d;
        return n;
    }

    /**
     * Outputs must not share memory with other operands: refused when two non-empty tensors of one
     * buffer reach intersecting byte ranges (a cheap test that also refuses some interleaved views
     * that share no element).
     */
    private static void noOverlap(String op, String outName, Tensor out, String otherName, Tensor other) {
        if (out.buffer() != other.buffer() || numel(out) == 0 || numel(other) == 0) return;
        long[] a = byteRange(out), b = byteRange(other);
        if (a[0] < b[1] && b[0] < a[1]) {
            throw new IllegalArgumentException(op + ": " + outName + " overlaps " + otherName + " (an output must not share memory with another operand). Received: "
                    + outName + "=" + out + ", " + otherName + "=" + other);
        }
    }

    /** [first byte, end byte) a checked, non-empty tensor reaches. */
    private static long[] byteRange(Tensor t) {
        long lo = t.offset(), hi = t.offset();
        for (int d = 0; d < t.rank(); d++) {
            long span = (t.shape()[d] - 1) * t.strides()[d];
            if (span > 0) hi += span;
            else lo += span;
        }
        int size = t.dtype().itemSize();
        return new long[] {lo * size, (hi + 1) * size};
    }

    /** The error for an index outside [0, size) found by gather or scatter. */
    public static IndexOutOfBoundsException indexOutOfBounds(String op, String target, long index, long size) {
        return new IndexOutOfBoundsException(op + ": index " + index + " is out of bounds for " + target + " with "
                + size + " elements (expected 0 <= index < " + size + "); nothing was written");
    }

    /** Backend.write: src's remaining bytes fit in dst at byteOffset, and dst may be written. */
    public static void write(Device device, Buffer dst, long byteOffset, ByteBuffer src) {
        notNull("write", "src", src);
        transfer("write", device, dst, byteOffset, src.remaining(), true);
    }

    /** Backend.read: dst's remaining bytes exist in src at byteOffset, and dst may be written. */
    public static void read(Device device, Buffer src, long byteOffset, ByteBuffer dst) {
        notNull("read", "dst", dst);
        if (dst.isReadOnly()) throw new IllegalArgumentException("read: expected a writable destination. Received: a read-only ByteBuffer");
        transfer("read", device, src, byteOffset, dst.remaining(), false);
    }

    private static void transfer(String op, Device device, Buffer buffer, long byteOffset, long bytes, boolean writes) {
        buffer(op, "buffer", buffer, device, writes);
        if (byteOffset < 0 || byteOffset > buffer.byteSize() || bytes > buffer.byteSize() - byteOffset) {
            throw new IllegalArgumentException(op + ": bytes [" + byteOffset + ", " + byteOffset + " + " + bytes
                    + ") lie outside the buffer of " + buffer.byteSize() + " bytes");
        }
    }

    // ------------------------------------------------------------------ building blocks

    /** "float32[2, 3]". */
    public static String describe(Tensor t) {
        if (t == null) return "null";
        return t.dtype() + (t.shape() == null ? "[?]" : Arrays.toString(t.shape()));
    }

    public static void input(String op, String name, Tensor t, Device device) { tensor(op, name, t, device, false); }

    public static void output(String op, String name, Tensor t, Device device) { tensor(op, name, t, device, true); }

    /**
     * A tensor is well formed, on {@code device}, alive, and every element it can reach (from the
     * lowest to the highest element index, whatever the strides' signs) lies inside its buffer; an
     * output is also writable and not a broadcast view. Empty tensors reach no element.
     */
    public static void tensor(String op, String name, Tensor t, Device device, boolean isOutput) {
        notNull(op, name, t);
        if (t.dtype() == null || t.shape() == null || t.strides() == null) {
            throw new IllegalArgumentException(op + ": " + name + " lacks a dtype, shape or strides. Received: " + name + "=" + t);
        }
        if (t.shape().length != t.strides().length) {
            throw new IllegalArgumentException(op + ": " + name + " has " + t.shape().length + " dims but " + t.strides().length
                    + " strides. Received: " + name + "=" + t);
        }
        for (long d : t.shape()) {
            if (d < 0) throw new ShapeException(op + ": " + name + " has a negative dimension. Received: " + name + "=" + describe(t));
        }
        buffer(op, name, t.buffer(), device, isOutput);
        long size;
        long lo = t.offset(), hi = t.offset();
        try {
            size = 1;
            for (long d : t.shape()) size = Math.multiplyExact(size, d);
            if (size == 0) return;
            for (int d = 0; d < t.rank(); d++) {
                long span = Math.multiplyExact(t.shape()[d] - 1, t.strides()[d]);
                if (span > 0) hi = Math.addExact(hi, span);
                else lo = Math.addExact(lo, span);
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(op + ": " + name + "'s size or element indices overflow int64. Received: " + name + "=" + t);
        }
        long capacity = t.buffer().byteSize() / t.dtype().itemSize();
        if (lo < 0 || hi >= capacity) {
            throw new IllegalArgumentException(op + ": " + name + " reaches elements " + lo + ".." + hi + " but its buffer holds "
                    + capacity + " " + t.dtype() + " elements. Received: " + name + "=" + t);
        }
        if (isOutput) {
            for (int d = 0; d < t.rank(); d++) {
                if (t.strides()[d] == 0 && t.shape()[d] > 1) {
                    throw new IllegalArgumentException(op + ": " + name + " is a broadcast view (stride 0 along axis " + d
                            + "): an output must not write one element several times. Received: " + name + "=" + t);
                }
            }
        }
    }

    private static void buffer(String op, String name, Buffer b, Device device, boolean isOutput) {
        if (b == null) throw new IllegalArgumentException(op + ": " + name + " has no buffer");
        if (!b.device().equals(device)) {
            throw new IllegalArgumentException(op + ": " + name + " lives on " + b.device() + " but this backend runs on " + device);
        }
        if (device.isHost() && !(b instanceof HostBuffer)) {
            throw new IllegalArgumentException(op + ": " + name + " claims the host device but is not host memory. Received: "
                    + b.getClass().getName());
        }
        if (b.isReleased()) throw new IllegalStateException(op + ": " + name + "'s buffer was already released");
        if (isOutput && b instanceof HostBuffer && !((HostBuffer) b).isWritable()) {
            throw new IllegalArgumentException(op + ": " + name + " is read-only memory and cannot be written");
        }
    }

    private static void sameShape(String op, String n1, Tensor t1, String n2, Tensor t2) {
        if (!Arrays.equals(t1.shape(), t2.shape())) {
            throw new ShapeException(op + ": expected " + n1 + " and " + n2 + " of one shape. Received: "
                    + n1 + "=" + describe(t1) + ", " + n2 + "=" + describe(t2));
        }
    }

    private static void notNull(String op, String name, Object o) {
        if (o == null) throw new IllegalArgumentException(op + ": " + name + " must not be null");
    }
}
