package org.pyj4.nn.bench;

import java.util.List;
import org.pyj4.backend.Backends;
import org.pyj4.memory.MemoryStats;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.Random;
import org.pyj4.nn.FitOptions;
import org.pyj4.nn.Model;

/**
 * BENCHMARKS.md's training workload: MLP 784-512-256-10 ReLU, Adam, batch 128, float32, synthetic
 * data. Prints samples/s per epoch on the default backend (choose one with -Dpyj4.backend=...).
 * Not a test: run its main, e.g. java -cp ... org.pyj4.nn.bench.MlpTrainingBench [samples] [epochs] [backend].
 */
public final class MlpTrainingBench {
    private MlpTrainingBench() {}

    public static void main(String[] args) {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        if (args.length > 2) Backends.setDefault(args[2]);
        // "logits": a linear last layer and from_logits=True, as bench/train_mlp.py trains it
        boolean logits = args.length > 3 && args[3].equals("logits");
        Random.seed(0);
        NDArray x = Random.normal(new long[] {samples, 784}, 0, 1, DType.FLOAT32);
        NDArray y;
        try (NDArray u = Random.uniform(new long[] {samples}, 0, 10, DType.FLOAT32)) {
            y = u.astype(DType.INT64);
        }
        String arch = "{\"class_name\": \"Sequential\", \"config\": {\"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 784]}},"
                + "{\"class_name\": \"Dense\", \"config\": {\"units\": 512, \"activation\": \"relu\"}},"
                + "{\"class_name\": \"Dense\", \"config\": {\"units\": 256, \"activation\": \"relu\"}},"
                + "{\"class_name\": \"Dense\", \"config\": {\"units\": 10" + (logits ? "" : ", \"activation\": \"softmax\"") + "}}]}}";
        try (Model model = Model.fromJson(arch)) {
            model.compile(logits ? "{\"optimizer\": \"adam\", \"loss\": {\"class_name\": \"SparseCategoricalCrossentropy\", \"config\": {\"from_logits\": true}}}"
                    : "{\"optimizer\": \"adam\", \"loss\": \"sparse_categorical_crossentropy\"}");
            System.out.println("backend " + Backends.getDefault().name() + ", " + samples + " samples, batch 128");
            FitOptions o = new FitOptions().batchSize(128).epochs(1).seed(0L).verbose(0);
            BenchStats.run(epochs, samples, 128, () -> model.fit(x, y, o, List.of()).history().get("loss").get(0));
            System.out.println("native bytes " + MemoryStats.allocatedBytes());
        }
    }
}
