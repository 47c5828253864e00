package org.pyj4.nn.optimizers;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pyj4.backend.Backend;
import org.pyj4.backend.BinaryOp;
import org.pyj4.backend.OptimizerKind;
import org.pyj4.backend.Tensor;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.config.Config;

/**
 * Updates parameters from their gradients, Keras 3 style: clip gradients (clipnorm per gradient, or
 * global_clipnorm, then clipvalue), then one fused {@link Backend#optimizerStep} per parameter that
 * applies weight decay and the update to the parameter and its state ("slots") in place. Slots are
 * allocated once, on the first update, outside any memory scope.
 */
public abstract class Optimizer implements AutoCloseable {
    private final String name;
    private LearningRateSchedule schedule;
    private final Double clipnorm, globalClipnorm, clipvalue;
    protected final double weightDecay;
    private long iterations;
    private final Map<Parameter, NDArray[]> slots = new IdentityHashMap<>();
    private final List<Parameter> slotOrder = new ArrayList<>();

    protected Optimizer(Config c, double defaultLearningRate, Double defaultWeightDecay) {
        this.name = c.string("name", kerasName());
        this.schedule = LearningRateSchedule.fromJson(c.owner(), c.get("learning_rate"), defaultLearningRate);
        this.clipnorm = positiveOrNull(c, "clipnorm");
        this.globalClipnorm = positiveOrNull(c, "global_clipnorm");
        this.clipvalue = positiveOrNull(c, "clipvalue");
        if (clipnorm != null && globalClipnorm != null) {
            throw new IllegalArgumentException(c.owner() + ": only one of clipnorm and global_clipnorm can be set. Received: clipnorm="
                    + clipnorm + ", global_clipnorm=" + globalClipnorm);
        }
        Double wd = c.has("weight_decay") ? c.nullableNumber("weight_decay") : defaultWeightDecay;
        this.weightDecay = wd == null ? 0 : wd;
        if (c.bool("use_ema", false)) throw new IllegalArgumentException(c.owner() + ": use_ema is not supported yet. Received: use_ema=true");
        c.requireUnset("gradient_accumulation_steps", "loss_scale_factor");
    }

    private static Double positiveOrNull(Config c, String key) {
        Double v = c.nullableNumber(key);
        if (v != null && v <= 0) throw new IllegalArgumentException(c.owner() + ": expected " + key + " > 0. Received: " + key + "=" + v);
        return v;
    }

    /** Keras class name ("Adam"). */
    public abstract String className();

    /** Keras default name ("adam"). */
    protected abstract String kerasName();

    protected abstract OptimizerKind kind();

    /** The slots this optimizer keeps per parameter, in {@link OptimizerKind}'s state order. */
    protected abstract String[] slotNames();

    /** The value slot i starts from (Adagrad's accumulator starts at initial_accumulator_value). */
    protected double slotInitialValue(int slot) { return 0; }

    /** The {@link OptimizerKind} hyperparameters of one update; {@code step} is the 1-based update count. */
    protected abstract double[] hyper(double learningRate, long step);

    /** The optimizer's own config keys. */
    protected abstract void addConfig(JsonObject config);

    /** Updates made so far (Keras' optimizer.iterations). */
    public final long iterations() { return iterations; }

    /** The learning rate the next update will use. */
    public final double learningRate() { return schedule.at(iterations); }

    /** Replaces the learning rate (and any schedule) by a constant: what LearningRateScheduler does. */
    public final void setLearningRate(double lr) { schedule = LearningRateSchedule.constant(lr); }

    public final LearningRateSchedule schedule() { return schedule; }

    /** One update of every parameter that has a gradient; gradients are consumed (cleared). */
    public final void apply(List<Parameter> params) {
        double lr = learningRate();
        long step = iterations + 1;
        double[] hyper = hyper(lr, step);
        List<Parameter> withGrad = new ArrayList<>();
        for (Parameter p : params) if (p.requiresGrad() && p.grad() != null) withGrad.add(p);
        clipGradients(withGrad);
        for (Parameter p : withGrad) {
            NDArray[] state = slotsFor(p);
            Tensor[] st = new Tensor[state.length];
            for (int i = 0; i < st.length; i++) st[i] = state[i].tensor();
            p.value().backend().optimizerStep(kind(), p.value().tensor(), p.grad().tensor(), st, hyper);
            p.zeroGrad();
        }
        iterations++;
    }

