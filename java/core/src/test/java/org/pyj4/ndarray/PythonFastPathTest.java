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

    @Test void handlesAreReusedAndTheTableGrows() {
        long[] hs = new long[300];
        NDArray[] arrays = new NDArray[hs.length];
        for (int i = 0; i < hs.length; i++) hs[i] = NDArray.register(arrays[i] = NDArray.create(new float[] {i}));
        for (int i = 0; i < hs.length; i++) assertEquals(i, NDArray.fromHandle(hs[i]).toDoubleArray()[0]);
        for (long h : hs) NDArray.closeHandle(h);
        for (NDArray x : arrays) assertTrue(x.isClosed());
    }
}
