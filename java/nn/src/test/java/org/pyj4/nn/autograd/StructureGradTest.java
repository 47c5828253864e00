package org.pyj4.nn.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.pyj4.nn.GradCheck.check;
import static org.pyj4.nn.GradCheck.values;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pyj4.backend.Backends;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.Index;
import org.pyj4.ndarray.NDArray;

/** Gradients of matmul, reductions, views, indexing and joins against finite differences. */
class StructureGradTest {
    private static String previous;

    @BeforeAll static void referenceBackend() {
        previous = Backends.getDefault().name();
        Backends.setDefault("java");
    }

    @AfterAll static void restore() { Backends.setDefault(previous); }

    @Test void matmul() {
        check("2-D", v -> MatrixOps.matmul(v.get(0), v.get(1)), values(2, 3), values(3, 4));
        check("batched", v -> MatrixOps.matmul(v.get(0), v.get(1)), values(2, 2, 3), values(2, 3, 2));
        check("batch broadcast", v -> MatrixOps.matmul(v.get(0), v.get(1)), values(2, 2, 3), values(3, 2));
        check("vector @ matrix", v -> MatrixOps.matmul(v.get(0), v.get(1)), values(3), values(3, 2));
        check("matrix @ vector", v -> MatrixOps.matmul(v.get(0), v.get(1)), values(2, 3), values(3));
        check("dot", v -> MatrixOps.matmul(v.get(0), v.get(1)), values(3), values(3));
        check("transposed view operand", v -> MatrixOps.matmul(ShapeOps.transpose(v.get(0)), v.get(1)), values(3, 2), values(3, 2));
    }

    @Test void denseEveryActivation() {
        for (MatrixOps.OutputActivation a : MatrixOps.OutputActivation.values()) {
            check("dense " + a, v -> MatrixOps.dense(v.get(0), v.get(1), v.get(2), a), values(4, 3), values(3, 2).mul(0.5), values(2));
            check("dense 3-D input " + a, v -> MatrixOps.dense(v.get(0), v.get(1), null, a), values(2, 2, 3), values(3, 2));
        }
    }

    @Test void reductions() {
        check("sum all", v -> ReductionOps.sum(v.get(0)), values(2, 3));
        check("sum axis", v -> ReductionOps.sum(v.get(0), new int[] {1}, false), values(2, 3, 2));
        check("sum keepdims", v -> ReductionOps.sum(v.get(0), new int[] {0, 2}, true), values(2, 3, 2));
        check("mean", v -> ReductionOps.mean(v.get(0), new int[] {-1}, false), values(2, 3));
        check("mean all", v -> ReductionOps.mean(v.get(0)), values(2, 3));
        check("max", v -> ReductionOps.max(v.get(0), new int[] {1}, false), values(3, 4));
        check("min keepdims", v -> ReductionOps.min(v.get(0), new int[] {0}, true), values(3, 4));
    }

    @Test void maxSplitsTies() {
        try (MemoryScope s = MemoryScope.open()) {
            Variable x = Variable.leaf(NDArray.create(new double[] {1, 3, 3, 0}, 4));
            ReductionOps.max(x, null, false).backward();
            assertArrayEquals(new double[] {0, 0.5, 0.5, 0}, x.grad().toDoubleArray());
        }
    }

    @Test void viewsAndShapes() {
        check("reshape", v -> ShapeOps.reshape(v.get(0), 3, 2), values(2, 3));
        check("transpose", v -> ShapeOps.transpose(v.get(0), 1, 2, 0), values(2, 3, 2));
        check("broadcastTo", v -> ShapeOps.broadcastTo(v.get(0), 2, 3, 4), values(3, 1));
        check("expandDims", v -> ShapeOps.expandDims(v.get(0), 1), values(2, 3));
        check("squeeze", v -> ShapeOps.squeeze(v.get(0)), values(2, 1, 3));
        check("flatten", v -> ShapeOps.flattenBatch(v.get(0)), values(2, 3, 2));
    }

    @Test void indexing() {
        check("slice view", v -> ShapeOps.get(v.get(0), Index.slice(1L, null, null), Index.slice(null, null, -2L)), values(3, 4));
        check("integer index", v -> ShapeOps.get(v.get(0), Index.at(1)), values(3, 4));
        NDArray idx = NDArray.create(new long[] {2, 0, 2, 2}, 4);
        check("gather with repeats", v -> ShapeOps.take(v.get(0), idx, 0), values(3, 2));
        check("take axis 1", v -> ShapeOps.take(v.get(0), NDArray.create(new long[] {1, 1, 0}, 3), 1), values(2, 3));
        NDArray mask = NDArray.create(new boolean[] {true, false, true, true, false, true}, 2, 3);
        check("boolean mask", v -> ShapeOps.get(v.get(0), Index.array(mask)), values(2, 3));
    }

    @Test void joins() {
        check("concatenate", v -> ShapeOps.concatenate(List.of(v.get(0), v.get(1)), 1), values(2, 3), values(2, 1));
        check("stack", v -> ShapeOps.stack(List.of(v.get(0), v.get(1)), 0), values(2, 3), values(2, 3));
    }

    @Test void nnFunctions() {
        check("softmax", v -> NNOps.softmax(v.get(0), -1), values(3, 4));
        check("softmax axis 0", v -> NNOps.softmax(v.get(0), 0), values(3, 4));
        check("log_softmax", v -> NNOps.logSoftmax(v.get(0), -1), values(3, 4));
        NDArray t = NDArray.create(new double[] {0, 1, 0, 0, 0.2, 0.3, 0.5, 0, 1, 0, 0, 0}, 3, 4);
        check("softmax cross-entropy", v -> NNOps.softmaxCrossEntropy(v.get(0), t), values(3, 4));
        NDArray oneHot = NDArray.create(new double[] {0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0}, 3, 4);
        check("softmax cross-entropy, one-hot targets", v -> NNOps.softmaxCrossEntropy(v.get(0), oneHot, true), values(3, 4));
        NDArray b = NDArray.create(new double[] {0, 1, 1, 0.3, 0, 1}, 2, 3);
        check("sigmoid cross-entropy", v -> NNOps.sigmoidCrossEntropy(v.get(0), b), values(2, 3));
    }

    @Test void gradientsOfLeavesAccumulateAcrossBackwardCalls() {
        try (MemoryScope s = MemoryScope.open()) {
            Variable x = Variable.leaf(NDArray.create(new double[] {1, 2}, 2));
            ReductionOps.sum(ElementwiseOps.mul(x, 3.0)).backward();
            ReductionOps.sum(ElementwiseOps.mul(x, 3.0)).backward();
            assertArrayEquals(new double[] {6, 6}, x.grad().toDoubleArray());
        }
    }
}
