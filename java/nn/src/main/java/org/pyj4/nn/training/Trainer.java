package org.pyj4.nn.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.pyj4.backend.RandomKind;
import org.pyj4.data.BatchSource;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.Callback;
import org.pyj4.nn.FitOptions;
import org.pyj4.nn.History;
import org.pyj4.nn.Model;
import org.pyj4.nn.callbacks.ProgressLogger;
import org.pyj4.nn.layers.Draws;
import org.pyj4.nn.metrics.MeanMetric;
import org.pyj4.nn.metrics.Metric;

/**
 * The training loop, in the JVM: epochs of batches, one {@link TrainStep} per batch inside its own
 * MemoryScope, validation after each epoch, callbacks and history. In-memory arrays are shuffled by
 * a seeded permutation per epoch (so a resumed run with the same seed sees the same batches) and
 * gathered into batch buffers allocated once; a {@link BatchSource} supplies its own batches. Native
 * memory allocated for the run (batch buffers, optimizer slots on the first step) stays the same
 * from epoch to epoch.
 */
@SuppressWarnings("try") // scopes are used for their close()
public final class Trainer {
    private Trainer() {}

    /** fit(x, y): arrays in memory; validation from options (validation data or split). */
    public static History fit(Model model, NDArray x, NDArray y, FitOptions o, List<Callback> userCallbacks) {
        Compiled compiled = model.compiled("fit");
        Inputs.sameCount("fit", x, y);
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            if (x.shape()[0] == 0) throw new IllegalArgumentException("fit: expected at least one sample. Received: x=" + x.describe());
            NDArray features = own(owned, Inputs.features(model, x, "fit"));
            NDArray targets = own(owned, compiled.loss().prepareTargets(y, model.outputDtype()));
            NDArray[] validation = validationArrays(model, compiled, o, owned);
            if (validation == null && o.validationSplit() > 0) {
                // Keras: the last fraction of the samples, taken before any shuffling.
                long n = features.shape()[0];
                long split = (long) Math.floor(n * (1.0 - o.validationSplit()));
                if (split == 0 || split == n) {
                    throw new IllegalArgumentException("fit: validation_split=" + o.validationSplit() + " leaves no training or no validation samples out of " + n);
                }
                validation = new NDArray[] {own(owned, features.slice(0, split, n, 1L)), own(owned, targets.slice(0, split, n, 1L))};
                features = own(owned, features.slice(0, 0L, split, 1L));
                targets = own(owned, targets.slice(0, 0L, split, 1L));
            }
            long n = features.shape()[0];
            int batchSize = (int) Math.min(o.batchSize(), Math.max(1, n));
            Batcher xb = o.shuffle() ? own(owned, new Batcher(features, batchSize)) : null;
            Batcher yb = o.shuffle() ? own(owned, new Batcher(targets, batchSize)) : null;
            long seed = o.seed() != null ? o.seed() : Draws.seedFromGlobal();
            NDArray f = features, t = targets;
            IntFunction<Batches> epochs = epoch -> Batches.ofArrays(f, t, batchSize, o.shuffle() ? permutation(seed, epoch, n) : null, xb, yb);
            NDArray[] val = validation;
            Supplier<Batches> validate = val == null ? null : () -> Batches.ofArrays(val[0], val[1], batchSize, null, null, null);
            return run(model, compiled, epochs, validate, o, callbacks(userCallbacks, o));
        } finally {
            for (int i = owned.size() - 1; i >= 0; i--) closeQuietly(owned.get(i));
        }
    }

    /** fit(train source, validation source): the sources decide batch size and order; options give epochs, callbacks, verbosity. */
    public static History fit(Model model, BatchSource train, BatchSource validation, FitOptions o, List<Callback> userCallbacks) {
        Compiled compiled = model.compiled("fit");
        if (train == null) throw new IllegalArgumentException("fit: expected training data. Received: None");
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            IntFunction<Batches> epochs = epoch -> Batches.ofSource(model, compiled, train.iterator(), "fit");
            Supplier<Batches> validate = null;
            if (validation != null) {
                validate = () -> Batches.ofSource(model, compiled, validation.iterator(), "fit (validation)");
            } else {
                NDArray[] v = validationArrays(model, compiled, o, owned);
                if (v != null) validate = () -> Batches.ofArrays(v[0], v[1], o.batchSize(), null, null, null);
            }
            return run(model, compiled, epochs, validate, o, callbacks(userCallbacks, o));
        } finally {
            for (int i = owned.size() - 1; i >= 0; i--) closeQuietly(owned.get(i));
        }
    }

    private static NDArray[] validationArrays(Model model, Compiled compiled, FitOptions o, List<AutoCloseable> owned) {
        if (o.validationX() == null && o.validationY() == null) return null;
        if (o.validationX() == null || o.validationY() == null) {
            throw new IllegalArgumentException("fit: validation_data needs both x and y. Received: " + (o.validationX() == null ? "y only" : "x only"));
        }
        Inputs.sameCount("fit (validation_data)", o.validationX(), o.validationY());
        return new NDArray[] {own(owned, Inputs.features(model, o.validationX(), "fit (validation_data)")),
                own(owned, compiled.loss().prepareTargets(o.validationY(), model.outputDtype()))};
    }

    private static List<Callback> callbacks(List<Callback> user, FitOptions o) {
        List<Callback> all = new ArrayList<>(user);
        if (o.verbose() > 0) all.add(new ProgressLogger(System.out).epochs(o.epochs()));
        return all;
    }

    private static History run(Model model, Compiled compiled, IntFunction<Batches> epochs, Supplier<Batches> validate,
                               FitOptions o, List<Callback> callbacks) {
        MeanMetric loss = new MeanMetric("loss");
        List<Metric> metrics = null;
        TrainStep step = null;
        History history = new History();
        model.clearStopTraining();
        for (Callback c : callbacks) c.setModel(model);
        for (Callback c : callbacks) c.onTrainBegin();
        for (int epoch = o.initialEpoch(); epoch < o.epochs() && !model.stopTrainingRequested(); epoch++) {
            for (Callback c : callbacks) c.onEpochBegin(epoch);
            loss.reset();
            if (metrics != null) for (Metric m : metrics) m.reset();
            Batches batches = epochs.apply(epoch);
            for (int b = 0; batches.advance(); b++) {
                try (MemoryScope scope = MemoryScope.open()) {
                    Batches.Step s = batches.current();
                    if (step == null) { // after the first batch has built the model
                        step = new TrainStep(model, compiled.loss());
                        metrics = Evaluator.newMetrics(model, compiled);
                    }
                    loss.add(step.train(s.x(), s.y(), metrics), s.size());
                } finally {
                    batches.release();
                }
                if (!callbacks.isEmpty()) {
                    Map<String, Double> logs = logs(loss, metrics);
                    for (Callback c : callbacks) c.onBatchEnd(b, logs);
                }
                if (model.stopTrainingRequested()) break;
            }
            Map<String, Double> logs = logs(loss, metrics);
            if (validate != null) logs.putAll(Evaluator.run(model, compiled, validate.get(), "val_"));
            for (Callback c : callbacks) c.onEpochEnd(epoch, logs);
            history.record(epoch, logs);
        }
        for (Callback c : callbacks) c.onTrainEnd();
        return history;
    }

    private static Map<String, Double> logs(MeanMetric loss, List<Metric> metrics) {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", loss.result());
        if (metrics != null) for (Metric m : metrics) logs.put(m.name(), m.result());
        return logs;
    }

    private static <T extends AutoCloseable> T own(List<AutoCloseable> owned, T resource) {
        owned.add(resource);
        return resource;
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing " + c + " failed", e);
        }
    }

    /** The sample order of one epoch: Fisher-Yates under a generator keyed by (seed, epoch). */
    static long[] permutation(long seed, int epoch, long n) {
        SplittableRandom random = new SplittableRandom(RandomKind.mix64(seed + 0x9E3779B97F4A7C15L * (epoch + 1L)));
        long[] order = new long[Math.toIntExact(n)];
        for (int i = 0; i < order.length; i++) order[i] = i;
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
