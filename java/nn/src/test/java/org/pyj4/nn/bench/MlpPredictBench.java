package org.pyj4.nn.bench;

import java.util.Arrays;
import java.util.Locale;
import org.pyj4.backend.Backends;
import org.pyj4.memory.HostBuffer;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.Random;
import org.pyj4.nn.Model;
import org.pyj4.nn.training.Predictor;

/**
 * The inference half of bench/train_mlp.py inside the JVM: Predictor.predictInto (what the Python
 * facade calls) on the MLP 784-512-256-10, at batch 1 (microseconds per call) and batch 256
 * (samples/s), without the bridge. Args: [backend] (cpu, or timed for the per-primitive table).
 */
public final class MlpPredictBench {
    private MlpPredictBench() {}

    /** The floor: the three products alone into preallocated outputs (no bias, activation or bookkeeping). */
    private static void matmulsOnly(Model model, int batch, int calls) {
        java.util.List<NDArray> w = model.getWeights();
        org.pyj4.backend.Backend be = w.get(0).backend();
        try (NDArray x = NDArray.zeros(DType.FLOAT32, batch, 784); NDArray h1 = NDArray.zeros(DType.FLOAT32, batch, 512);
             NDArray h2 = NDArray.zeros(DType.FLOAT32, batch, 256); NDArray y = NDArray.zeros(DType.FLOAT32, batch, 10)) {
            double best = Double.MAX_VALUE;
            for (int r = 0; r < 9; r++) {
                long t0 = System.nanoTime();
                for (int c = 0; c < calls; c++) {
                    be.matmul(x.tensor(), w.get(0).tensor(), h1.tensor());
                    be.matmul(h1.tensor(), w.get(2).tensor(), h2.tensor());
                    be.matmul(h2.tensor(), w.get(4).tensor(), y.tensor());
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e3 / calls);
            }
            System.out.printf(Locale.ROOT, "  matmuls only: min %.1f us%n", best);
        }
    }

    public static void main(String[] args) {
        if (args.length > 0) Backends.setDefault(args[0]);
        Random.seed(0);
        String arch = "{\"class_name\": \"Sequential\", \"config\": {\"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 784]}},"
                + "{\"class_name\": \"Dense\", \"config\": {\"units\": 512, \"activation\": \"relu\"}},"
                + "{\"class_name\": \"Dense\", \"config\": {\"units\": 256, \"activation\": \"relu\"}},"
                + "{\"class_name\": \"Dense\", \"config\": {\"units\": 10}}]}}";
        try (Model model = Model.fromJson(arch)) {
            int[] batches = args.length > 1 ? new int[] {Integer.parseInt(args[1])} : new int[] {1, 256};
            for (int batch : batches) {
                HostBuffer in = HostBuffer.allocate(batch * 784L * 4), out = HostBuffer.allocate(batch * 10L * 4);
                try (NDArray x = Random.normal(new long[] {batch, 784}, 0, 1, DType.FLOAT32)) {
                    float[] v = x.toFloatArray();
                    for (int i = 0; i < v.length; i++) org.pyj4.memory.NativeMemory.putFloat(in.address() + 4L * i, v[i]);
                }
                long[] shape = {batch, 784}, outShape = {batch, 10};
                int calls = batch == 1 ? 2000 * (args.length > 2 ? Integer.parseInt(args[2]) : 1) : 50;
                double[] per = new double[7];
                for (int r = -2; r < per.length; r++) {
                    long t0 = System.nanoTime();
                    for (int c = 0; c < calls; c++) Predictor.predictInto(model, in.address(), shape, out.address(), outShape, batch);
                    if (r >= 0) per[r] = (System.nanoTime() - t0) / 1e3 / calls;
                    if (r == -1 && Backends.getDefault().name().equals("timed")) TimedBackend.report(1);
                }
                Arrays.sort(per);
                System.out.printf(Locale.ROOT, "batch %d: %.1f us/call (%.0f samples/s), min %.1f us%n", batch, per[3], batch * 1e6 / per[3], per[0]);
                matmulsOnly(model, batch, calls);
                if (Backends.getDefault().name().equals("timed")) TimedBackend.report(calls * per.length);
                in.release();
                out.release();
            }
        }
    }
}
