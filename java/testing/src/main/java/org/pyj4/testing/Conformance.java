package org.pyj4.testing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.pyj4.backend.Backend;
import org.pyj4.backend.Backends;
import org.pyj4.backend.BinaryOp;
import org.pyj4.backend.PoolKind;
import org.pyj4.backend.RandomKind;
import org.pyj4.backend.ReduceOp;
import org.pyj4.backend.RnnCell;
import org.pyj4.backend.Tensor;
import org.pyj4.backend.UnaryOp;
import org.pyj4.backend.Window;
import org.pyj4.backend.reference.JavaBackend;
import org.pyj4.memory.Buffer;
import org.pyj4.memory.MemoryStats;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.Device;

/**
 * The op-conformance suite: runs every primitive of a backend under test and of the Java reference
 * backend on identical inputs and compares the results within {@link Tolerances}. Each method covers
 * one op and dtype over many shapes (0-d, empty, large enough to span several chunks) and layouts
 * (contiguous, strided with gaps, transposed, negative strides, broadcast inputs, in-place), and
 * checks besides the values that:
 * <ul>
 *   <li>nothing outside an output's view and nothing in an input was written;</li>
 *   <li>a call the reference rejects is rejected too, with the same kind of exception, before any write;</li>
 *   <li>every byte allocated during a call was freed afterwards ({@link MemoryStats}).</li>
 * </ul>
 * Failures throw {@link AssertionError} naming the op, the operands and the first differing elements.
 * {@link BackendConformanceTest} runs it under JUnit; {@link #runAll()} runs it anywhere.
 */
public final class Conformance {
    /** Shapes of elementwise cases: 0-d, empty, 1-D to 3-D, and one that spans several chunks. */
    public static final long[][] SHAPES = {{}, {0}, {5}, {3, 0}, {4, 7}, {2, 3, 5}, {67, 71}};
    /** Shapes of reduction cases. */
    public static final long[][] REDUCE_SHAPES = {{}, {0}, {6}, {3, 0}, {0, 3}, {4, 5}, {2, 3, 4}, {37, 113}};
    /** Matmul cases: batch shape, then m, k, n. */
    public static final long[][][] MATMUL_CASES = {
        {{}, {1, 1, 1}}, {{}, {3, 4, 5}}, {{}, {0, 3, 2}}, {{}, {2, 0, 3}}, {{}, {4, 3, 0}}, {{}, {17, 33, 9}},
        {{}, {64, 70, 33}}, {{2}, {3, 4, 5}}, {{2, 3}, {2, 5, 3}}, {{0}, {2, 2, 2}}, {{3}, {1, 7, 1}},
    };

    private static final Layout[] INPUTS = Layout.values();
    private static final Layout[] OUTPUTS = Layout.OUTPUTS;

    private final Backend test;
    private final Backend reference;
    private int cases;

    public Conformance(Backend underTest) { this(underTest, new JavaBackend()); }

    public Conformance(Backend underTest, Backend reference) {
        this.test = underTest;
        this.reference = reference;
    }

    /** How many calls were compared so far. */
    public int cases() { return cases; }

    /** Every check, on every op and dtype the contract accepts; returns the number of cases. */
    public int runAll() {
        transfers();
        validation();
        for (DType from : DType.values()) for (DType to : DType.values()) copy(from, to);
        for (DType t : DType.values()) {
            for (UnaryOp op : UnaryOp.values()) if (accepts(op, t)) unary(op, t);
            for (BinaryOp op : BinaryOp.values()) if (accepts(op, t)) binary(op, t);
            where(t);
            for (ReduceOp op : ReduceOp.values()) reduce(op, t);
            matmul(t);
            gather(t);
            scatter(t);
            scatterDuplicates(t);
            if (t.isFloat()) for (RandomKind kind : RandomKind.values()) random(kind, t);
        }
        for (DType t : LAYER_DTYPES) {
            scatterAdd(t);
            im2col(t);
            col2im(t);
            conv2d(t);
            conv2dKernelGrad(t);
            for (PoolKind kind : PoolKind.values()) pool(kind, t);
            for (RnnCell kind : RnnCell.values()) rnnCell(kind, t);
            lstmSequence(false, t);
            lstmSequence(true, t);
        }
        return cases;
    }

