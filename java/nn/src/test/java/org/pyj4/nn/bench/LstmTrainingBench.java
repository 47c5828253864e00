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
 * BENCHMARKS.md's LSTM workload: sequences of 50 steps of 32 features, LSTM(128) (last output), a
 * linear head of 10 logits, batch 32, Adam, sparse categorical cross-entropy from logits, float32,
 * synthetic data. Prints samples/s per epoch and the median. Not a test:
 * {@code gradle -q :nn:bench -PbenchClass=LstmTrainingBench -PbenchArgs="2048 7 cpu"}.
 */
public final class LstmTrainingBench {
    private LstmTrainingBench() {}

    static final String ARCHITECTURE = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"lstm_bench\", \"layers\": ["
            + "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 50, 32]}},"
            + "{\"class_name\": \"LSTM\", \"config\": {\"units\": 128}},"
            + "{\"class_name\": \"Dense\", \"config\": {\"units\": 10}}]}}";

    public static void main(String[] args) {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        if (args.length > 2) Backends.setDefault(args[2]);
        Random.seed(0);
        NDArray x = Random.normal(new long[] {samples, 50, 32}, 0, 1, DType.FLOAT32);
        NDArray y;
        try (NDArray u = Random.uniform(new long[] {samples}, 0, 10, DType.FLOAT32)) {
            y = u.astype(DType.INT64);
        }
        try (Model model = Model.fromJson(ARCHITECTURE)) {
            model.compile("{\"optimizer\": \"adam\", \"loss\": {\"class_name\": \"SparseCategoricalCrossentropy\", \"config\": {\"from_logits\": true}}}");
            System.out.println("LSTM(128) over 50 x 32 + Dense(10), backend " + Backends.getDefault() + ", " + samples + " samples, batch 32");
            BenchStats.run(epochs, samples, 32, () -> model.fit(x, y, new FitOptions().batchSize(32).epochs(1).shuffle(false).verbose(0), List.of())
                    .history().get("loss").get(0));
            System.out.printf(Locale.ROOT, "native bytes %d%n", MemoryStats.allocatedBytes());
        }
    }
}
