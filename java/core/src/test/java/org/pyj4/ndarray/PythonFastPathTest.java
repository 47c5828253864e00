package org.pyj4.ndarray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pyj4.backend.BinaryOp;
import org.pyj4.backend.UnaryOp;

/** The handle-based entry points pyj4's Python operators use (NDArray.binaryHandle and friends). */
class PythonFastPathTest {
    @Test void binaryAndUnaryByHandleMatchTheMethods() {
        try (NDArray a = NDArray.create(new float[] {1, 2, 3, 4}); NDArray b = NDArray.create(new float[] {10, 20, 30, 40})) {
            long ha = NDArray.register(a), hb = NDArray.register(b);
            long sum = NDArray.binaryHandle(BinaryOp.ADD.ordinal(), ha, hb, 0);
            long exp = NDArray.unaryHandle(UnaryOp.NEG.ordinal(), sum, 0);
            try (NDArray want = a.add(b); NDArray wantNeg = want.neg()) {
                assertArrayEquals(want.toDoubleArray(), NDArray.fromHandle(sum).toDoubleArray());
                assertArrayEquals(wantNeg.toDoubleArray(), NDArray.fromHandle(exp).toDoubleArray());
            }
            NDArray s = NDArray.fromHandle(sum);
            // `done` is closed on the way into the next op, and its handle freed
            long prod = NDArray.binaryHandle(BinaryOp.MUL.ordinal(), ha, ha, sum);
            assertTrue(s.isClosed());
            // prod reuses sum's slot, but sum's handle is stale: it names nothing, and closes nothing
            assertNotEquals(sum, prod);
            assertThrows(IllegalArgumentException.class, () -> NDArray.fromHandle(sum));
            NDArray.closeHandle(sum);
            assertFalse(NDArray.fromHandle(prod).isClosed());
            assertArrayEquals(new double[] {1, 4, 9, 16}, NDArray.fromHandle(prod).toDoubleArray());
            for (long h : new long[] {exp, prod, ha, hb}) NDArray.closeHandle(h);
            assertTrue(a.isClosed());
        }
    }

    @Test void matmulByHandleMatchesTheGeneralPathAndAFailureLeaksNothing() {
        // [2, 2, 3] @ [2, 3, 2] takes the direct path (same dtype, rank and batch); [2, 3] @ [3] and
        // float32 @ float64 take the general one (promotion, squeezed axis): both agree with doubles
        float[] av = {1, 2, 3, 4, 5, 6, -1, 0, 2, 3, -2, 1};
        float[] bv = {1, 0, 0, 1, 1, 1, 2, -1, 0, 3, 1, 1};
        try (NDArray a = NDArray.create(av, 2, 2, 3); NDArray b = NDArray.create(bv, 2, 3, 2);
             NDArray m = NDArray.create(new float[] {1, 2, 3, 4, 5, 6}, 2, 3); NDArray v = NDArray.create(new double[] {1, -1, 2})) {
            long ha = NDArray.register(a), hb = NDArray.register(b), hm = NDArray.register(m), hv = NDArray.register(v);
            long p = NDArray.matmulHandle(ha, hb, 0);
            double[] want = new double[8];
            for (int t = 0; t < 2; t++)
                for (int i = 0; i < 2; i++)
                    for (int j = 0; j < 2; j++)
                        for (int k = 0; k < 3; k++) want[t * 4 + i * 2 + j] += (double) av[t * 6 + i * 3 + k] * bv[t * 6 + k * 2 + j];
            assertArrayEquals(want, NDArray.fromHandle(p).toDoubleArray());
            assertArrayEquals(new long[] {2, 2, 2}, NDArray.fromHandle(p).shape());
            long q = NDArray.matmulHandle(hm, hv, p);  // closes p on the way in
            assertThrows(IllegalArgumentException.class, () -> NDArray.fromHandle(p));
            assertEquals(DType.FLOAT64, NDArray.fromHandle(q).dtype());
            assertArrayEquals(new double[] {5, 11}, NDArray.fromHandle(q).toDoubleArray());
            long before = org.pyj4.memory.MemoryStats.allocatedBytes();
            assertThrows(ShapeException.class, () -> NDArray.matmulHandle(ha, ha, 0));  // [2, 2, 3] @ [2, 2, 3]
            assertThrows(ShapeException.class, () -> NDArray.matmulHandle(hm, hm, 0));
            assertEquals(before, org.pyj4.memory.MemoryStats.allocatedBytes());
            assertThrows(IllegalArgumentException.class, () -> NDArray.matmulHandle(ha, 12345, 0));
            assertFalse(a.isClosed());
            for (long h : new long[] {q, ha, hb, hm, hv}) NDArray.closeHandle(h);
        }
    }

    @Test void pythonScalarsAreWeakAndMayComeFirst() {
        try (NDArray a = NDArray.create(new float[] {1, 2, 4})) {
            long ha = NDArray.register(a);
            long q = NDArray.binaryDoubleHandle(BinaryOp.DIV.ordinal(), ha, 8.0, true, 0);
            long d = NDArray.binaryLongHandle(BinaryOp.SUB.ordinal(), ha, 1, false, 0);
            try (NDArray wantQ = NDArray.scalar(8.0).div(a); NDArray one = NDArray.scalar(1L); NDArray wantD = a.sub(one)) {
                assertEquals(DType.FLOAT32, NDArray.fromHandle(q).dtype());
                assertArrayEquals(wantQ.toDoubleArray(), NDArray.fromHandle(q).toDoubleArray());
                assertArrayEquals(wantD.toDoubleArray(), NDArray.fromHandle(d).toDoubleArray());
            }
            for (long h : new long[] {q, d, ha}) NDArray.closeHandle(h);
        }
    }

