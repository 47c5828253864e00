package org.pyj4.nn.bench;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.pyj4.backend.Backend;
import org.pyj4.backend.BackendProvider;
import org.pyj4.backend.Backends;
import org.pyj4.backend.BinaryOp;
import org.pyj4.backend.OptimizerKind;
import org.pyj4.backend.PoolKind;
import org.pyj4.backend.RandomKind;
import org.pyj4.backend.ReduceOp;
import org.pyj4.backend.RnnCell;
import org.pyj4.backend.Tensor;
import org.pyj4.backend.UnaryOp;
import org.pyj4.backend.Window;
import org.pyj4.memory.Buffer;
import org.pyj4.ndarray.Device;

/**
 * A profiling backend for the benches ("timed", test class path only): the native CPU backend with
 * every primitive timed and counted by op and shape, so a bench can print where a training step
 * spends its time. Select it with -Dpyj4.backend=timed; {@link #report()} prints the table.
 */
public final class TimedBackend implements Backend {
    private static final Map<String, long[]> STATS = new TreeMap<>();  // key -> {calls, nanos}
    private final Backend cpu = Backends.get("cpu");

    public static final class Provider implements BackendProvider {
        @Override public String name() { return "timed"; }
        @Override public int rank() { return -100; }
        @Override public String unavailableReason() { return Backends.registered().contains("cpu") ? null : "needs the cpu backend"; }
        @Override public Backend create() { return new TimedBackend(); }
    }

    private static String shape(Tensor t) { return t == null ? "-" : Arrays.toString(t.shape()); }

    private static void time(String key, Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        long dt = System.nanoTime() - t0;
        synchronized (STATS) {
            long[] s = STATS.computeIfAbsent(key, k -> new long[2]);
            s[0]++;
            s[1] += dt;
        }
    }

    /** Prints op, calls and total milliseconds, largest first, and resets. */
    public static void report(int steps) {
        synchronized (STATS) {
            long total = 0;
            for (long[] s : STATS.values()) total += s[1];
            System.out.printf(Locale.ROOT, "primitives: %.3f ms per step in %d calls%n", total / 1e6 / steps,
                    STATS.values().stream().mapToLong(s -> s[0]).sum() / Math.max(1, steps));
            STATS.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(40).forEach(e ->
                    System.out.printf(Locale.ROOT, "%9.3f ms/step %6d calls/step  %s%n", e.getValue()[1] / 1e6 / steps, e.getValue()[0] / steps, e.getKey()));
            STATS.clear();
        }
    }


    @Override public String name() { return "timed"; }
    @Override public Device device() { return cpu.device(); }
    @Override public Buffer allocate(long bytes) {
        Buffer[] b = new Buffer[1];
        time("allocate" + (bytes >= 1 << 20 ? " >=1MiB" : ""), () -> b[0] = cpu.allocate(bytes));
        return b[0];
    }
    @Override public Buffer allocateUninitialized(long bytes) {
        Buffer[] b = new Buffer[1];
        time("allocate uninitialized" + (bytes >= 1 << 20 ? " >=1MiB" : ""), () -> b[0] = cpu.allocateUninitialized(bytes));
        return b[0];
    }
    @Override public void write(Buffer dst, long off, ByteBuffer src) { time("write", () -> cpu.write(dst, off, src)); }
    @Override public void read(Buffer src, long off, ByteBuffer dst) { time("read", () -> cpu.read(src, off, dst)); }
    @Override public void copy(Tensor s, Tensor d) { time("copy " + s.dtype() + shape(s) + "->" + d.dtype(), () -> cpu.copy(s, d)); }
    @Override public void unary(UnaryOp op, Tensor x, Tensor o) { time("unary " + op + shape(x), () -> cpu.unary(op, x, o)); }
    @Override public void binary(BinaryOp op, Tensor a, Tensor b, Tensor o) { time("binary " + op + shape(a), () -> cpu.binary(op, a, b, o)); }
    @Override public void where(Tensor c, Tensor a, Tensor b, Tensor o) { time("where" + shape(a), () -> cpu.where(c, a, b, o)); }
    @Override public void reduce(ReduceOp op, Tensor x, int[] axes, Tensor o) { time("reduce " + op + shape(x) + Arrays.toString(axes), () -> cpu.reduce(op, x, axes, o)); }
    @Override public void matmul(Tensor a, Tensor b, Tensor o) {
        time("matmul " + shape(a) + Arrays.toString(a.strides()) + " @ " + shape(b) + Arrays.toString(b.strides()), () -> cpu.matmul(a, b, o));
    }
    @Override public void gather(Tensor x, Tensor i, Tensor o) { time("gather" + shape(o), () -> cpu.gather(x, i, o)); }
    @Override public void scatter(Tensor d, Tensor i, Tensor v) { time("scatter" + shape(v), () -> cpu.scatter(d, i, v)); }
    @Override public void random(RandomKind k, long seed, long counter, double a, double b, Tensor o) { time("random", () -> cpu.random(k, seed, counter, a, b, o)); }
    @Override public void optimizerStep(OptimizerKind k, Tensor p, Tensor g, Tensor[] s, double[] h) { time("optimizerStep " + k, () -> cpu.optimizerStep(k, p, g, s, h)); }
    @Override public void scatterAdd(Tensor d, Tensor i, Tensor v) { time("scatterAdd" + shape(v), () -> cpu.scatterAdd(d, i, v)); }
    @Override public void im2col(Tensor x, Window w, Tensor c) { time("im2col " + shape(x) + " -> " + shape(c), () -> cpu.im2col(x, w, c)); }
    @Override public void col2im(Tensor c, Window w, Tensor x) { time("col2im " + shape(c) + " -> " + shape(x), () -> cpu.col2im(c, w, x)); }
    @Override public void conv2d(Tensor x, Tensor k, Tensor b, Window w, Tensor o) { time("conv2d " + shape(x) + " * " + shape(k), () -> cpu.conv2d(x, k, b, w, o)); }
    @Override public void conv2dKernelGrad(Tensor x, Tensor dy, Window w, Tensor dk, Tensor db) {
        time("conv2dKernelGrad " + shape(x) + " -> " + shape(dk), () -> cpu.conv2dKernelGrad(x, dy, w, dk, db));
    }
    @Override public void pool(PoolKind k, Tensor x, Window w, Tensor o, Tensor a) { time("pool " + k + shape(x), () -> cpu.pool(k, x, w, o, a)); }
    @Override public void rnnCell(RnnCell k, Tensor[] ops) { time("rnnCell " + k + shape(ops[0]), () -> cpu.rnnCell(k, ops)); }
    @Override public void lstmSequence(Tensor xp, Tensor u, Tensor g, Tensor c, Tensor h) { time("lstmSequence" + shape(xp), () -> cpu.lstmSequence(xp, u, g, c, h)); }
    @Override public void lstmSequenceGrad(Tensor g, Tensor c, Tensor u, Tensor dh, Tensor dcl, Tensor dz) {
        time("lstmSequenceGrad" + shape(g), () -> cpu.lstmSequenceGrad(g, c, u, dh, dcl, dz));
    }
}
