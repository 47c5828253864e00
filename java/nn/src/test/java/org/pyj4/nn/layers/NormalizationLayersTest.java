package org.pyj4.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pyj4.nn.LayerTesting.layer;
import static org.pyj4.nn.LayerTesting.randomizeWeights;
import static org.pyj4.nn.LayerTesting.uniform;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.GradCheck;
import org.pyj4.nn.LayerTesting;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.autograd.Variable;

/** BatchNormalization (training vs inference, moving statistics) and LayerNormalization: values and gradients. */
class NormalizationLayersTest {
    @Test void batchNormalizationTrainsOnBatchStatisticsAndMovesItsAverages() {
        try (MemoryScope s = MemoryScope.open(); Layer bn = layer("BatchNormalization", "{\"name\": \"bn\", \"dtype\": \"float64\"}")) {
            NDArray x = uniform(1, -2, 3, 6, 4);
            bn.build(new long[] {4});
            List<Parameter> w = bn.weights();
            assertEquals(List.of("bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"), w.stream().map(Parameter::name).toList());
            assertTrue(w.get(0).requiresGrad() && w.get(1).requiresGrad());
            assertFalse(w.get(2).requiresGrad() || w.get(3).requiresGrad(), "moving statistics are non-trainable");
            NDArray y = bn.apply(Variable.constant(x), true).value();
            // Normalized per feature: mean 0, biased variance 1 (up to epsilon = 1e-3).
            double[] mean = y.mean(new int[] {0}, false).toDoubleArray(), var = y.var(new int[] {0}, 0, false).toDoubleArray();
            double[] xvar = x.var(new int[] {0}, 0, false).toDoubleArray();
            for (int f = 0; f < 4; f++) {
                assertEquals(0, mean[f], 1e-12);
                assertEquals(xvar[f] / (xvar[f] + 1e-3), var[f], 1e-12);
            }
            // moving = moving * 0.99 + batch * 0.01, from 0 and 1.
            double[] xmean = x.mean(new int[] {0}, false).toDoubleArray();
            for (int f = 0; f < 4; f++) {
                assertEquals(0.01 * xmean[f], w.get(2).value().toDoubleArray()[f], 1e-15);
                assertEquals(0.99 + 0.01 * xvar[f], w.get(3).value().toDoubleArray()[f], 1e-15);
            }
            // Inference: the moving statistics, and nothing moves.
            randomizeWeights(bn, 3, 1);
            double[] g = w.get(0).value().toDoubleArray(), b = w.get(1).value().toDoubleArray();
            double[] mm = w.get(2).value().toDoubleArray(), mv = w.get(3).value().toDoubleArray();
            for (int f = 0; f < 4; f++) mv[f] = Math.abs(mv[f]) + 0.1;
            w.get(3).assign(NDArray.create(mv, 4));
            double[] yi = bn.apply(Variable.constant(x), false).value().toDoubleArray();
            double[] xs = x.toDoubleArray();
            for (int i = 0; i < xs.length; i++) {
                int f = i % 4;
                assertEquals((xs[i] - mm[f]) / Math.sqrt(mv[f] + 1e-3) * g[f] + b[f], yi[i], 1e-12);
            }
            assertArrayEquals(mm, w.get(2).value().toDoubleArray(), 0);
        }
    }

    @Test void aFrozenBatchNormalizationUsesItsMovingStatisticsEvenWhileTraining() {
        try (MemoryScope s = MemoryScope.open(); Layer bn = layer("BatchNormalization", "{\"dtype\": \"float64\", \"trainable\": false}")) {
            NDArray x = uniform(2, -1, 1, 5, 3);
            bn.build(new long[] {3});
            assertTrue(bn.weights().stream().noneMatch(Parameter::requiresGrad));
            double[] train = bn.apply(Variable.constant(x), true).value().toDoubleArray();
            double[] infer = bn.apply(Variable.constant(x), false).value().toDoubleArray();
            assertArrayEquals(infer, train, 0);
            assertArrayEquals(new double[] {0, 0, 0}, bn.weights().get(2).value().toDoubleArray(), 0);
        }
    }

    @Test void batchNormalizationGradientsOnAnyAxis() {
        for (String cfg : new String[] {"{\"dtype\": \"float64\"}", "{\"dtype\": \"float64\", \"axis\": 1, \"momentum\": 0.9, \"epsilon\": 0.01}"}) {
            try (MemoryScope s = MemoryScope.open(); Layer bn = layer("BatchNormalization", cfg)) {
                NDArray x = uniform(4, -1, 2, 3, 2, 3);
                bn.build(new long[] {2, 3});
                randomizeWeights(bn, 9, 1);
                GradCheck.check("BatchNormalization " + cfg + " (input)", v -> bn.apply(v.get(0), true), 1e-6, x);
                List<Parameter> trainable = bn.weights().subList(0, 2);
                GradCheck.checkParameters("BatchNormalization " + cfg, () -> bn.apply(Variable.constant(x), true), trainable, 1e-6);
                GradCheck.check("BatchNormalization inference " + cfg, v -> bn.apply(v.get(0), false), 1e-6, x);
            }
        }
    }

    @Test void layerNormalizationNormalizesEachSample() {
        for (String cfg : new String[] {"{\"dtype\": \"float64\"}", "{\"dtype\": \"float64\", \"axis\": [1, 2], \"epsilon\": 1e-5}"}) {
            try (MemoryScope s = MemoryScope.open(); Layer ln = layer("LayerNormalization", cfg)) {
                NDArray x = uniform(6, -3, 2, 2, 3, 4);
                ln.build(new long[] {3, 4});
                int[] axes = cfg.contains("[1, 2]") ? new int[] {1, 2} : new int[] {2};
                double eps = cfg.contains("1e-5") ? 1e-5 : 1e-3;
                NDArray want = x.sub(x.mean(axes, true)).div(x.var(axes, 0, true).add(eps).sqrt());
                assertArrayEquals(want.toDoubleArray(), ln.apply(Variable.constant(x), true).value().toDoubleArray(), 1e-12);
                randomizeWeights(ln, 2, 1);
                GradCheck.check("LayerNormalization " + cfg, v -> ln.apply(v.get(0), true), 1e-6, x);
                GradCheck.checkParameters("LayerNormalization " + cfg, () -> ln.apply(Variable.constant(x), true), ln.weights(), 1e-6);
                if (LayerTesting.cpuAvailable()) {
                    double[] cpu = LayerTesting.on("cpu", () -> ln.apply(Variable.constant(x), true).value().toDoubleArray());
                    assertArrayEquals(ln.apply(Variable.constant(x), true).value().toDoubleArray(), cpu, 1e-12);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> layer("LayerNormalization", "{\"rms_scaling\": true}"));
    }
}
