package org.pyj4.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pyj4.backend.BackendException;
import org.pyj4.backend.Backends;
import org.pyj4.backend.BinaryOp;
import org.pyj4.backend.ReduceOp;
import org.pyj4.backend.Tensor;
import org.pyj4.backend.UnaryOp;
import org.pyj4.memory.Buffer;
import org.pyj4.memory.MemoryStats;
import org.pyj4.ndarray.DType;

/**
 * Drives the JNI entry points with thousands of malformed descriptors (bad dtype codes, ranks,
 * negative dims, strides that reach outside the buffer either way, overflowing strides, wrong
 * shapes and dtypes, bad op codes and axes, out-of-range gather indices, truncated descriptor
 * arrays, null arrays, read-only outputs) straight at {@link CpuNative}, bypassing the Java checks:
 * each must end in a Java exception, and the JVM must still run afterwards.
 */
class InvalidCallsFuzzTest {
    private static final int CALLS = 20_000;
    private static final long BUFFER_BYTES = 4096;

    @BeforeAll static void load() {
        Backends.get("cpu");  // loads the library, or fails this class with the reason
    }

    /**
     * A valid float32 [8, 8] descriptor that claims exactly its 256 bytes (of a larger allocation):
     * every corruption below then reaches outside it or is malformed, so every call must fail.
     */
    private static long[] valid(long address) {
        return new long[] {address, 256, DType.FLOAT32.ordinal(), 2, 0, 0, 8, 8, 8, 1};
    }

