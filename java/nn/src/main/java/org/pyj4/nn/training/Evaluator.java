package org.pyj4.nn.training;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pyj4.data.BatchSource;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.Model;
import org.pyj4.nn.metrics.MeanMetric;
import org.pyj4.nn.metrics.Metric;

/** Loss and metrics over a dataset, batch by batch, without training. */
@SuppressWarnings("try") // scopes and grad-mode handles are used for their close()
public final class Evaluator {
    private Evaluator() {}

    public static Map<String, Double> evaluate(Model model, NDArray x, NDArray y, int batchSize, String op) {
        Inputs.checkBatchSize(op, batchSize);
        Compiled compiled = model.compiled(op);
        Inputs.sameCount(op, x, y);
        try (NDArray features = Inputs.features(model, x, op);
             NDArray targets = compiled.loss().prepareTargets(y, model.outputDtype())) {
            return run(model, compiled, features, targets, batchSize, "");
        }
    }

    /** Over a batch source: one pass. */
    public static Map<String, Double> evaluate(Model model, BatchSource data) {
        Compiled compiled = model.compiled("evaluate");
        if (data == null) throw new IllegalArgumentException("evaluate: expected data. Received: None");
        return run(model, compiled, Batches.ofSource(model, compiled, data.iterator(), "evaluate"), "");
    }

    /** Over prepared arrays, in order; keys carry {@code prefix} ("val_" for validation). */
    static Map<String, Double> run(Model model, Compiled compiled, NDArray features, NDArray targets, int batchSize, String prefix) {
        return run(model, compiled, Batches.ofArrays(features, targets, batchSize, null, null, null), prefix);
    }

    static Map<String, Double> run(Model model, Compiled compiled, Batches batches, String prefix) {
        List<Metric> metrics = null;
        MeanMetric loss = new MeanMetric("loss");
        TrainStep step = null;
        while (batches.advance()) {
            try (MemoryScope scope = MemoryScope.open()) {
                Batches.Step b = batches.current();
                if (step == null) { // the first batch builds an unbuilt model, so metrics can see its output shape
                    step = new TrainStep(model, compiled.loss());
                    metrics = newMetrics(model, compiled);
                }
                loss.add(step.test(b.x(), b.y(), metrics), b.size());
            } finally {
                batches.release();
            }
        }
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put(prefix + "loss", loss.result());
        if (metrics == null) metrics = compiled.newMetrics(2);
        for (Metric m : metrics) logs.put(prefix + m.name(), m.result());
        return logs;
    }

    /** Fresh metrics for the model's output (its rank and last axis decide the accuracy form). */
    static List<Metric> newMetrics(Model model, Compiled compiled) {
        long[] out = model.inputShape() != null ? model.outputShape() : null;
        return compiled.newMetrics(out == null ? 2 : out.length == 0 ? 1 : out[out.length - 1]);
    }
}
