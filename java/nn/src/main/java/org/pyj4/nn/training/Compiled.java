package org.pyj4.nn.training;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import org.pyj4.nn.config.Config;
import org.pyj4.nn.losses.Loss;
import org.pyj4.nn.losses.Losses;
import org.pyj4.nn.metrics.Metric;
import org.pyj4.nn.metrics.Metrics;
import org.pyj4.nn.optimizers.Optimizer;
import org.pyj4.nn.optimizers.Optimizers;

/** What compile fixed: the optimizer (with its state), the loss, and the metrics (by spec; fresh instances per run). */
public final class Compiled implements AutoCloseable {
    private final Optimizer optimizer;
    private final Loss loss;
    private final List<JsonElement> metricSpecs;

    private Compiled(Optimizer optimizer, Loss loss, List<JsonElement> metricSpecs) {
        this.optimizer = optimizer;
        this.loss = loss;
        this.metricSpecs = metricSpecs;
    }

    /** {"optimizer": ..., "loss": ..., "metrics": [...]} as docs/nn-contract.md describes. */
    public static Compiled fromJson(String json) {
        JsonObject o = Config.parseObject("compile", json);
        Optimizer optimizer = Optimizers.fromJson(o.get("optimizer"));
        Loss loss = Losses.fromJson(o.get("loss"));
        List<JsonElement> metrics = new ArrayList<>();
        JsonElement m = o.get("metrics");
        if (m != null && !m.isJsonNull()) {
            if (m.isJsonArray()) for (JsonElement e : m.getAsJsonArray()) metrics.add(e);
            else metrics.add(m);
        }
        for (String unsupported : new String[] {"loss_weights", "weighted_metrics"}) {
            if (o.has(unsupported) && !o.get(unsupported).isJsonNull()) {
                throw new IllegalArgumentException("compile: '" + unsupported + "' is not supported yet. Received: " + o.get(unsupported));
            }
        }
        Compiled c = new Compiled(optimizer, loss, metrics);
        c.newMetrics(2); // validates the metric names now, not at the first fit
        return c;
    }

    public static Compiled of(Optimizer optimizer, Loss loss, List<String> metrics) {
        if (optimizer == null || loss == null) throw new IllegalArgumentException("compile: expected an optimizer and a loss. Received: " + optimizer + ", " + loss);
        List<JsonElement> specs = new ArrayList<>();
        if (metrics != null) for (String m : metrics) specs.add(new JsonPrimitive(m));
        Compiled c = new Compiled(optimizer, loss, specs);
        c.newMetrics(2);
        return c;
    }

    public Optimizer optimizer() { return optimizer; }

    public Loss loss() { return loss; }

    /** Fresh metric instances for a model whose outputs have this last axis length. */
    public List<Metric> newMetrics(long outputLastAxis) {
        List<Metric> out = new ArrayList<>();
        for (JsonElement e : metricSpecs) out.add(Metrics.fromJson(e, loss, outputLastAxis));
        return out;
    }

    /** The training config JSON (Keras' compile_config). */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.add("optimizer", optimizer.toJson());
        o.add("loss", loss.toJson());
        JsonArray m = new JsonArray();
        for (JsonElement e : metricSpecs) m.add(e);
        o.add("metrics", m);
        return o;
    }

    @Override public void close() { optimizer.close(); }
}
