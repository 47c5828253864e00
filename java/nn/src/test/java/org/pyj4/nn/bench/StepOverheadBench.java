package org.pyj4.nn.bench;

import java.util.List;
import java.util.Locale;
import org.pyj4.backend.Backends;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.Random;
import org.pyj4.nn.FitOptions;
import org.pyj4.nn.Model;

/**
 * The per-step cost of everything but the math: a 3-layer MLP so small (8-8-8-4, batch 4) that the
 * kernels take next to no time, so the figure is the Java side's overhead per training step (graph,
 * scopes, argument checks, optimizer calls, metric reads). Not a test: run its main.
 */
public final class StepOverheadBench {
    private StepOverheadBench() {}

    public static void main(String[] args) {
        if (args.length > 0) Backends.setDefault(args[0]);
        Random.seed(0);
        int samples = 4096;
        NDArray x = Random.normal(new long[] {samples, 8}, 0, 1, DType.FLOAT32);
        NDArray y;
        try (NDArray u = Random.uniform(new long[] {samples}, 0, 4, DType.FLOAT32)) {
            y = u.astype(DType.INT64);
        }
        String arch = "{\"class_name\": \"Sequential\", \"config\": {\"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 8]}},"
                + "{\"class_name\": \"Dense\", \"config\": {\"units\": 8, \"activation\": \"relu\"}},"
                + "{\"class_name\": \"Dense\", \"config\": {\"units\": 8, \"activation\": \"relu\"}},"
                + "{\"class_name\": \"Dense\", \"config\": {\"units\": 4, \"activation\": \"softmax\"}}]}}";
        try (Model model = Model.fromJson(arch)) {
            model.compile("{\"optimizer\": \"adam\", \"loss\": \"sparse_categorical_crossentropy\", \"metrics\": [\"accuracy\"]}");
            int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
            for (int e = 0; e < epochs; e++) {
                long t0 = System.nanoTime();
                model.fit(x, y, new FitOptions().batchSize(4).epochs(1).seed(0L).verbose(0), List.of());
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "epoch %d: %.1f us/step%n", e + 1, 1e6 * s / (samples / 4.0));
            }
        }
    }
}