    /** Creates the slots of these parameters now (loading saved state needs them before any update). */
    public final void build(List<Parameter> params) {
        for (Parameter p : params) if (p.requiresGrad()) slotsFor(p);
    }

    private NDArray[] slotsFor(Parameter p) {
        NDArray[] s = slots.get(p);
        if (s != null) return s;
        String[] names = slotNames();
        s = new NDArray[names.length];
        for (int i = 0; i < names.length; i++) {
            double init = slotInitialValue(i);
            s[i] = NDArray.empty(p.dtype(), p.shape(), p.value().backend());
            MemoryScope.untrack(s[i]);
            if (init != 0) {
                try (NDArray v = NDArray.scalarOf(init, p.dtype()); NDArray b = v.broadcastTo(p.shape())) {
                    s[i].backend().copy(b.tensor(), s[i].tensor());
                }
            }
        }
        slots.put(p, s);
        slotOrder.add(p);
        return s;
    }

    /** Keras' clipping, in place on the gradient buffers. Norms are read back to the host: clipping is opt-in and rare. */
    @SuppressWarnings("try")
    private void clipGradients(List<Parameter> params) {
        if (clipnorm == null && globalClipnorm == null && clipvalue == null) return;
        try (MemoryScope scope = MemoryScope.open()) {
            if (clipnorm != null) {
                for (Parameter p : params) scale(p.grad(), clipnorm / Math.max(norm(p.grad()), clipnorm));
            } else if (globalClipnorm != null) {
                double sq = 0;
                for (Parameter p : params) sq += Math.pow(norm(p.grad()), 2);
                double factor = globalClipnorm / Math.max(Math.sqrt(sq), globalClipnorm);
                for (Parameter p : params) scale(p.grad(), factor);
            }
            if (clipvalue != null) {
                for (Parameter p : params) {
                    NDArray g = p.grad();
                    Backend be = g.backend();
                    be.binary(BinaryOp.MAXIMUM, g.tensor(), NDArray.scalarOf(-clipvalue, g.dtype()).broadcastTo(g.shape()).tensor(), g.tensor());
                    be.binary(BinaryOp.MINIMUM, g.tensor(), NDArray.scalarOf(clipvalue, g.dtype()).broadcastTo(g.shape()).tensor(), g.tensor());
                }
            }
        }
    }

    private static double norm(NDArray g) { return Math.sqrt(g.square().sum().getDouble()); }

    private static void scale(NDArray g, double factor) {
        if (factor == 1.0) return;
        g.backend().binary(BinaryOp.MUL, g.tensor(), NDArray.scalarOf(factor, g.dtype()).broadcastTo(g.shape()).tensor(), g.tensor());
    }

    // ------------------------------------------------------------------ state for the model file

    /** Slot arrays by name "{parameter}/{slot}" ("dense/kernel/momentum"), in parameter order; live references. */
    public final Map<String, NDArray> stateTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        String[] names = slotNames();
        for (Parameter p : slotOrder) {
            NDArray[] s = slots.get(p);
            for (int i = 0; i < names.length; i++) out.put(p.name() + "/" + names[i], s[i]);
        }
        return out;
    }

    /** Restores the update count (the slots are restored through {@link #stateTensors()}' arrays). */
    public final void setIterations(long iterations) {
        if (iterations < 0) throw new IllegalArgumentException("optimizer: expected iterations >= 0. Received: " + iterations);
        this.iterations = iterations;
    }

    /** Keras' serialised optimizer: {"class_name": "Adam", "config": {...}}. */
    public final JsonObject toJson() {
        JsonObject c = new JsonObject();
        c.addProperty("name", name);
        c.add("learning_rate", LearningRateSchedule.toJson(schedule, iterations));
        c.add("weight_decay", weightDecay == 0 ? null : new com.google.gson.JsonPrimitive(weightDecay));
        c.add("clipnorm", Config.nullable(clipnorm));
        c.add("global_clipnorm", Config.nullable(globalClipnorm));
        c.add("clipvalue", Config.nullable(clipvalue));
        addConfig(c);
        return Config.classAndConfig(className(), c);
    }

    @Override public void close() {
        for (NDArray[] s : slots.values()) for (NDArray a : s) a.close();
        slots.clear();
        slotOrder.clear();
    }

    @Override public String toString() { return className() + Arrays.toString(slotNames()); }
}
