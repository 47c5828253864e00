package org.pyj4.nn.bench;

import java.util.List;
import java.util.Locale;
import org.pyj4.backend.Backends;
import org.pyj4.memory.MemoryStats;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.Random;
import org.pyj4.nn.FitOptions;
import org.pyj4.nn.Model;

/**
 * BENCHMARKS.md's CNN workload: LeNet-5 style on 28x28x1 (channels_last), batch 64, Adam, float32,
 * synthetic data:
 * <pre>
 * Conv2D(6, 5, padding="same", relu) -> MaxPooling2D(2) -> Conv2D(16, 5, relu) -> MaxPooling2D(2)
 *   -> Flatten -> Dense(120, relu) -> Dense(84, relu) -> Dense(10); sparse_categorical_crossentropy from logits
 * </pre>
 * (the network of bench/train_cnn.py, which runs it beside PyTorch).
 * Prints samples/s per epoch and the median (choose the backend with the third argument, threads
 * with PYJ4_NUM_THREADS). Not a test: {@code gradle -q :nn:bench -PbenchClass=CnnTrainingBench
 * -PbenchArgs="4096 7 cpu"}.
 */
public final class CnnTrainingBench {
    private CnnTrainingBench() {}

    static final String ARCHITECTURE = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"lenet5\", \"layers\": ["
            + "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 28, 28, 1]}},"
            + "{\"class_name\": \"Conv2D\", \"config\": {\"filters\": 6, \"kernel_size\": 5, \"padding\": \"same\", \"activation\": \"relu\"}},"
            + "{\"class_name\": \"MaxPooling2D\", \"config\": {\"pool_size\": 2}},"
            + "{\"class_name\": \"Conv2D\", \"config\": {\"filters\": 16, \"kernel_size\": 5, \"activation\": \"relu\"}},"
            + "{\"class_name\": \"MaxPooling2D\", \"config\": {\"pool_size\": 2}},"
            + "{\"class_name\": \"Flatten\", \"config\": {}},"
            + "{\"class_name\": \"Dense\", \"config\": {\"units\": 120, \"activation\": \"relu\"}},"
            + "{\"class_name\": \"Dense\", \"config\": {\"units\": 84, \"activation\": \"relu\"}},"
            + "{\"class_name\": \"Dense\", \"config\": {\"units\": 10}}]}}";

    public static void main(String[] args) {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        if (args.length > 2) Backends.setDefault(args[2]);
        Random.seed(0);
        NDArray x = Random.normal(new long[] {samples, 28, 28, 1}, 0, 1, DType.FLOAT32);
        NDArray y;
        try (NDArray u = Random.uniform(new long[] {samples}, 0, 10, DType.FLOAT32)) {
            y = u.astype(DType.INT64);
        }
        try (Model model = Model.fromJson(ARCHITECTURE)) {
            model.compile("{\"optimizer\": \"adam\", \"loss\": {\"class_name\": \"SparseCategoricalCrossentropy\", \"config\": {\"from_logits\": true}}}");
            System.out.println("LeNet-5 style CNN, backend " + Backends.getDefault() + ", " + samples + " samples, batch 64");
            BenchStats.run(epochs, samples, 64, () -> model.fit(x, y, new FitOptions().batchSize(64).epochs(1).shuffle(false).verbose(0), List.of())
                    .history().get("loss").get(0));
            System.out.printf(Locale.ROOT, "native bytes %d%n", MemoryStats.allocatedBytes());
        }
    }
}
