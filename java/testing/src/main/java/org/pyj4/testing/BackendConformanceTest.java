package org.pyj4.testing;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.pyj4.backend.Backend;
import org.pyj4.backend.BinaryOp;
import org.pyj4.backend.PoolKind;
import org.pyj4.backend.RnnCell;
import org.pyj4.backend.RandomKind;
import org.pyj4.backend.ReduceOp;
import org.pyj4.backend.UnaryOp;
import org.pyj4.ndarray.DType;

/**
 * The op-conformance suite under JUnit 5: a backend module subclasses this with its backend, and
 * every primitive runs against the Java reference, one test per op and dtype:
 * <pre>
 * class CpuBackendConformanceTest extends BackendConformanceTest {
 *     protected Backend backend() { return Backends.get("cpu"); }
 * }
 * </pre>
 */
public abstract class BackendConformanceTest {
    /** The backend under test; called once per test. */
    protected abstract Backend backend();

    private Conformance suite() { return new Conformance(backend()); }

    @Test public void transfers() { suite().transfers(); }

    @Test public void validation() { suite().validation(); }

    @TestFactory public List<DynamicTest> copy() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType from : DType.values()) {
            for (DType to : DType.values()) tests.add(DynamicTest.dynamicTest("copy " + from + " -> " + to, () -> suite().copy(from, to)));
        }
        return tests;
    }

    @TestFactory public List<DynamicTest> unary() {
        List<DynamicTest> tests = new ArrayList<>();
        for (UnaryOp op : UnaryOp.values()) {
            for (DType t : DType.values()) {
                if (Conformance.accepts(op, t)) tests.add(DynamicTest.dynamicTest("unary " + op + " " + t, () -> suite().unary(op, t)));
            }
        }
        return tests;
    }

    @TestFactory public List<DynamicTest> binary() {
        List<DynamicTest> tests = new ArrayList<>();
        for (BinaryOp op : BinaryOp.values()) {
            for (DType t : DType.values()) {
                if (Conformance.accepts(op, t)) tests.add(DynamicTest.dynamicTest("binary " + op + " " + t, () -> suite().binary(op, t)));
            }
        }
        return tests;
    }

    @TestFactory public List<DynamicTest> where() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : DType.values()) tests.add(DynamicTest.dynamicTest("where " + t, () -> suite().where(t)));
        return tests;
    }

    @TestFactory public List<DynamicTest> reduce() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ReduceOp op : ReduceOp.values()) {
            for (DType t : DType.values()) tests.add(DynamicTest.dynamicTest("reduce " + op + " " + t, () -> suite().reduce(op, t)));
        }
        return tests;
    }

    @TestFactory public List<DynamicTest> matmul() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : DType.values()) tests.add(DynamicTest.dynamicTest("matmul " + t, () -> suite().matmul(t)));
        return tests;
    }

    @TestFactory public List<DynamicTest> gatherScatter() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : DType.values()) {
            tests.add(DynamicTest.dynamicTest("gather " + t, () -> suite().gather(t)));
            tests.add(DynamicTest.dynamicTest("scatter " + t, () -> suite().scatter(t)));
            tests.add(DynamicTest.dynamicTest("scatter with duplicate indices " + t, () -> suite().scatterDuplicates(t)));
        }
        return tests;
    }

    @TestFactory public List<DynamicTest> layerPrimitives() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : Conformance.LAYER_DTYPES) {
            tests.add(DynamicTest.dynamicTest("scatterAdd " + t, () -> suite().scatterAdd(t)));
            tests.add(DynamicTest.dynamicTest("im2col " + t, () -> suite().im2col(t)));
            tests.add(DynamicTest.dynamicTest("col2im " + t, () -> suite().col2im(t)));
            tests.add(DynamicTest.dynamicTest("conv2d " + t, () -> suite().conv2d(t)));
            tests.add(DynamicTest.dynamicTest("conv2dKernelGrad " + t, () -> suite().conv2dKernelGrad(t)));
            for (PoolKind kind : PoolKind.values()) tests.add(DynamicTest.dynamicTest("pool " + kind + " " + t, () -> suite().pool(kind, t)));
            for (RnnCell kind : RnnCell.values()) tests.add(DynamicTest.dynamicTest("rnnCell " + kind + " " + t, () -> suite().rnnCell(kind, t)));
            tests.add(DynamicTest.dynamicTest("lstmSequence " + t, () -> suite().lstmSequence(false, t)));
            tests.add(DynamicTest.dynamicTest("lstmSequenceGrad " + t, () -> suite().lstmSequence(true, t)));
        }
        return tests;
    }

    @TestFactory public List<DynamicTest> random() {
        List<DynamicTest> tests = new ArrayList<>();
        for (RandomKind kind : RandomKind.values()) {
            for (DType t : DType.values()) {
                if (t.isFloat()) tests.add(DynamicTest.dynamicTest("random " + kind + " " + t, () -> suite().random(kind, t)));
            }
        }
        return tests;
    }
}