    private static long[] concat(long[]... parts) {
        int n = 0;
        for (long[] p : parts) n += p.length;
        long[] out = new long[n];
        int at = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** One corruption of a 10-word descriptor (2-D), chosen by r. */
    private static long[] corrupt(long[] d, SplittableRandom r) {
        long[] c = d.clone();
        long[] extremes = {-1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 40, -(1L << 40), 9, 65, 1024, Integer.MAX_VALUE};
        switch (r.nextInt(11)) {
            case 0: c[2] = r.nextBoolean() ? 10 + r.nextInt(100) : -1 - r.nextInt(100); break;     // dtype code
            case 1: c[3] = r.nextBoolean() ? 17 + r.nextInt(100) : -1 - r.nextInt(3); break;       // rank
            case 2: c[6 + r.nextInt(2)] = -1 - r.nextInt(10); break;                               // negative dim
            case 3: c[6 + r.nextInt(2)] = r.nextBoolean() ? 9 + r.nextInt(1000) : extremes[r.nextInt(extremes.length)]; break;  // dim
            case 4: c[8 + r.nextInt(2)] = r.nextBoolean() ? 9 + r.nextInt(1000) : -1 - r.nextInt(1000); break;  // stride
            case 5: c[4] = r.nextBoolean() ? 1 + r.nextInt(1000) : extremes[r.nextInt(extremes.length)] * -1; break; // offset
            case 6: c[1] = r.nextInt(255); break;                                                  // too small a buffer
            case 7: c[0] = 0; break;                                                               // null address
            case 8: c[0] += 1 + r.nextInt(3); c[1] -= 4; break;                                    // misaligned
            case 9: c[8] = -8; c[4] = r.nextInt(56); break;                                        // negative stride below 0
            default: c[1] = -1 - r.nextInt(1000); break;                                           // negative byte size
        }
        return c;
    }

    @Test void malformedDescriptorsAlwaysThrowAndNeverCrash() {
        Buffer x = Backends.get("cpu").allocate(BUFFER_BYTES), y = Backends.get("cpu").allocate(BUFFER_BYTES);
        long ax = ((org.pyj4.memory.HostBuffer) x).address(), ay = ((org.pyj4.memory.HostBuffer) y).address();
        SplittableRandom r = new SplittableRandom(2024);
        long[] vx = valid(ax), vy = valid(ay);
        int[] thrown = new int[1];
        try {
            for (int i = 0; i < CALLS; i++) {
                long[] bad = corrupt(vx, r);
                boolean badFirst = r.nextBoolean();
                long[] first = badFirst ? bad : vx, second = badFirst ? vy : corrupt(vy, r);
                int which = r.nextInt(9);
                expectFailure(thrown, () -> {
                    switch (which) {
                        case 0: CpuNative.unary(r.nextInt(UnaryOp.values().length), concat(first, second)); break;
                        case 1: CpuNative.binary(r.nextInt(BinaryOp.values().length), concat(first, vx, second)); break;
                        case 2: CpuNative.copy(concat(first, second)); break;
                        case 3: CpuNative.reduce(r.nextInt(ReduceOp.values().length), new int[] {0}, concat(first, second)); break;
                        case 4: CpuNative.matmul(concat(first, vx, second)); break;
                        case 5: CpuNative.where(concat(first, vx, vx, second)); break;
                        case 6: CpuNative.random(r.nextInt(2), 1, 0, 0, 1, bad); break;
                        case 7: if (r.nextBoolean()) CpuLayerNative.lstmSequence(false, concat(first, vx, vy, second, vx));
                                else CpuLayerNative.lstmSequence(true, concat(vx, first, vy, vx, second, vy)); break;
                        default: CpuNative.gather(concat(first, second, second)); break;
                    }
                });
            }
        } finally {
            x.release();
            y.release();
        }
        assertEquals(CALLS, thrown[0]);
    }

    @Test void wrongShapesDtypesOpsAndAxesAreRejected() {
        Buffer buf = Backends.get("cpu").allocate(BUFFER_BYTES);
        long a = ((org.pyj4.memory.HostBuffer) buf).address();
        long[] f32 = valid(a);
        long[] f64 = f32.clone();
        f64[2] = DType.FLOAT64.ordinal();
        long[] i64 = f32.clone();
        i64[2] = DType.INT64.ordinal();
        long[] flat = {a, 256, DType.FLOAT32.ordinal(), 1, 0, 0, 64, 1};
        long[] readOnly = f32.clone();
        readOnly[5] = Descriptors.READ_ONLY;
        long[] broadcastOut = {a, 256, DType.FLOAT32.ordinal(), 2, 0, 0, 8, 8, 0, 1};
        int[] thrown = new int[1];
        try {
            expectFailure(thrown, () -> CpuNative.unary(UnaryOp.EXP.ordinal(), concat(f32, f64)));
            expectFailure(thrown, () -> CpuLayerNative.lstmSequence(false, concat(f32, f32, f32, f32, f32)));  // 2-D, not [T, B, 4H]
            expectFailure(thrown, () -> CpuLayerNative.lstmSequence(true, concat(f32, f32, f32)));  // too few descriptors
            expectFailure(thrown, () -> CpuNative.unary(UnaryOp.EXP.ordinal(), concat(f32, flat)));
            expectFailure(thrown, () -> CpuNative.unary(UnaryOp.EXP.ordinal(), concat(i64, i64)));
            expectFailure(thrown, () -> CpuNative.unary(UnaryOp.NEG.ordinal(), concat(f32, readOnly)));
            expectFailure(thrown, () -> CpuNative.unary(UnaryOp.NEG.ordinal(), concat(f32, broadcastOut)));
            expectFailure(thrown, () -> CpuNative.unary(99, concat(f32, f32)));
            expectFailure(thrown, () -> CpuNative.unary(-1, concat(f32, f32)));
            expectFailure(thrown, () -> CpuNative.binary(BinaryOp.values().length, concat(f32, f32, f32)));
            expectFailure(thrown, () -> CpuNative.binary(BinaryOp.AND.ordinal(), concat(f32, f32, f32)));
            expectFailure(thrown, () -> CpuNative.reduce(ReduceOp.SUM.ordinal(), new int[] {2}, concat(f32, f32)));
            expectFailure(thrown, () -> CpuNative.reduce(ReduceOp.SUM.ordinal(), new int[] {1, 0}, concat(f32, f32)));
            expectFailure(thrown, () -> CpuNative.reduce(ReduceOp.SUM.ordinal(), null, concat(f32, f32)));
            expectFailure(thrown, () -> CpuNative.reduce(ReduceOp.ARGMAX.ordinal(), new int[] {0, 1}, concat(f32, i64)));
            expectFailure(thrown, () -> CpuNative.matmul(concat(f32, flat, f32)));
            expectFailure(thrown, () -> CpuNative.copy(null));
            expectFailure(thrown, () -> CpuNative.copy(new long[] {a}));                      // truncated
            expectFailure(thrown, () -> CpuNative.copy(concat(f32, f32, new long[] {7})));    // trailing words
            expectFailure(thrown, () -> CpuNative.copy(new long[1000]));                      // too long
            expectFailure(thrown, () -> CpuNative.optimizerStep(0, 5, new double[4], concat(f32, f32)));
            expectFailure(thrown, () -> CpuNative.optimizerStep(9, 0, new double[4], concat(f32, f32)));
            expectFailure(thrown, () -> CpuNative.selectIsa("sse9"));
            expectFailure(thrown, () -> CpuNative.setThreads(0));
        } finally {
            buf.release();
        }
        assertEquals(24, thrown[0]);
    }

    @Test void denseEntriesValidateTheirScalarsLikeDescriptors() {
        Buffer buf = Backends.get("cpu").allocate(BUFFER_BYTES);
        long a = ((org.pyj4.memory.HostBuffer) buf).address();
        int f32 = DType.FLOAT32.ordinal(), add = BinaryOp.ADD.ordinal(), neg = UnaryOp.NEG.ordinal();
        int[] thrown = new int[1];
        try {
            CpuNative.binaryDense(add, f32, f32, 64, a, 256, 0, a, 256, 0, a, 256, 0, 0);  // valid: in place
            CpuNative.unaryDense(neg, f32, f32, 64, a, 256, 0, a, 256, 0, 0);
            expectFailure(thrown, () -> CpuNative.binaryDense(add, f32, f32, 65, a, 256, 0, a, 256, 0, a, 256, 0, 0));  // past the end
            expectFailure(thrown, () -> CpuNative.binaryDense(add, f32, f32, 64, a, 256, 1, a, 256, 0, a, 256, 0, 0));  // offset pushes past
            expectFailure(thrown, () -> CpuNative.binaryDense(add, f32, f32, -1, a, 256, 0, a, 256, 0, a, 256, 0, 0));  // negative count
            expectFailure(thrown, () -> CpuNative.binaryDense(add, f32, f32, 8, 0, 256, 0, a, 256, 0, a, 256, 0, 0));   // null address
            expectFailure(thrown, () -> CpuNative.binaryDense(add, f32, f32, 8, a + 2, 256, 0, a, 256, 0, a, 256, 0, 0)); // misaligned
            expectFailure(thrown, () -> CpuNative.binaryDense(add, f32, f32, 8, a, 256, -1, a, 256, 0, a, 256, 0, 0));  // before the start
            expectFailure(thrown, () -> CpuNative.binaryDense(add, f32, f32, 8, a, 256, 0, a, 256, 0, a, 256, 0, Descriptors.READ_ONLY));
            expectFailure(thrown, () -> CpuNative.binaryDense(add, 99, 99, 8, a, 256, 0, a, 256, 0, a, 256, 0, 0));     // dtype code
            expectFailure(thrown, () -> CpuNative.binaryDense(-1, f32, f32, 8, a, 256, 0, a, 256, 0, a, 256, 0, 0));    // op code
            expectFailure(thrown, () -> CpuNative.binaryDense(BinaryOp.AND.ordinal(), f32, f32, 8, a, 256, 0, a, 256, 0, a, 256, 0, 0));
            expectFailure(thrown, () -> CpuNative.unaryDense(neg, f32, f32, 8, a, 256, 0, a, 16, 0, 0));                  // out too small
            expectFailure(thrown, () -> CpuNative.unaryDense(neg, f32, f32, 8, a, 256, 0, a, 256, 0, Descriptors.READ_ONLY));
            expectFailure(thrown, () -> CpuNative.unaryDense(UnaryOp.EXP.ordinal(), DType.INT64.ordinal(), DType.INT64.ordinal(), 8, a, 256, 0, a, 256, 0, 0));
        } finally {
            buf.release();
        }
        assertEquals(13, thrown[0]);
    }

    @Test void smallBlocksAreReusedAlignedAndAccounted() throws Exception {
        CpuBackend cpu = (CpuBackend) Backends.get("cpu");
        long before = MemoryStats.allocatedBytes();
        Buffer first = cpu.allocateUninitialized(100);
        long address = ((org.pyj4.memory.HostBuffer) first).address();
        assertEquals(0, address % 64, "64-byte aligned");
        assertEquals(before + 100, MemoryStats.allocatedBytes());
        first.release();
        assertEquals(before, MemoryStats.allocatedBytes());
        Buffer again = cpu.allocateUninitialized(128);  // the same class (blocks of 128 bytes): the same block
        assertEquals(address, ((org.pyj4.memory.HostBuffer) again).address());
        again.release();
        // threads taking and giving blocks at once never hand one block to two live buffers
        Thread[] threads = new Thread[4];
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                try {
                    for (int i = 0; i < 20_000; i++) {
                        Buffer b1 = cpu.allocateUninitialized(64), b2 = cpu.allocateUninitialized(64);
                        long p1 = ((org.pyj4.memory.HostBuffer) b1).address(), p2 = ((org.pyj4.memory.HostBuffer) b2).address();
                        org.pyj4.memory.NativeMemory.putLong(p1, 1);
                        org.pyj4.memory.NativeMemory.putLong(p2, 2);
                        if (p1 == p2 || org.pyj4.memory.NativeMemory.getLong(p1) != 1) throw new AssertionError("one block handed out twice");
                        b1.release();
                        b2.release();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) t.join();
        if (failure.get() != null) throw new AssertionError(failure.get());
        assertEquals(before, MemoryStats.allocatedBytes());
    }

    @Test void gatherAndScatterCheckEveryIndexBeforeWriting() {
        CpuBackend cpu = (CpuBackend) Backends.get("cpu");
        Buffer x = cpu.allocate(8 * 10), idx = cpu.allocate(8 * 4), out = cpu.allocate(8 * 4);
        try {
            Tensor tx = new Tensor(x, DType.FLOAT64, new long[] {10}, new long[] {1}, 0);
            Tensor ti = new Tensor(idx, DType.INT64, new long[] {4}, new long[] {1}, 0);
            Tensor to = new Tensor(out, DType.FLOAT64, new long[] {4}, new long[] {1}, 0);
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < 2000; i++) {
                long[] bad = {r.nextLong(10), -1 - r.nextLong(1L << 40), r.nextLong(10), 10 + r.nextLong(Long.MAX_VALUE - 10)};
                long[] shuffled = {bad[r.nextInt(4)], bad[r.nextInt(4)], bad[1], bad[3]};
                org.pyj4.memory.NativeMemory.copyFromArray(shuffled, 0, ((org.pyj4.memory.HostBuffer) idx).address(), 32);
                assertThrows(IndexOutOfBoundsException.class, () -> cpu.gather(tx, ti, to));
                assertThrows(IndexOutOfBoundsException.class, () -> cpu.scatter(tx, ti, to));
            }
            double[] after = new double[4];
            org.pyj4.memory.NativeMemory.copyToArray(((org.pyj4.memory.HostBuffer) out).address(), after, 0, 32);
            for (double v : after) assertEquals(0.0, v, "gather wrote before it failed");
        } finally {
            x.release();
            idx.release();
            out.release();
        }
    }

    @Test void releasedAndForeignBuffersAreRefused() {
        CpuBackend cpu = (CpuBackend) Backends.get("cpu");
        Buffer b = cpu.allocate(64);
        Tensor t = new Tensor(b, DType.FLOAT32, new long[] {4}, new long[] {1}, 0);
        b.release();
        assertThrows(IllegalStateException.class, () -> cpu.unary(UnaryOp.NEG, t, t));
        Buffer other = new Buffer(new org.pyj4.ndarray.Device("cuda", 0), 64, () -> {}, false) {};
        Tensor foreign = new Tensor(other, DType.FLOAT32, new long[] {4}, new long[] {1}, 0);
        assertThrows(IllegalArgumentException.class, () -> cpu.unary(UnaryOp.NEG, foreign, foreign));
        assertThrows(IllegalArgumentException.class, () -> cpu.unary(UnaryOp.NEG, null, null));
    }

    @Test void memoryIsAccountedAndReturned() {
        CpuBackend cpu = (CpuBackend) Backends.get("cpu");
        long before = MemoryStats.allocatedBytes();
        Buffer small = cpu.allocate(100), large = cpu.allocate(3 << 20);
        assertEquals(before + 100 + (3 << 20), MemoryStats.allocatedBytes());
        assertEquals(0, ((org.pyj4.memory.HostBuffer) large).address() % 64, "64-byte aligned");
        assertEquals(0, ((org.pyj4.memory.HostBuffer) small).address() % 64, "64-byte aligned");
        small.release();
        large.release();
        assertEquals(before, MemoryStats.allocatedBytes());
    }

    @Test void backendDescribesItself() {
        CpuBackend cpu = (CpuBackend) Backends.get("cpu");
        assertTrue(cpu.info().startsWith("isa="), cpu.info());
        assertTrue(cpu.threads() >= 1);
        assertTrue(Backends.available().contains("cpu"));
    }

    private static void expectFailure(int[] count, Runnable call) {
        try {
            call.run();
        } catch (IllegalArgumentException | IndexOutOfBoundsException | IllegalStateException | BackendException e) {
            if (e.getMessage() == null || e.getMessage().isEmpty()) fail("an exception without a message: " + e);
            count[0]++;
            return;
        }
        fail("a malformed call returned normally");
    }
}