    /** Runs the whole suite on a registered backend: {@code java -cp ... org.pyj4.testing.Conformance cpu}. */
    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "java";
        int n = new Conformance(Backends.get(name)).runAll();
        System.out.println(name + ": " + n + " conformance cases passed");
    }

    /** Whether the contract defines op on dtype t (FLOAT_ONLY ops on floats, INVERT on integers and bools). */
    public static boolean accepts(UnaryOp op, DType t) {
        switch (op.domain()) {
            case FLOAT_ONLY: return t.isFloat();
            case INTEGRAL: return !t.isFloat();
            default: return true;
        }
    }

    /** Whether the contract defines op on dtype t (DIV, ADD_RELU, RELU_GRAD on floats only, AND/OR/XOR on integers and bools). */
    public static boolean accepts(BinaryOp op, DType t) {
        if (op.isFloatOnly()) return t.isFloat();
        if (op.isBitwise()) return !t.isFloat();
        return true;
    }

    // ------------------------------------------------------------------ elementwise

    public int copy(DType from, DType to) {
        SplittableRandom rnd = rngFor("copy", from + "->" + to);
        int start = cases;
        for (long[] shape : SHAPES) {
            for (int i = 0; i < INPUTS.length; i++) {
                Operand src = Operand.random(from, shape, INPUTS[i], Values.Domain.GENERAL, rnd);
                Operand dst = Operand.random(to, shape, OUTPUTS[i % OUTPUTS.length], Values.Domain.GENERAL, rnd);
                run("copy " + from + " -> " + to, names("src", "dst"), ops(src, dst), 1, (b, t) -> b.copy(t[0], t[1]),
                        Tolerances.of("copy", to), null);
            }
        }
        return cases - start;
    }

    public int unary(UnaryOp op, DType dtype) {
        requireAccepted(accepts(op, dtype), "unary " + op, dtype);
        SplittableRandom rnd = rngFor("unary " + op, dtype.toString());
        DType outType = op.domain() == UnaryOp.Domain.BOOL_RESULT ? DType.BOOL : dtype;
        Tolerance tol = Tolerances.unary(op, outType);
        Call call = (b, t) -> b.unary(op, t[0], t[1]);
        int start = cases;
        for (long[] shape : SHAPES) {
            for (int i = 0; i < INPUTS.length; i++) {
                Operand x = Operand.random(dtype, shape, INPUTS[i], Values.Domain.GENERAL, rnd);
                Operand out = Operand.random(outType, shape, OUTPUTS[i % OUTPUTS.length], Values.Domain.GENERAL, rnd);
                run("unary " + op, names("x", "out"), ops(x, out), 1, call, tol, null);
            }
        }
        if (outType == dtype) {
            for (Layout layout : new Layout[] {Layout.CONTIGUOUS, Layout.REVERSED}) {
                Operand x = Operand.random(dtype, new long[] {67, 71}, layout, Values.Domain.GENERAL, rnd);
                run("unary " + op + " in place", names("x", "out"), ops(x, x), 1, call, tol, null);
            }
        }
        return cases - start;
    }

    public int binary(BinaryOp op, DType dtype) {
        requireAccepted(accepts(op, dtype), "binary " + op, dtype);
        SplittableRandom rnd = rngFor("binary " + op, dtype.toString());
        DType outType = op.isComparison() ? DType.BOOL : dtype;
        Tolerance tol = Tolerances.binary(op, outType);
        Values.Domain bDomain = op == BinaryOp.POW ? Values.Domain.EXPONENT : Values.Domain.GENERAL;
        Call call = (b, t) -> b.binary(op, t[0], t[1], t[2]);
        int start = cases;
        for (long[] shape : SHAPES) {
            for (int i = 0; i < INPUTS.length; i++) {
                Operand a = Operand.random(dtype, shape, INPUTS[i], Values.Domain.GENERAL, rnd);
                Operand b = Operand.random(dtype, shape, INPUTS[(i + 2) % INPUTS.length], bDomain, rnd);
                shareSomeValues(a, b, rnd);
                Operand out = Operand.random(outType, shape, OUTPUTS[i % OUTPUTS.length], Values.Domain.GENERAL, rnd);
                run("binary " + op, names("a", "b", "out"), ops(a, b, out), 2, call, tol, null);
            }
        }
        if (outType == dtype) {
            for (Layout layout : new Layout[] {Layout.CONTIGUOUS, Layout.REVERSED}) {
                long[] shape = {67, 71};
                Operand a = Operand.random(dtype, shape, layout, Values.Domain.GENERAL, rnd);
                Operand b = Operand.random(dtype, shape, Layout.TRANSPOSED, bDomain, rnd);
                run("binary " + op + " in place", names("a", "b", "out"), ops(a, b, a), 2, call, tol, null);
            }
        }
        return cases - start;
    }

    public int where(DType dtype) {
        SplittableRandom rnd = rngFor("where", dtype.toString());
        int start = cases;
        for (long[] shape : SHAPES) {
            for (int i = 0; i < INPUTS.length; i++) {
                Operand cond = Operand.random(DType.BOOL, shape, INPUTS[(i + 1) % INPUTS.length], Values.Domain.GENERAL, rnd);
                Operand a = Operand.random(dtype, shape, INPUTS[i], Values.Domain.GENERAL, rnd);
                Operand b = Operand.random(dtype, shape, INPUTS[(i + 2) % INPUTS.length], Values.Domain.GENERAL, rnd);
                Operand out = Operand.random(dtype, shape, OUTPUTS[i % OUTPUTS.length], Values.Domain.GENERAL, rnd);
                run("where", names("cond", "a", "b", "out"), ops(cond, a, b, out), 3,
                        (be, t) -> be.where(t[0], t[1], t[2], t[3]), Tolerances.of("where", dtype), null);
            }
        }
        return cases - start;
    }

    // ------------------------------------------------------------------ reductions

    public int reduce(ReduceOp op, DType dtype) {
        SplittableRandom rnd = rngFor("reduce " + op, dtype.toString());
        boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
        int start = cases;
        int c = 0;
        for (long[] shape : REDUCE_SHAPES) {
            for (int[] axes : axisSets(shape.length, arg)) {
                long[] outShape = shape.clone();
                for (int a : axes) outShape[a] = 1;
                for (DType outType : reduceOutputs(op, dtype)) {
                    for (Values.Domain domain : reduceDomains(op, dtype)) {
                        c++;
                        Operand x = Operand.random(dtype, shape, INPUTS[c % INPUTS.length], domain, rnd);
                        Operand out = Operand.random(outType, outShape, OUTPUTS[c % OUTPUTS.length], Values.Domain.GENERAL, rnd);
                        double[] scale = op == ReduceOp.SUM ? sumOfMagnitudes(x, axes, outShape) : null;
                        run("reduce " + op + " axes=" + Arrays.toString(axes) + " (" + domain.name().toLowerCase() + " values)",
                                names("x", "out"), ops(x, out), 1, (b, t) -> b.reduce(op, t[0], axes.clone(), t[1]),
                                Tolerances.reduce(op, outType), scale);
                    }
                }
            }
        }
        return cases - start;
    }

    private static List<DType> reduceOutputs(ReduceOp op, DType x) {
        List<DType> out = new ArrayList<>();
        switch (op) {
            case SUM: case PROD:
                out.add(x);
                if (x.sumType() != x) out.add(x.sumType());
                if (x != DType.FLOAT64) out.add(DType.FLOAT64);
                break;
            case MAX: case MIN: out.add(x); break;
            case ARGMAX: case ARGMIN: out.add(DType.INT64); break;
            default: out.add(DType.BOOL);
        }
        return out;
    }

    private static Values.Domain[] reduceDomains(ReduceOp op, DType x) {
        if (!x.isFloat()) return new Values.Domain[] {Values.Domain.GENERAL};
        if (op == ReduceOp.PROD) return new Values.Domain[] {Values.Domain.NEAR_ONE, Values.Domain.GENERAL};
        return new Values.Domain[] {Values.Domain.FINITE, Values.Domain.GENERAL};
    }

    /** Every sorted subset of the axes (with the empty one), or each single axis. */
    private static List<int[]> axisSets(int rank, boolean single) {
        List<int[]> sets = new ArrayList<>();
        if (single) {
            for (int a = 0; a < rank; a++) sets.add(new int[] {a});
            return sets;
        }
        for (int mask = 0; mask < (1 << rank); mask++) {
            int[] axes = new int[Integer.bitCount(mask)];
            int j = 0;
            for (int a = 0; a < rank; a++) if ((mask & (1 << a)) != 0) axes[j++] = a;
            sets.add(axes);
        }
        return sets;
    }

    /** For each out element, the sum of |x| over the elements it reduces: the scale of a sum's error. */
    private static double[] sumOfMagnitudes(Operand x, int[] axes, long[] outShape) {
        long[] values = x.logical();
        long[] outStrides = Tensor.contiguousStrides(outShape);
        for (int a : axes) outStrides[a] = 0;
        double[] scale = new double[Math.toIntExact(sizeOf(outShape))];
        long[] counter = new long[x.shape.length];
        for (int i = 0; i < values.length; i++) {
            long o = 0;
            for (int d = 0; d < counter.length; d++) o += counter[d] * outStrides[d];
            scale[(int) o] += Math.abs(Values.toDouble(x.dtype, values[i]));
            for (int d = counter.length - 1; d >= 0; d--) {
                if (++counter[d] < x.shape[d]) break;
                counter[d] = 0;
            }
        }
        return scale;
    }

    // ------------------------------------------------------------------ matmul

    public int matmul(DType dtype) {
        SplittableRandom rnd = rngFor("matmul", dtype.toString());
        int start = cases;
        int c = 0;
        for (long[][] mc : MATMUL_CASES) {
            long[] batch = mc[0];
            int m = (int) mc[1][0], k = (int) mc[1][1], n = (int) mc[1][2];
            for (int i = 0; i < INPUTS.length; i++) {
                c++;
                Values.Domain domain = c % 3 == 0 ? Values.Domain.GENERAL : Values.Domain.FINITE;
                Operand a = Operand.random(dtype, concat(batch, m, k), INPUTS[i], domain, rnd);
                Operand b = Operand.random(dtype, concat(batch, k, n), INPUTS[(i + 3) % INPUTS.length], domain, rnd);
                Operand out = Operand.random(dtype, concat(batch, m, n), OUTPUTS[c % OUTPUTS.length], Values.Domain.GENERAL, rnd);
                double[] scale = dtype.isFloat() ? magnitudeProduct(a, b, sizeOf(batch), m, k, n) : null;
                run("matmul " + Arrays.toString(batch) + " x (" + m + "x" + k + " @ " + k + "x" + n + ")", names("a", "b", "out"),
                        ops(a, b, out), 2, (be, t) -> be.matmul(t[0], t[1], t[2]), Tolerances.of("matmul", dtype), scale);
            }
        }
        return cases - start;
    }

    /** |a| @ |b| per batch: the scale of a matmul's rounding error. */
    private static double[] magnitudeProduct(Operand a, Operand b, long batches, int m, int k, int n) {
        long[] av = a.logical(), bv = b.logical();
        double[] out = new double[Math.toIntExact(batches * m * n)];
        for (int bi = 0; bi < batches; bi++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += Math.abs(Values.toDouble(a.dtype, av[bi * m * k + i * k + p]))
                                * Math.abs(Values.toDouble(b.dtype, bv[bi * k * n + p * n + j]));
                    }
                    out[bi * m * n + i * n + j] = s;
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ gather / scatter

    private static final long[][] GATHER_SOURCES = {{7}, {3, 4}, {}, {2, 0}};
    private static final long[][] INDEX_SHAPES = {{5}, {2, 3}, {}, {0}};
    private static final long[] BAD_INDICES = {-1, Long.MIN_VALUE, Long.MAX_VALUE};

    public int gather(DType dtype) {
        SplittableRandom rnd = rngFor("gather", dtype.toString());
        int start = cases;
        int c = 0;
        Call call = (b, t) -> b.gather(t[0], t[1], t[2]);
        for (long[] xShape : GATHER_SOURCES) {
            for (long[] indexShape : INDEX_SHAPES) {
                c++;
                Operand x = Operand.random(dtype, xShape, INPUTS[c % INPUTS.length], Values.Domain.GENERAL, rnd);
                long size = x.size();
                Operand index = indices(indexShape, INPUTS[(c + 1) % INPUTS.length], size, rnd);
                Operand out = Operand.random(dtype, indexShape, OUTPUTS[c % OUTPUTS.length], Values.Domain.GENERAL, rnd);
                String title = "gather from " + Arrays.toString(xShape);
                // With an empty x every index is out of range: the reference's error is the expectation.
                run(title, names("x", "index", "out"), ops(x, index, out), 2, call, Tolerance.EXACT, null);
                if (index.size() > 0) {
                    // One bad index anywhere: an IndexOutOfBoundsException, and out untouched.
                    for (long bad : new long[] {size, BAD_INDICES[c % BAD_INDICES.length]}) {
                        Operand badIndex = withOneValue(index, bad, rnd);
                        run(title + " with index " + bad, names("x", "index", "out"), ops(x, badIndex, out), 2, call, Tolerance.EXACT, null);
                    }
                }
            }
        }
        return cases - start;
    }

    private static final long[][] SCATTER_TARGETS = {{7}, {3, 4}, {6, 5}, {}};

    /** Distinct indices (which element wins among duplicates is not part of the contract). */
    public int scatter(DType dtype) {
        SplittableRandom rnd = rngFor("scatter", dtype.toString());
        int start = cases;
        int c = 0;
        Call call = (b, t) -> b.scatter(t[0], t[1], t[2]);
        for (long[] dstShape : SCATTER_TARGETS) {
            for (long[] indexShape : INDEX_SHAPES) {
                long size = sizeOf(dstShape), count = sizeOf(indexShape);
                if (count > size) continue;
                c++;
                Operand dst = Operand.random(dtype, dstShape, OUTPUTS[c % OUTPUTS.length], Values.Domain.GENERAL, rnd);
                Operand index = Operand.of(DType.INT64, indexShape, OUTPUTS[(c + 1) % OUTPUTS.length], distinct(count, size, rnd), -7);
                Operand values = Operand.random(dtype, indexShape, INPUTS[c % INPUTS.length], Values.Domain.GENERAL, rnd);
                String title = "scatter into " + Arrays.toString(dstShape);
                run(title, names("dst", "index", "values"), ops(dst, index, values), 0, call, Tolerance.EXACT, null);
                if (count > 0) {
                    for (long bad : new long[] {size, BAD_INDICES[c % BAD_INDICES.length]}) {
                        Operand badIndex = withOneValue(index, bad, rnd);
                        run(title + " with index " + bad, names("dst", "index", "values"), ops(dst, badIndex, values), 0, call, Tolerance.EXACT, null);
                    }
                }
            }
        }
        return cases - start;
    }

    /** Duplicate indices: each targeted element must end up holding one of the values sent to it. */
    public int scatterDuplicates(DType dtype) {
        SplittableRandom rnd = rngFor("scatter duplicates", dtype.toString());
        long[] dstShape = {3, 4};
        Operand dst = Operand.random(dtype, dstShape, Layout.CONTIGUOUS, Values.Domain.GENERAL, rnd);
        long[] shape = {40};
        long[] at = new long[40];
        for (int i = 0; i < at.length; i++) at[i] = rnd.nextInt(4);  // many duplicates among elements 0..3
        Operand index = Operand.of(DType.INT64, shape, Layout.CONTIGUOUS, at, 0);
        Operand values = Operand.random(dtype, shape, Layout.CONTIGUOUS, Values.Domain.GENERAL, rnd);
        cases++;
        long before = MemoryStats.allocatedBytes();
        Tensor d = dst.upload(test), ix = index.upload(test), v = values.upload(test);
        long[] after;
        try {
            test.scatter(d, ix, v);
            after = dst.download(test, d);
        } finally {
            d.buffer().release();
            ix.buffer().release();
            v.buffer().release();
        }
        checkMemory(test, before, "scatter with duplicate indices");
        long[] sent = values.logical();
        for (int e = 0; e < after.length; e++) {
            boolean ok = false, targeted = false;
            for (int i = 0; i < at.length; i++) {
                if (at[i] == e) {
                    targeted = true;
                    ok |= Values.sameBits(dtype, sent[i], after[e]);
                }
            }
            if (!targeted) ok = Values.sameBits(dtype, dst.storage[e], after[e]);
            if (!ok) {
                throw new AssertionError(test.name() + ": scatter " + dtype + " with duplicate indices: element " + e + " holds "
                        + Values.show(dtype, after[e]) + ", which is " + (targeted ? "none of the values sent to it" : "not its old value"));
            }
        }
        return 1;
    }

    /** An int64 index operand with values in [0, size). */
    private static Operand indices(long[] shape, Layout layout, long size, SplittableRandom rnd) {
        long[] storage = new long[Math.toIntExact(layout.place(shape).elements())];
        for (int i = 0; i < storage.length; i++) storage[i] = size > 0 ? rnd.nextLong(size) : 0;
        return new Operand(DType.INT64, shape, layout, storage);
    }

    private static long[] distinct(long count, long size, SplittableRandom rnd) {
        long[] all = new long[(int) size];
        for (int i = 0; i < all.length; i++) all[i] = i;
        for (int i = all.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            long tmp = all[i];
            all[i] = all[j];
            all[j] = tmp;
        }
        return Arrays.copyOf(all, (int) count);
    }

    /** A copy of an index operand with one of its logical elements set to {@code value}. */
    private static Operand withOneValue(Operand index, long value, SplittableRandom rnd) {
        long[] storage = index.storage.clone();
        long[] at = index.elementIndices();
        storage[(int) at[rnd.nextInt(at.length)]] = value;
        return new Operand(index.dtype, index.shape, index.layout, storage);
    }

    // ------------------------------------------------------------------ random

    private static final long[][] RANDOM_SHAPES = {{}, {0}, {5}, {33, 70}};

    public int random(RandomKind kind, DType dtype) {
        SplittableRandom rnd = rngFor("random " + kind, dtype.toString());
        double a = kind == RandomKind.UNIFORM ? -2 : 0.5;
        double b = kind == RandomKind.UNIFORM ? 3 : 2;
        long[] counters = {0, 12345, 1L << 40};
        int start = cases;
        int c = 0;
        for (long[] shape : RANDOM_SHAPES) {
            for (long counter : counters) {
                Layout layout = OUTPUTS[c++ % OUTPUTS.length];
                Operand out = Operand.random(dtype, shape, layout, Values.Domain.GENERAL, rnd);
                long seed = rnd.nextLong();
                double[] scale = new double[Math.toIntExact(out.size())];
                Arrays.fill(scale, Math.abs(a) + Math.abs(b));
                run("random " + kind + " seed=" + seed + " counter=" + counter, names("out"), ops(out), 0,
                        (be, t) -> be.random(kind, seed, counter, a, b, t[0]), Tolerances.random(kind, dtype), scale);
            }
        }
        return cases - start;
    }

    // ------------------------------------------------------------------ layer primitives

    /** The dtypes the layer primitives (scatterAdd, im2col, col2im, pool, rnnCell) take. */
    public static final DType[] LAYER_DTYPES = {DType.FLOAT32, DType.FLOAT64};

    /**
     * Sliding-window cases: x {N, H, W, C}; window {kernelH, kernelW, strideH, strideW, dilationH,
     * dilationW, padTop, padLeft}; output {OH, OW}. Valid and same padding, strides, dilation,
     * asymmetric padding, empty batches and channels, and one large enough to use several threads.
     */
    public static final int[][][] WINDOW_CASES = {
        {{1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 0, 0}, {1, 1}},
        {{2, 5, 6, 3}, {3, 3, 1, 1, 1, 1, 0, 0}, {3, 4}},
        {{2, 5, 6, 3}, {3, 3, 1, 1, 1, 1, 1, 1}, {5, 6}},
        {{1, 7, 7, 2}, {3, 2, 2, 3, 1, 1, 1, 0}, {4, 2}},
        {{2, 6, 5, 1}, {2, 3, 1, 1, 2, 2, 1, 2}, {5, 5}},
        {{1, 4, 4, 4}, {2, 2, 2, 2, 1, 1, 0, 0}, {2, 2}},
        {{1, 5, 5, 2}, {3, 3, 2, 2, 1, 1, 1, 1}, {3, 3}},
        {{0, 3, 3, 2}, {2, 2, 1, 1, 1, 1, 0, 0}, {2, 2}},
        {{2, 3, 3, 0}, {2, 2, 1, 1, 1, 1, 0, 0}, {2, 2}},
        {{3, 12, 11, 5}, {5, 5, 1, 1, 1, 1, 2, 2}, {12, 11}},
    };

    /** Pooling over more channels than one vector holds (a whole one plus a tail), overlapping and disjoint windows. */
    private static final int[][][] POOL_CHANNEL_CASES = {
        {{2, 6, 6, 11}, {2, 2, 2, 2, 1, 1, 0, 0}, {3, 3}},
        {{1, 5, 7, 16}, {3, 2, 1, 2, 1, 2, 0, 0}, {3, 2}},
    };

    /** A window whose first rows lie entirely in the padding: pooling must refuse it. */
    private static final int[][] EMPTY_WINDOW_CASE = {{1, 4, 4, 1}, {2, 2, 1, 1, 1, 1, 3, 0}, {4, 3}};

    private static Window window(int[] w) { return new Window(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]); }

    private static long[] longs(int... v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }

    /** The input row (or column) tap k of output position o reads, or -1 in the padding. */
    private static long tap(long o, long k, int stride, int pad, int dilation, long size) {
        long at = o * stride - pad + k * dilation;
        return at >= 0 && at < size ? at : -1;
    }

    public int scatterAdd(DType dtype) {
        requireAccepted(dtype == DType.FLOAT32 || dtype == DType.FLOAT64, "scatterAdd", dtype);
        SplittableRandom rnd = rngFor("scatterAdd", dtype.toString());
        int start = cases;
        int c = 0;
        Call call = (b, t) -> b.scatterAdd(t[0], t[1], t[2]);
        long[][] targets = {{7}, {3, 4}, {}};
        long[][] indexShapes = {{5}, {2, 3}, {}, {0}, {40}};
        for (long[] dstShape : targets) {
            for (long[] indexShape : indexShapes) {
                c++;
                Operand dst = Operand.random(dtype, dstShape, OUTPUTS[c % OUTPUTS.length], Values.Domain.FINITE, rnd);
                long size = dst.size();
                Operand index = indices(indexShape, INPUTS[(c + 1) % INPUTS.length], size, rnd);  // duplicates are frequent
                Operand values = Operand.random(dtype, indexShape, INPUTS[c % INPUTS.length], Values.Domain.FINITE, rnd);
                double[] scale = new double[Math.toIntExact(size)];
                long[] d0 = dst.logical(), at = index.logical(), v = values.logical();
                for (int e = 0; e < scale.length; e++) scale[e] = Math.abs(Values.toDouble(dtype, d0[e]));
                for (int i = 0; i < at.length; i++) scale[(int) at[i]] += Math.abs(Values.toDouble(dtype, v[i]));
                String title = "scatterAdd into " + Arrays.toString(dstShape);
                run(title, names("dst", "index", "values"), ops(dst, index, values), 0, call, Tolerances.of("scatterAdd", dtype), scale);
                if (index.size() > 0) {
                    for (long bad : new long[] {size, BAD_INDICES[c % BAD_INDICES.length]}) {
                        run(title + " with index " + bad, names("dst", "index", "values"), ops(dst, withOneValue(index, bad, rnd), values), 0, call,
                                Tolerance.EXACT, null);
                    }
                }
            }
        }
        return cases - start;
    }

    public int im2col(DType dtype) {
        requireAccepted(dtype == DType.FLOAT32 || dtype == DType.FLOAT64, "im2col", dtype);
        SplittableRandom rnd = rngFor("im2col", dtype.toString());
        int start = cases;
        int c = 0;
        for (int[][] wc : WINDOW_CASES) {
            Window w = window(wc[1]);
            long[] xShape = longs(wc[0]);
            long[] colsShape = {xShape[0], wc[2][0], wc[2][1], w.kernelH(), w.kernelW(), xShape[3]};
            for (int i = 0; i < 3; i++) {
                c++;
                Operand x = Operand.random(dtype, xShape, INPUTS[c % INPUTS.length], Values.Domain.GENERAL, rnd);
                Operand cols = Operand.random(dtype, colsShape, OUTPUTS[c % OUTPUTS.length], Values.Domain.GENERAL, rnd);
                run("im2col " + w, names("x", "cols"), ops(x, cols), 1, (b, t) -> b.im2col(t[0], w, t[1]), Tolerances.of("im2col", dtype), null);
            }
        }
        return cases - start;
    }

    public int col2im(DType dtype) {
        requireAccepted(dtype == DType.FLOAT32 || dtype == DType.FLOAT64, "col2im", dtype);
        SplittableRandom rnd = rngFor("col2im", dtype.toString());
        int start = cases;
        int c = 0;
        for (int[][] wc : WINDOW_CASES) {
            Window w = window(wc[1]);
            long[] xShape = longs(wc[0]);
            long[] colsShape = {xShape[0], wc[2][0], wc[2][1], w.kernelH(), w.kernelW(), xShape[3]};
            for (int i = 0; i < 3; i++) {
                c++;
                Operand cols = Operand.random(dtype, colsShape, INPUTS[c % INPUTS.length], Values.Domain.FINITE, rnd);
                Operand x = Operand.random(dtype, xShape, OUTPUTS[c % OUTPUTS.length], Values.Domain.FINITE, rnd);
                double[] scale = col2imScale(cols, x, w);
                run("col2im " + w, names("cols", "x"), ops(cols, x), 1, (b, t) -> b.col2im(t[0], w, t[1]), Tolerances.of("col2im", dtype), scale);
            }
        }
        return cases - start;
    }

    /** Per x element, |x| plus the magnitudes of every cols value added into it: the scale of col2im's rounding. */
    private static double[] col2imScale(Operand cols, Operand x, Window w) {
        long[] xs = x.shape, cs = cols.shape;
        long[] xv = x.logical(), cv = cols.logical();
        double[] scale = new double[xv.length];
        for (int e = 0; e < xv.length; e++) scale[e] = Math.abs(Values.toDouble(x.dtype, xv[e]));
        int k = 0;
        for (long n = 0; n < cs[0]; n++)
            for (long oh = 0; oh < cs[1]; oh++)
                for (long ow = 0; ow < cs[2]; ow++)
                    for (long kh = 0; kh < cs[3]; kh++)
                        for (long kw = 0; kw < cs[4]; kw++)
                            for (long ch = 0; ch < cs[5]; ch++, k++) {
                                long h = tap(oh, kh, w.strideH(), w.padTop(), w.dilationH(), xs[1]);
                                long ww = tap(ow, kw, w.strideW(), w.padLeft(), w.dilationW(), xs[2]);
                                if (h < 0 || ww < 0) continue;
                                scale[(int) (((n * xs[1] + h) * xs[2] + ww) * xs[3] + ch)] += Math.abs(Values.toDouble(cols.dtype, cv[k]));
                            }
        return scale;
    }

    public int conv2d(DType dtype) {
        requireAccepted(dtype == DType.FLOAT32 || dtype == DType.FLOAT64, "conv2d", dtype);
        SplittableRandom rnd = rngFor("conv2d", dtype.toString());
        int start = cases;
        int c = 0;
        for (int[][] wc : WINDOW_CASES) {
            Window w = window(wc[1]);
            long[] xShape = longs(wc[0]);
            for (int i = 0; i < 3; i++) {
                c++;
                long f = CONV_FILTERS[c % CONV_FILTERS.length];
                long[] kShape = {w.kernelH(), w.kernelW(), xShape[3], f};
                long[] outShape = {xShape[0], wc[2][0], wc[2][1], f};
                Operand x = Operand.random(dtype, xShape, INPUTS[c % INPUTS.length], Values.Domain.FINITE, rnd);
                Operand kernel = Operand.random(dtype, kShape, INPUTS[(c + 1) % INPUTS.length], Values.Domain.FINITE, rnd);
                Operand out = Operand.random(dtype, outShape, OUTPUTS[c % OUTPUTS.length], Values.Domain.GENERAL, rnd);
                String title = "conv2d " + w + " F=" + f;
                if (i == 0) {
                    run(title + " without bias", names("x", "kernel", "out"), ops(x, kernel, out), 2, (b, t) -> b.conv2d(t[0], t[1], null, w, t[2]),
                            Tolerances.of("conv2d", dtype), convScale(x, kernel, null, w, outShape));
                } else {
                    Operand bias = Operand.random(dtype, new long[] {f}, INPUTS[(c + 2) % INPUTS.length], Values.Domain.FINITE, rnd);
                    run(title, names("x", "kernel", "bias", "out"), ops(x, kernel, bias, out), 3, (b, t) -> b.conv2d(t[0], t[1], t[2], w, t[3]),
                            Tolerances.of("conv2d", dtype), convScale(x, kernel, bias, w, outShape));
                }
            }
        }
        return cases - start;
    }

    public int conv2dKernelGrad(DType dtype) {
        requireAccepted(dtype == DType.FLOAT32 || dtype == DType.FLOAT64, "conv2dKernelGrad", dtype);
        SplittableRandom rnd = rngFor("conv2dKernelGrad", dtype.toString());
        int start = cases;
        int c = 0;
        List<int[][]> all = new ArrayList<>(Arrays.asList(WINDOW_CASES));
        all.add(CONV_GRADIENT_CASE);
        for (int[][] wc : all) {
            Window w = window(wc[1]);
            long[] xShape = longs(wc[0]);
            for (int i = 0; i < 3; i++) {
                c++;
                long f = CONV_FILTERS[c % CONV_FILTERS.length];
                long[] kShape = {w.kernelH(), w.kernelW(), xShape[3], f};
                long[] dyShape = {xShape[0], wc[2][0], wc[2][1], f};
                Operand x = Operand.random(dtype, xShape, INPUTS[c % INPUTS.length], Values.Domain.FINITE, rnd);
                Operand dy = Operand.random(dtype, dyShape, INPUTS[(c + 1) % INPUTS.length], Values.Domain.FINITE, rnd);
                Operand dk = Operand.random(dtype, kShape, OUTPUTS[c % OUTPUTS.length], Values.Domain.GENERAL, rnd);
                double[][] scales = kernelGradScales(x, dy, w, kShape);
                String title = "conv2dKernelGrad " + w + " F=" + f;
                if (i == 0) {
                    run(title + " without bias", names("x", "dy", "dkernel"), ops(x, dy, dk), 2, (b, t) -> b.conv2dKernelGrad(t[0], t[1], w, t[2], null),
                            Tolerances.of("conv2dKernelGrad", dtype), scales[0]);
                } else {
                    Operand db = Operand.random(dtype, new long[] {f}, OUTPUTS[(c + 1) % OUTPUTS.length], Values.Domain.GENERAL, rnd);
                    run(title, names("x", "dy", "dkernel", "dbias"), ops(x, dy, dk, db), new int[] {2, 3},
                            (b, t) -> b.conv2dKernelGrad(t[0], t[1], w, t[2], t[3]),
                            new Tolerance[] {Tolerances.of("conv2dKernelGrad", dtype), Tolerances.of("conv2dKernelGrad", dtype)}, scales);
                }
            }
        }
        return cases - start;
    }

    /** Filter counts for the convolution cases: one, a few, a whole block of 8 and more than one block. */
    private static final long[] CONV_FILTERS = {3, 1, 8, 11, 6};

    /** Enough rows (N * OH) for the kernel gradient's several blocks of partial sums. */
    private static final int[][] CONV_GRADIENT_CASE = {{9, 14, 13, 1}, {5, 5, 1, 1, 1, 1, 2, 2}, {14, 13}};

    /** Per output element, |bias| + the sum of |x| * |kernel| over its window: the scale of conv2d's rounding. */
    private static double[] convScale(Operand x, Operand kernel, Operand bias, Window w, long[] os) {
        long[] xs = x.shape, ks = kernel.shape, xv = x.logical(), kv = kernel.logical();
        long[] bv = bias == null ? null : bias.logical();
        double[] scale = new double[Math.toIntExact(sizeOf(os))];
        int e = 0;
        for (long n = 0; n < os[0]; n++)
            for (long oh = 0; oh < os[1]; oh++)
                for (long ow = 0; ow < os[2]; ow++)
                    for (long f = 0; f < os[3]; f++) {
                        double s = bv == null ? 0 : Math.abs(Values.toDouble(bias.dtype, bv[(int) f]));
                        for (long kh = 0; kh < ks[0]; kh++) {
                            long h = tap(oh, kh, w.strideH(), w.padTop(), w.dilationH(), xs[1]);
                            for (long kw = 0; kw < ks[1] && h >= 0; kw++) {
                                long col = tap(ow, kw, w.strideW(), w.padLeft(), w.dilationW(), xs[2]);
                                if (col < 0) continue;
                                for (long c = 0; c < ks[2]; c++) {
                                    s += Math.abs(Values.toDouble(x.dtype, xv[(int) (((n * xs[1] + h) * xs[2] + col) * xs[3] + c)]))
                                            * Math.abs(Values.toDouble(kernel.dtype, kv[(int) (((kh * ks[1] + kw) * ks[2] + c) * ks[3] + f)]));
                                }
                            }
                        }
                        scale[e++] = s;
                    }
        return scale;
    }

    /** The scales of conv2dKernelGrad's rounding: per kernel element the sum of |x| * |dy|, per bias element the sum of |dy|. */
    private static double[][] kernelGradScales(Operand x, Operand dy, Window w, long[] ks) {
        long[] xs = x.shape, ys = dy.shape, xv = x.logical(), yv = dy.logical();
        double[] kernel = new double[Math.toIntExact(sizeOf(ks))], bias = new double[(int) ks[3]];
        for (long n = 0; n < ys[0]; n++)
            for (long oh = 0; oh < ys[1]; oh++)
                for (long ow = 0; ow < ys[2]; ow++)
                    for (long f = 0; f < ys[3]; f++) {
                        double d = Math.abs(Values.toDouble(dy.dtype, yv[(int) (((n * ys[1] + oh) * ys[2] + ow) * ys[3] + f)]));
                        bias[(int) f] += d;
                        for (long kh = 0; kh < ks[0]; kh++) {
                            long h = tap(oh, kh, w.strideH(), w.padTop(), w.dilationH(), xs[1]);
                            for (long kw = 0; kw < ks[1] && h >= 0; kw++) {
                                long col = tap(ow, kw, w.strideW(), w.padLeft(), w.dilationW(), xs[2]);
                                if (col < 0) continue;
                                for (long c = 0; c < ks[2]; c++) {
                                    kernel[(int) (((kh * ks[1] + kw) * ks[2] + c) * ks[3] + f)] +=
                                            Math.abs(Values.toDouble(x.dtype, xv[(int) (((n * xs[1] + h) * xs[2] + col) * xs[3] + c)])) * d;
                                }
                            }
                        }
                    }
        return new double[][] {kernel, bias};
    }

    public int pool(PoolKind kind, DType dtype) {
        requireAccepted(dtype == DType.FLOAT32 || dtype == DType.FLOAT64, "pool " + kind, dtype);
        SplittableRandom rnd = rngFor("pool " + kind, dtype.toString());
        int start = cases;
        int c = 0;
        List<int[][]> all = new ArrayList<>(Arrays.asList(WINDOW_CASES));
        all.add(EMPTY_WINDOW_CASE);
        all.addAll(Arrays.asList(POOL_CHANNEL_CASES));
        for (int[][] wc : all) {
            Window w = window(wc[1]);
            long[] xShape = longs(wc[0]);
            long[] outShape = {xShape[0], wc[2][0], wc[2][1], xShape[3]};
            for (int i = 0; i < 3; i++) {
                c++;
                Operand x = Operand.random(dtype, xShape, INPUTS[c % INPUTS.length], Values.Domain.GENERAL, rnd);
                Operand out = Operand.random(dtype, outShape, OUTPUTS[c % OUTPUTS.length], Values.Domain.GENERAL, rnd);
                String title = "pool " + kind + " " + w;
                if (kind == PoolKind.AVG) {
                    run(title, names("x", "out"), ops(x, out), 1, (b, t) -> b.pool(kind, t[0], w, t[1], null),
                            Tolerances.of("pool." + kind, dtype), averageScale(x, w, outShape));
                } else if (i == 0) {
                    run(title + " without argmax", names("x", "out"), ops(x, out), 1, (b, t) -> b.pool(kind, t[0], w, t[1], null),
                            Tolerances.of("pool." + kind, dtype), null);
                } else {
                    Operand argmax = Operand.random(DType.INT64, outShape, OUTPUTS[(c + 1) % OUTPUTS.length], Values.Domain.GENERAL, rnd);
                    run(title, names("x", "out", "argmax"), ops(x, out, argmax), new int[] {1, 2}, (b, t) -> b.pool(kind, t[0], w, t[1], t[2]),
                            new Tolerance[] {Tolerances.of("pool." + kind, dtype), Tolerance.EXACT}, new double[][] {null, null});
                }
            }
        }
        return cases - start;
    }

    /** Per output element, the mean magnitude of its window's taps: the scale of an average's rounding. */
    private static double[] averageScale(Operand x, Window w, long[] os) {
        long[] xs = x.shape, xv = x.logical();
        double[] scale = new double[Math.toIntExact(sizeOf(os))];
        int k = 0;
        for (long n = 0; n < os[0]; n++)
            for (long oh = 0; oh < os[1]; oh++)
                for (long ow = 0; ow < os[2]; ow++)
                    for (long ch = 0; ch < os[3]; ch++, k++) {
                        double sum = 0;
                        int count = 0;
                        for (long kh = 0; kh < w.kernelH(); kh++) {
                            long h = tap(oh, kh, w.strideH(), w.padTop(), w.dilationH(), xs[1]);
                            for (long kw = 0; kw < w.kernelW() && h >= 0; kw++) {
                                long ww = tap(ow, kw, w.strideW(), w.padLeft(), w.dilationW(), xs[2]);
                                if (ww < 0) continue;
                                sum += Math.abs(Values.toDouble(x.dtype, xv[(int) (((n * xs[1] + h) * xs[2] + ww) * xs[3] + ch)]));
                                count++;
                            }
                        }
                        scale[k] = count == 0 ? 0 : sum / count;
                    }
        return scale;
    }

    /** Batch and unit counts of the recurrent-cell cases. */
    private static final int[][] CELL_SIZES = {{0, 3}, {1, 1}, {3, 5}, {5, 16}, {33, 40}};

    /**
     * One kind of recurrent step over several batch and unit counts and layouts. Inputs hold values
     * of the ranges they have in a network (gates in (0, 1), states and gradients of order 1), so
     * that every output is of order 1 and the tolerance is an absolute one (scale 16).
     */
    public int rnnCell(RnnCell kind, DType dtype) {
        requireAccepted(dtype == DType.FLOAT32 || dtype == DType.FLOAT64, "rnnCell " + kind, dtype);
        SplittableRandom rnd = rngFor("rnnCell " + kind, dtype.toString());
        String[] names = kind.names();
        int count = kind.inputs() + kind.outputs();
        int start = cases;
        int c = 0;
        for (int[] bh : CELL_SIZES) {
            for (int rep = 0; rep < 2; rep++) {
                c++;
                Operand[] ops = new Operand[count];
                for (int i = 0; i < count; i++) {
                    long[] shape = {bh[0], (long) kind.width(i) * bh[1]};
                    if (i >= kind.inputs()) {
                        ops[i] = Operand.random(dtype, shape, OUTPUTS[(c + i) % OUTPUTS.length], Values.Domain.GENERAL, rnd);
                        continue;
                    }
                    double lo = -2, hi = 2;
                    if (names[i].equals("gates")) {
                        lo = 0;
                        hi = 1;
                    }
                    ops[i] = uniform(dtype, shape, INPUTS[(c + i) % INPUTS.length], lo, hi, rnd);
                }
                int[] outputs = new int[kind.outputs()];
                Tolerance[] tols = new Tolerance[outputs.length];
                double[][] scales = new double[outputs.length][];
                for (int k = 0; k < outputs.length; k++) {
                    outputs[k] = kind.inputs() + k;
                    tols[k] = Tolerances.of("rnnCell", dtype);
                    scales[k] = new double[Math.toIntExact(ops[outputs[k]].size())];
                    Arrays.fill(scales[k], 16);
                }
                run("rnnCell " + kind + " B=" + bh[0] + " H=" + bh[1], names, ops, outputs, (b, t) -> b.rnnCell(kind, t), tols, scales);
            }
        }
        return cases - start;
    }

    /** Steps, batch and unit counts of the recurrent-sequence cases: ragged unit and row blocks of a fused backend included. */
    private static final int[][] SEQUENCE_SIZES = {{1, 1, 1}, {3, 2, 5}, {4, 3, 16}, {3, 7, 40}, {2, 5, 70}, {2, 70, 9}};

    /**
     * {@link Backend#lstmSequence} (or its grad) over several sizes: once with every operand
     * contiguous (what a fused backend takes) and once with mixed layouts. Values as in a network
     * (gates in (0, 1), u scaled by 1 / sqrt(H)), so every output is of order 1 (absolute tolerance,
     * scale 16).
     */
    public int lstmSequence(boolean grad, DType dtype) {
        String title = grad ? "lstmSequenceGrad" : "lstmSequence";
        requireAccepted(dtype == DType.FLOAT32 || dtype == DType.FLOAT64, title, dtype);
        SplittableRandom rnd = rngFor(title, dtype.toString());
        String[] names = grad ? new String[] {"gates", "c", "u", "dh", "dcLast", "dz"} : new String[] {"xproj", "u", "gates", "c", "h"};
        int[] widths = grad ? new int[] {4, 1, 0, 1, -1, 4} : new int[] {4, 0, 4, 1, 1};
        int inputs = grad ? 5 : 2;
        int start = cases;
        int c = 0;
        for (int[] tbh : SEQUENCE_SIZES) {
            long t = tbh[0], b = tbh[1], h = tbh[2];
            for (int rep = 0; rep < 2; rep++) {
                c++;
                Operand[] ops = new Operand[names.length];
                for (int k = 0; k < names.length; k++) {
                    long[] shape = widths[k] == 0 ? new long[] {h, 4 * h} : widths[k] > 0 ? new long[] {t, b, widths[k] * h} : new long[] {b, -widths[k] * h};
                    Layout layout = rep == 0 ? Layout.CONTIGUOUS : k < inputs ? INPUTS[(c + k) % INPUTS.length] : OUTPUTS[(c + k) % OUTPUTS.length];
                    if (k >= inputs) {
                        ops[k] = Operand.random(dtype, shape, layout, Values.Domain.GENERAL, rnd);
                        continue;
                    }
                    double bound = names[k].equals("u") ? 1 / Math.sqrt(h) : names[k].equals("gates") ? 1 : 2;
                    ops[k] = uniform(dtype, shape, layout, names[k].equals("gates") ? 0 : -bound, bound, rnd);
                }
                int[] outputs = new int[names.length - inputs];
                Tolerance[] tols = new Tolerance[outputs.length];
                double[][] scales = new double[outputs.length][];
                for (int k = 0; k < outputs.length; k++) {
                    outputs[k] = inputs + k;
                    tols[k] = Tolerances.of("lstmSequence", dtype);
                    scales[k] = new double[Math.toIntExact(ops[outputs[k]].size())];
                    Arrays.fill(scales[k], 16);
                }
                Call call = grad ? (be, ts) -> be.lstmSequenceGrad(ts[0], ts[1], ts[2], ts[3], ts[4], ts[5])
                        : (be, ts) -> be.lstmSequence(ts[0], ts[1], ts[2], ts[3], ts[4]);
                run(title + " T=" + t + " B=" + b + " H=" + h + (rep == 0 ? " contiguous" : " mixed layouts"), names, ops, outputs, call, tols, scales);
            }
        }
        return cases - start;
    }

    /** Uniform values in [lo, hi) in every buffer element. */
    private static Operand uniform(DType dtype, long[] shape, Layout layout, double lo, double hi, SplittableRandom rnd) {
        long[] storage = new long[Math.toIntExact(layout.place(shape).elements())];
        for (int i = 0; i < storage.length; i++) storage[i] = Values.fromDouble(dtype, rnd.nextDouble(lo, hi));
        return new Operand(dtype, shape, layout, storage);
    }

    // ------------------------------------------------------------------ transfers and validation

    /** allocate zero-fills; write and read copy the remaining bytes of heap and direct buffers, at offsets, and advance positions. */
    public void transfers() {
        cases++;
        long before = MemoryStats.allocatedBytes();
        Buffer buf = test.allocate(64);
        try {
            byte[] all = readAll(buf, 64);
            for (int i = 0; i < 64; i++) if (all[i] != 0) fail("transfers", "allocate(64) is not zero-filled at byte " + i);

            ByteBuffer heap = ByteBuffer.allocate(20);
            for (int i = 0; i < 20; i++) heap.put((byte) (i + 1));
            heap.position(4).limit(14);  // writes bytes 5..14 (values), 10 of them
            test.write(buf, 7, heap);
            if (heap.position() != 14) fail("transfers", "write did not advance the source position to its limit (" + heap.position() + ")");

            ByteBuffer direct = ByteBuffer.allocateDirect(8);
            for (int i = 0; i < 8; i++) direct.put((byte) (100 + i));
            direct.position(3);  // writes 103..107
            test.write(buf, 30, direct);

            test.write(buf, 50, ByteBuffer.wrap(new byte[] {-1, -2, -3}).asReadOnlyBuffer());

            byte[] expected = new byte[64];
            for (int i = 0; i < 10; i++) expected[7 + i] = (byte) (5 + i);
            for (int i = 0; i < 5; i++) expected[30 + i] = (byte) (103 + i);
            expected[50] = -1;
            expected[51] = -2;
            expected[52] = -3;
            all = readAll(buf, 64);
            if (!Arrays.equals(expected, all)) {
                fail("transfers", "buffer after writes: expected " + Arrays.toString(expected) + ", got " + Arrays.toString(all));
            }

            ByteBuffer into = ByteBuffer.allocateDirect(10);
            into.position(2);
            test.read(buf, 8, into);  // bytes 8..15 into positions 2..9
            if (into.position() != 10) fail("transfers", "read did not advance the destination position to its limit");
            for (int i = 0; i < 8; i++) {
                if (into.get(2 + i) != expected[8 + i]) fail("transfers", "read into a direct buffer at position 2: byte " + i + " differs");
            }

            expectThrows("write past the end", IllegalArgumentException.class, () -> test.write(buf, 60, ByteBuffer.allocate(5)));
            expectThrows("write at a negative offset", IllegalArgumentException.class, () -> test.write(buf, -1, ByteBuffer.allocate(1)));
            expectThrows("read past the end", IllegalArgumentException.class, () -> test.read(buf, 1, ByteBuffer.allocate(64)));
            expectThrows("read into a read-only buffer", IllegalArgumentException.class,
                    () -> test.read(buf, 0, ByteBuffer.allocate(4).asReadOnlyBuffer()));
            test.read(buf, 64, ByteBuffer.allocate(0));  // an empty transfer at the end is fine
        } finally {
            buf.release();
        }
        Buffer empty = test.allocate(0);
        empty.release();
        checkMemory(test, before, "transfers");
    }

    private byte[] readAll(Buffer buf, int n) {
        ByteBuffer b = ByteBuffer.allocate(n);
        test.read(buf, 0, b);
        return b.array();
    }

    /**
     * Calls that break the contract are rejected with an exception before any memory is touched:
     * wrong dtypes, shapes, axes, views reaching outside their buffer, foreign or released buffers.
     */
    public void validation() {
        cases++;
        long before = MemoryStats.allocatedBytes();
        Buffer buf = test.allocate(64);
        Buffer released = test.allocate(64);
        released.release();
        try {
            Tensor f32 = new Tensor(buf, DType.FLOAT32, new long[] {2, 3}, new long[] {3, 1}, 0);
            Tensor i64 = new Tensor(buf, DType.INT64, new long[] {2, 3}, new long[] {3, 1}, 0);
            Tensor f32x4 = new Tensor(buf, DType.FLOAT32, new long[] {4}, new long[] {1}, 0);
            Tensor i32 = new Tensor(buf, DType.INT32, new long[] {2, 3}, new long[] {3, 1}, 0);
            Tensor b8 = new Tensor(buf, DType.BOOL, new long[] {2, 3}, new long[] {3, 1}, 0);
            Class<IllegalArgumentException> iae = IllegalArgumentException.class;

            expectThrows("binary with mixed dtypes", iae, () -> test.binary(BinaryOp.ADD, f32, i64, f32));
            expectThrows("binary with mismatched shapes", iae, () -> test.binary(BinaryOp.ADD, f32, f32x4, f32));
            expectThrows("comparison into a float out", iae, () -> test.binary(BinaryOp.LT, f32, f32, f32));
            expectThrows("integer DIV", iae, () -> test.binary(BinaryOp.DIV, i32, i32, i32));
            expectThrows("integer ADD_RELU", iae, () -> test.binary(BinaryOp.ADD_RELU, i32, i32, i32));
            expectThrows("integer RELU_GRAD", iae, () -> test.binary(BinaryOp.RELU_GRAD, i32, i32, i32));
            expectThrows("bitwise AND of floats", iae, () -> test.binary(BinaryOp.AND, f32, f32, f32));
            expectThrows("unary EXP of an integer", iae, () -> test.unary(UnaryOp.EXP, i32, i32));
            expectThrows("unary INVERT of a float", iae, () -> test.unary(UnaryOp.INVERT, f32, f32));
            expectThrows("unary ISNAN into a float", iae, () -> test.unary(UnaryOp.ISNAN, f32, f32));
            expectThrows("a view past the end of its buffer", iae,
                    () -> test.unary(UnaryOp.NEG, new Tensor(buf, DType.FLOAT32, new long[] {17}, new long[] {1}, 0), f32x4));
            expectThrows("a view before the start of its buffer", iae,
                    () -> test.copy(new Tensor(buf, DType.FLOAT32, new long[] {4}, new long[] {-1}, 2), f32x4));
            expectThrows("a negative offset", iae,
                    () -> test.copy(new Tensor(buf, DType.FLOAT32, new long[] {4}, new long[] {1}, -1), f32x4));
            expectThrows("a huge stride", iae,
                    () -> test.copy(new Tensor(buf, DType.FLOAT32, new long[] {4}, new long[] {Long.MAX_VALUE / 2}, 0), f32x4));
            expectThrows("a size that overflows", iae,
                    () -> test.copy(new Tensor(buf, DType.FLOAT32, new long[] {1L << 40, 1L << 40}, new long[] {0, 0}, 0),
                            new Tensor(buf, DType.FLOAT32, new long[] {1L << 40, 1L << 40}, new long[] {0, 0}, 0)));
            expectThrows("shape and strides of different lengths", iae,
                    () -> test.copy(new Tensor(buf, DType.FLOAT32, new long[] {4}, new long[] {1, 1}, 0), f32x4));
            expectThrows("a negative dimension", iae,
                    () -> test.copy(new Tensor(buf, DType.FLOAT32, new long[] {-4}, new long[] {1}, 0), f32x4));
            expectThrows("reduce with unsorted axes", iae,
                    () -> test.reduce(ReduceOp.SUM, f32, new int[] {1, 0}, new Tensor(buf, DType.FLOAT32, new long[] {1, 1}, new long[] {1, 1}, 0)));
            expectThrows("reduce with an axis out of range", iae,
                    () -> test.reduce(ReduceOp.SUM, f32, new int[] {2}, f32));
            expectThrows("reduce into the wrong shape", iae, () -> test.reduce(ReduceOp.SUM, f32, new int[] {1}, f32));
            expectThrows("ARGMAX over two axes", iae,
                    () -> test.reduce(ReduceOp.ARGMAX, f32, new int[] {0, 1}, new Tensor(buf, DType.INT64, new long[] {1, 1}, new long[] {1, 1}, 0)));
            expectThrows("ANY into a float", iae,
                    () -> test.reduce(ReduceOp.ANY, f32, new int[] {0, 1}, new Tensor(buf, DType.FLOAT32, new long[] {1, 1}, new long[] {1, 1}, 0)));
            expectThrows("matmul with mismatched inner dims", iae, () -> test.matmul(f32, f32, f32));
            expectThrows("gather with an int32 index", iae, () -> test.gather(f32, i32, f32));
            expectThrows("scatter of another dtype", iae, () -> test.scatter(f32, i64, i64));
            expectThrows("where with a float cond", iae, () -> test.where(f32, f32, f32, f32));
            expectThrows("random into an integer", iae, () -> test.random(RandomKind.UNIFORM, 0, 0, 0, 1, i32));
            expectThrows("copy between shapes", iae, () -> test.copy(b8, f32x4));
            expectThrows("a broadcast output", iae,
                    () -> test.unary(UnaryOp.NEG, f32, new Tensor(buf, DType.FLOAT32, new long[] {2, 3}, new long[] {0, 1}, 0)));

            Tensor img = new Tensor(buf, DType.FLOAT32, new long[] {1, 2, 2, 1}, new long[] {4, 2, 1, 1}, 0);
            Tensor imgI32 = new Tensor(buf, DType.INT32, new long[] {1, 2, 2, 1}, new long[] {4, 2, 1, 1}, 0);
            Tensor cols = new Tensor(buf, DType.FLOAT32, new long[] {1, 1, 1, 2, 2, 1}, new long[] {4, 4, 4, 2, 1, 1}, 4);
            Window w2 = Window.of(2, 2, 1, 1);
            expectThrows("im2col of an integer image", iae, () -> test.im2col(imgI32, w2, cols));
            expectThrows("im2col with cols of the wrong kernel", iae, () -> test.im2col(img, Window.of(3, 3, 1, 1), cols));
            expectThrows("im2col writing over its input", iae, () -> test.im2col(img, w2,
                    new Tensor(buf, DType.FLOAT32, new long[] {1, 1, 1, 2, 2, 1}, new long[] {4, 4, 4, 2, 1, 1}, 2)));
            expectThrows("pool AVG with argmax", iae, () -> test.pool(PoolKind.AVG, img,
                    w2, new Tensor(buf, DType.FLOAT32, new long[] {1, 1, 1, 1}, new long[] {1, 1, 1, 1}, 4),
                    new Tensor(buf, DType.INT64, new long[] {1, 1, 1, 1}, new long[] {1, 1, 1, 1}, 3)));
            expectThrows("pool over a window entirely in the padding", iae, () -> test.pool(PoolKind.MAX, img,
                    new Window(2, 2, 1, 1, 1, 1, 2, 0), new Tensor(buf, DType.FLOAT32, new long[] {1, 1, 1, 1}, new long[] {1, 1, 1, 1}, 4), null));
            expectThrows("scatterAdd into an integer dst", iae, () -> test.scatterAdd(i32, i64, i32));
            expectThrows("rnnCell with too few operands", iae, () -> test.rnnCell(RnnCell.LSTM_FORWARD, new Tensor[] {f32, f32}));
            Tensor row4 = new Tensor(buf, DType.FLOAT32, new long[] {1, 4}, new long[] {4, 1}, 0);
            Tensor row1 = new Tensor(buf, DType.FLOAT32, new long[] {1, 1}, new long[] {1, 1}, 8);
            expectThrows("rnnCell writing over an input", iae, () -> test.rnnCell(RnnCell.LSTM_FORWARD,
                    new Tensor[] {row4, row4, row1, row4, new Tensor(buf, DType.FLOAT32, new long[] {1, 1}, new long[] {1, 1}, 9), row1}));
            // LSTM sequence, T = B = H = 1 in 16 floats: xproj/gates [1, 1, 4], u [1, 4], c/h [1, 1, 1].
            Tensor seq4 = new Tensor(buf, DType.FLOAT32, new long[] {1, 1, 4}, new long[] {4, 4, 1}, 0);
            Tensor u14 = new Tensor(buf, DType.FLOAT32, new long[] {1, 4}, new long[] {4, 1}, 4);
            Tensor gates4 = new Tensor(buf, DType.FLOAT32, new long[] {1, 1, 4}, new long[] {4, 4, 1}, 8);
            Tensor c1 = new Tensor(buf, DType.FLOAT32, new long[] {1, 1, 1}, new long[] {1, 1, 1}, 12);
            Tensor h1 = new Tensor(buf, DType.FLOAT32, new long[] {1, 1, 1}, new long[] {1, 1, 1}, 13);
            expectThrows("lstmSequence with u not [H, 4H]", iae,
                    () -> test.lstmSequence(seq4, new Tensor(buf, DType.FLOAT32, new long[] {1, 3}, new long[] {3, 1}, 4), gates4, c1, h1));
            expectThrows("lstmSequence writing h over c", iae, () -> test.lstmSequence(seq4, u14, gates4, c1, c1));
            expectThrows("lstmSequenceGrad writing dz over gates", iae,
                    () -> test.lstmSequenceGrad(gates4, c1, u14, h1, new Tensor(buf, DType.FLOAT32, new long[] {1, 1}, new long[] {1, 1}, 14), gates4));

            Buffer foreign = new ForeignBuffer();
            expectThrows("a buffer of another device", iae,
                    () -> test.copy(new Tensor(foreign, DType.FLOAT32, new long[] {4}, new long[] {1}, 0), f32x4));
            expectThrows("write to a buffer of another device", iae, () -> test.write(foreign, 0, ByteBuffer.allocate(4)));
            expectThrows("a released buffer", RuntimeException.class,
                    () -> test.copy(new Tensor(released, DType.FLOAT32, new long[] {4}, new long[] {1}, 0), f32x4));
        } finally {
            buf.release();
        }
        checkMemory(test, before, "validation");
    }

    /** A buffer on a device no backend serves. */
    private static final class ForeignBuffer extends Buffer {
        ForeignBuffer() { super(new Device("conformance-foreign", 0), 64, () -> {}, false); }
    }

    private void expectThrows(String what, Class<? extends RuntimeException> type, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            if (type.isInstance(e)) return;
            throw new AssertionError(test.name() + ": " + what + ": expected " + type.getSimpleName() + ", got " + e, e);
        }
        throw new AssertionError(test.name() + ": " + what + ": expected " + type.getSimpleName() + ", but the call succeeded");
    }

    private void fail(String what, String message) { throw new AssertionError(test.name() + ": " + what + ": " + message); }

    // ------------------------------------------------------------------ the comparison engine

    /** Runs one primitive on uploaded operands. */
    @FunctionalInterface
    public interface Call {
        void run(Backend backend, Tensor[] tensors);
    }

    private record Outcome(RuntimeException error, long[][] storage) {}

    /**
     * Runs the call on both backends with the same operands (an Operand given twice is one tensor:
     * in-place) and compares: operand {@code output} within tol (scale per logical element, or null),
     * everything else bit for bit against its initial contents.
     */
    private void run(String title, String[] names, Operand[] ops, int output, Call call, Tolerance tol, double[] scale) {
        run(title, names, ops, new int[] {output}, call, new Tolerance[] {tol}, new double[][] {scale});
    }

    /** As above, for calls that write several outputs, each with its tolerance and scale. */
    private void run(String title, String[] names, Operand[] ops, int[] outputs, Call call, Tolerance[] tols, double[][] scales) {
        cases++;
        Tolerance tol = tols[0];
        Outcome want = execute(reference, ops, call, title);
        Outcome got = execute(test, ops, call, title);
        String where = test.name() + ": " + title + " on " + describe(names, ops);
        if (want.error != null) {
            if (got.error == null) {
                throw new AssertionError(where + ": expected " + kind(want.error) + " like the reference (" + want.error.getMessage()
                        + "), but the call succeeded");
            }
            if (!kind(want.error).equals(kind(got.error))) {
                throw new AssertionError(where + ": expected " + kind(want.error) + " like the reference (" + want.error.getMessage()
                        + "). Received: " + got.error, got.error);
            }
            for (int i = 0; i < ops.length; i++) {
                if (!sameStorage(ops[i].dtype, ops[i].storage, got.storage[i])) {
                    throw new AssertionError(where + ": " + names[i] + " was written although the call failed (" + got.error.getMessage() + ")");
                }
            }
            return;
        }
        if (got.error != null) throw new AssertionError(where + ": failed where the reference succeeds: " + got.error, got.error);

        List<String> problems = new ArrayList<>();
        for (int i = 0; i < ops.length; i++) {
            int k = indexOf(outputs, i);
            if (k < 0 && isInPlaceInput(ops, outputs, i)) continue;  // the in-place input is checked as the output
            if (k >= 0) compareOutput(ops, names, i, want.storage[i], got.storage[i], tols[k], scales[k], problems);
            else if (!sameStorage(ops[i].dtype, ops[i].storage, got.storage[i])) problems.add("input " + names[i] + " was modified");
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(where + " (tolerance " + tol + "): " + problems.size() + " problem(s), first ones:\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(8, problems.size()))));
        }
    }

    private static int indexOf(int[] values, int v) {
        for (int k = 0; k < values.length; k++) if (values[k] == v) return k;
        return -1;
    }

    private static boolean isInPlaceInput(Operand[] ops, int[] outputs, int i) {
        for (int o : outputs) if (ops[o] == ops[i] && o != i) return true;
        return false;
    }

    private void compareOutput(Operand[] ops, String[] names, int o, long[] want, long[] got, Tolerance tol, double[] scale, List<String> problems) {
        Operand out = ops[o];
        long[] at = out.elementIndices();
        boolean[] inView = new boolean[out.storage.length];
        for (int k = 0; k < at.length; k++) {
            int e = (int) at[k];
            inView[e] = true;
            long w = want[e], g = got[e];
            boolean ok = tol.isExact() || !out.dtype.isFloat()
                    ? Values.sameBits(out.dtype, w, g)
                    : tol.accepts(Values.toDouble(out.dtype, w), Values.toDouble(out.dtype, g), scale == null ? 0 : scale[k]);
            if (!ok) {
                problems.add(names[o] + position(out.shape, k) + ": expected " + Values.show(out.dtype, w) + ", got "
                        + Values.show(out.dtype, g) + inputsAt(ops, names, o, k));
            }
        }
        for (int e = 0; e < out.storage.length; e++) {
            if (!inView[e] && Values.normalize(out.dtype, got[e]) != Values.normalize(out.dtype, out.storage[e])) {
                problems.add(names[o] + ": buffer element " + e + " lies outside the view but was written");
            }
        }
    }

    /** The inputs' values at logical position k, for inputs of the output's shape. */
    private static String inputsAt(Operand[] ops, String[] names, int o, long k) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < ops.length; i++) {
            if (i == o || !Arrays.equals(ops[i].shape, ops[o].shape)) continue;
            s.append(s.length() == 0 ? " (inputs: " : ", ").append(names[i]).append('=')
                    .append(Values.show(ops[i].dtype, ops[i].logical()[(int) k]));
        }
        return s.length() == 0 ? "" : s.append(')').toString();
    }

    private Outcome execute(Backend backend, Operand[] ops, Call call, String title) {
        long before = MemoryStats.allocatedBytes();
        Map<Operand, Tensor> uploaded = new IdentityHashMap<>();
        try {
            Tensor[] tensors = new Tensor[ops.length];
            for (int i = 0; i < ops.length; i++) tensors[i] = uploaded.computeIfAbsent(ops[i], op -> op.upload(backend));
            RuntimeException error = null;
            try {
                call.run(backend, tensors);
            } catch (RuntimeException e) {
                error = e;
            }
            long[][] storage = new long[ops.length][];
            for (int i = 0; i < ops.length; i++) storage[i] = ops[i].download(backend, tensors[i]);
            return new Outcome(error, storage);
        } finally {
            for (Tensor t : uploaded.values()) t.buffer().release();
            checkMemory(backend, before, title);
        }
    }

    private static void checkMemory(Backend backend, long before, String title) {
        // Only growth counts: a drop can be the GC's cleaner freeing something leaked earlier.
        long leaked = MemoryStats.allocatedBytes() - before;
        if (leaked > 0) throw new AssertionError(backend.name() + ": " + title + ": " + leaked + " bytes still allocated after every buffer was released");
    }

    /** The category of an error that backends must agree on. */
    private static String kind(RuntimeException e) {
        if (e instanceof IndexOutOfBoundsException) return "IndexOutOfBoundsException";
        if (e instanceof IllegalArgumentException) return "IllegalArgumentException";
        if (e instanceof IllegalStateException) return "IllegalStateException";
        return e.getClass().getSimpleName();
    }

    private static boolean sameStorage(DType t, long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) if (Values.normalize(t, a[i]) != Values.normalize(t, b[i])) return false;
        return true;
    }

    /** Makes about a quarter of b's logical values equal to a's, so that comparisons meet equal values. */
    private static void shareSomeValues(Operand a, Operand b, SplittableRandom rnd) {
        long[] av = a.logical();
        long[] bAt = b.elementIndices();
        for (int k = 0; k < bAt.length; k++) if (rnd.nextInt(4) == 0) b.storage[(int) bAt[k]] = av[k];
    }

    // ------------------------------------------------------------------ small helpers

    private static SplittableRandom rngFor(String op, String detail) {
        return new SplittableRandom((op + "/" + detail).hashCode() * 0x9E3779B97F4A7C15L);
    }

    private static void requireAccepted(boolean ok, String op, DType t) {
        if (!ok) throw new IllegalArgumentException(op + " is not defined on " + t + " by the backend contract");
    }

    private static String[] names(String... names) { return names; }

    private static Operand[] ops(Operand... ops) { return ops; }

    private static long[] concat(long[] batch, long... tail) {
        long[] s = Arrays.copyOf(batch, batch.length + tail.length);
        System.arraycopy(tail, 0, s, batch.length, tail.length);
        return s;
    }

    private static long sizeOf(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    private static String position(long[] shape, long k) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = k % shape[d];
            k /= shape[d];
        }
        return Arrays.toString(idx);
    }

    private static String describe(String[] names, Operand[] ops) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < ops.length; i++) {
            if (i > 0) s.append(", ");
            s.append(names[i]).append('=').append(ops[i]);
        }
        return s.toString();
    }
}