    @Test void closeHandleIsIdempotentAndBadHandlesAreExceptions() {
        NDArray a = NDArray.create(new float[] {1});
        long h = NDArray.register(a);
        NDArray.closeHandle(h);
        NDArray.closeHandle(h);
        NDArray.closeHandle(0);
        NDArray.closeHandle(-5);
        NDArray.closeHandle(Integer.MAX_VALUE);
        assertTrue(a.isClosed());
        assertThrows(IllegalArgumentException.class, () -> NDArray.fromHandle(0));
        assertThrows(IllegalArgumentException.class, () -> NDArray.binaryHandle(0, Integer.MAX_VALUE, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> NDArray.fromHandle(h));  // stale
        assertThrows(IllegalArgumentException.class, () -> NDArray.register(null));
    }

    @Test void errorsKeepTheOperandsAndLeakNothing() {
        try (NDArray a = NDArray.create(new float[] {1, 2, 3}); NDArray b = NDArray.create(new float[] {1, 2})) {
            long ha = NDArray.register(a), hb = NDArray.register(b);
            assertThrows(ShapeException.class, () -> NDArray.binaryHandle(BinaryOp.ADD.ordinal(), ha, hb, 0));
            assertFalse(a.isClosed());
            assertEquals(a, NDArray.fromHandle(ha));
            NDArray.closeHandle(ha);
            NDArray.closeHandle(hb);
        }
    }

    @Test void frameEntryPointsReadTheirArgumentsAndWriteTheResult() throws Exception {
        try (NDArray a = NDArray.create(new float[] {1, 2, 4}); NDArray b = NDArray.create(new float[] {10, 20, 40})) {
            long ha = NDArray.register(a), hb = NDArray.register(b);
            java.nio.ByteBuffer f = NDArray.callFrame();
            assertTrue(NDArray.hasCallFrame());
            assertTrue(f == NDArray.callFrame(), "one frame per thread");
            f.putLong(8 * NDArray.FRAME_OP, BinaryOp.SUB.ordinal()).putLong(8 * NDArray.FRAME_A, hb).putLong(8 * NDArray.FRAME_B, ha)
                    .putLong(8 * NDArray.FRAME_DONE, 0);
            NDArray.binaryFrame();
            long diff = f.getLong(8 * NDArray.FRAME_RESULT);
            assertArrayEquals(new double[] {9, 18, 36}, NDArray.fromHandle(diff).toDoubleArray());
            f.putLong(8 * NDArray.FRAME_OP, UnaryOp.NEG.ordinal()).putLong(8 * NDArray.FRAME_A, diff).putLong(8 * NDArray.FRAME_DONE, 0);
            NDArray.unaryFrame();
            long neg = f.getLong(8 * NDArray.FRAME_RESULT);
            assertArrayEquals(new double[] {-9, -18, -36}, NDArray.fromHandle(neg).toDoubleArray());
            // a Python float first (8.0 / a), then a Python int second (a - 1); `done` closes diff
            f.putLong(8 * NDArray.FRAME_OP, BinaryOp.DIV.ordinal()).putLong(8 * NDArray.FRAME_A, ha).putDouble(8 * NDArray.FRAME_B, 8.0)
                    .putLong(8 * NDArray.FRAME_FLAGS, 1).putLong(8 * NDArray.FRAME_DONE, diff);
            NDArray.binaryDoubleFrame();
            long q = f.getLong(8 * NDArray.FRAME_RESULT);
            assertArrayEquals(new double[] {8, 4, 2}, NDArray.fromHandle(q).toDoubleArray());
            assertEquals(DType.FLOAT32, NDArray.fromHandle(q).dtype());
            assertThrows(IllegalArgumentException.class, () -> NDArray.fromHandle(diff));
            f.putLong(8 * NDArray.FRAME_OP, BinaryOp.SUB.ordinal()).putLong(8 * NDArray.FRAME_B, 1).putLong(8 * NDArray.FRAME_FLAGS, 0)
                    .putLong(8 * NDArray.FRAME_DONE, 0);
            NDArray.binaryLongFrame();
            long d = f.getLong(8 * NDArray.FRAME_RESULT);
            assertArrayEquals(new double[] {0, 1, 3}, NDArray.fromHandle(d).toDoubleArray());
            // errors leave the result word alone and the operands open
            f.putLong(8 * NDArray.FRAME_RESULT, -7).putLong(8 * NDArray.FRAME_OP, BinaryOp.ADD.ordinal()).putLong(8 * NDArray.FRAME_A, ha)
                    .putLong(8 * NDArray.FRAME_B, 12345);
            assertThrows(IllegalArgumentException.class, NDArray::binaryFrame);
            assertEquals(-7, f.getLong(8 * NDArray.FRAME_RESULT));
            for (long h : new long[] {neg, q, d, ha, hb}) NDArray.closeHandle(h);
        }
        // a thread that never asked for a frame has none: the frame methods say so
        Throwable[] seen = new Throwable[1];
        Thread t = new Thread(() -> {
            seen[0] = assertThrows(IllegalStateException.class, NDArray::binaryFrame);
            assertFalse(NDArray.hasCallFrame());
        });
        t.start();
        t.join();
        assertTrue(seen[0].getMessage().contains("callFrame"));
    }

    @Test void handlesAreReusedAndTheTableGrows() {
        long[] hs = new long[300];
        NDArray[] arrays = new NDArray[hs.length];
        for (int i = 0; i < hs.length; i++) hs[i] = NDArray.register(arrays[i] = NDArray.create(new float[] {i}));
        for (int i = 0; i < hs.length; i++) assertEquals(i, NDArray.fromHandle(hs[i]).toDoubleArray()[0]);
        for (long h : hs) NDArray.closeHandle(h);
        for (NDArray x : arrays) assertTrue(x.isClosed());
    }
}
