package org.pyj4.nn.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.Callback;
import org.pyj4.nn.Data;
import org.pyj4.nn.FitOptions;
import org.pyj4.nn.History;
import org.pyj4.nn.Model;

/** The shipped callbacks and the hook order user callbacks see. */
class CallbacksTest {
    @TempDir Path dir;

    private static final NDArray[] DATA = Data.gaussianMixture(96, 4, 3, 4);

    private static Model model() {
        Model m = Model.fromJson(Data.mlpJson(4, new int[] {8}, 3, "softmax", null));
        m.compile(Data.adam(0.05, "sparse_categorical_crossentropy", "accuracy"));
        return m;
    }

    @Test void hooksRunInKerasOrder() {
        List<String> events = new ArrayList<>();
        Callback recorder = new Callback() {
            @Override public void onTrainBegin() { events.add("train_begin"); }
            @Override public void onEpochBegin(int epoch) { events.add("epoch_begin " + epoch); }
            @Override public void onBatchEnd(int batch, Map<String, Double> logs) { events.add("batch " + batch); }
            @Override public void onEpochEnd(int epoch, Map<String, Double> logs) { events.add("epoch_end " + epoch + " " + logs.keySet()); }
            @Override public void onTrainEnd() { events.add("train_end"); }
        };
        try (Model m = model()) {
            m.fit(DATA[0], DATA[1], new FitOptions().batchSize(48).epochs(2).verbose(0).validationSplit(0.5), List.of(recorder));
        }
        assertEquals(List.of("train_begin", "epoch_begin 0", "batch 0", "epoch_end 0 [loss, accuracy, val_loss, val_accuracy]",
                "epoch_begin 1", "batch 0", "epoch_end 1 [loss, accuracy, val_loss, val_accuracy]", "train_end"), events);
    }

    @Test void stopTrainingFromACallback() {
        try (Model m = model()) {
            Callback stopper = new Callback() {
                Model model;
                @Override public void setModel(Model model) { this.model = model; }
                @Override public void onBatchEnd(int batch, Map<String, Double> logs) { if (batch == 1) model.stopTraining(); }
            };
            History h = m.fit(DATA[0], DATA[1], new FitOptions().batchSize(16).epochs(5).verbose(0), List.of(stopper));
            assertEquals(List.of(0), h.epochs());
            assertEquals(2, m.optimizer().iterations());
        }
    }

    @Test void earlyStoppingStopsAndRestoresTheBestWeights() {
        try (Model m = model()) {
            List<float[]> weightsPerEpoch = new ArrayList<>();
            Callback keep = new Callback() {
                @Override public void onEpochEnd(int epoch, Map<String, Double> logs) { weightsPerEpoch.add(m.getWeights().get(0).toFloatArray()); }
            };
            // A monitored value that is best at epoch 1 and worse afterwards, whatever the training does.
            Callback fake = new Callback() {
                @Override public void onEpochEnd(int epoch, Map<String, Double> logs) { logs.put("score", epoch == 1 ? 0.0 : 1.0 + epoch); }
            };
            EarlyStopping es = new EarlyStopping("score", 2, 0, "min", true);
            History h = m.fit(DATA[0], DATA[1], new FitOptions().batchSize(32).epochs(20).verbose(0), List.of(fake, keep, es));
            assertEquals(List.of(0, 1, 2, 3), h.epochs());
            assertEquals(3, es.stoppedEpoch());
            assertEquals(1, es.bestEpoch());
            assertArrayEquals(weightsPerEpoch.get(1), m.getWeights().get(0).toFloatArray());
        }
    }

    @Test void modelCheckpointWritesLoadableFiles() {
        try (Model m = model()) {
            String pattern = dir.resolve("ckpt-{epoch:02d}-{loss:.2f}.pyj4").toString();
            m.fit(DATA[0], DATA[1], new FitOptions().batchSize(32).epochs(2).verbose(0), List.of(new ModelCheckpoint(pattern, "loss", false)));
        }
        String[] files = dir.toFile().list();
        java.util.Arrays.sort(files);
        assertEquals(2, files.length, java.util.Arrays.toString(files));
        assertTrue(files[0].startsWith("ckpt-01-") && files[1].startsWith("ckpt-02-"), java.util.Arrays.toString(files));
        try (Model back = Model.load(dir.resolve(files[1]))) {
            assertEquals(2 * 3, back.optimizer().iterations());
        }
    }

    @Test void checkpointSaveBestOnly() throws Exception {
        try (Model m = model()) {
            Callback fake = new Callback() {
                @Override public void onEpochEnd(int epoch, Map<String, Double> logs) { logs.put("score", epoch == 0 ? 1.0 : 2.0); }
            };
            Path best = dir.resolve("best.pyj4");
            m.fit(DATA[0], DATA[1], new FitOptions().batchSize(32).epochs(3).verbose(0), List.of(fake, new ModelCheckpoint(best.toString(), "score", true)));
            try (Model back = Model.load(best)) {
                assertEquals(3, back.optimizer().iterations(), "saved after the first epoch only");
            }
            assertTrue(Files.exists(best));
        }
    }

    @Test void learningRateSchedulerSetsTheRateEachEpoch() {
        try (Model m = model()) {
            History h = m.fit(DATA[0], DATA[1], new FitOptions().batchSize(32).epochs(3).verbose(0),
                    List.of(new LearningRateScheduler(epoch -> 0.1 / (epoch + 1))));
            assertEquals(List.of(0.1, 0.05, 0.1 / 3), h.history().get("learning_rate"));
            assertEquals(0.1 / 3, m.optimizer().learningRate(), 1e-15);
        }
    }
}
