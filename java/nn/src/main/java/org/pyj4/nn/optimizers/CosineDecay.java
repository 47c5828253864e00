package org.pyj4.nn.optimizers;

import com.google.gson.JsonObject;
import org.pyj4.nn.config.Config;

/**
 * Keras' CosineDecay: an optional linear warmup from initial_learning_rate to warmup_target over
 * warmup_steps, then from the peak p: p * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha),
 * s the steps since the warmup, held at decay_steps.
 */
public final class CosineDecay implements LearningRateSchedule {
    private final double initial, decaySteps, alpha, warmupSteps;
    private final Double warmupTarget;

    public CosineDecay(double initialLearningRate, double decaySteps, double alpha, Double warmupTarget, double warmupSteps) {
        if (!(decaySteps > 0)) throw new IllegalArgumentException("CosineDecay: expected decay_steps > 0. Received: decay_steps=" + decaySteps);
        if (!(warmupSteps >= 0)) throw new IllegalArgumentException("CosineDecay: expected warmup_steps >= 0. Received: warmup_steps=" + warmupSteps);
        this.initial = initialLearningRate;
        this.decaySteps = decaySteps;
        this.alpha = alpha;
        this.warmupTarget = warmupTarget;
        this.warmupSteps = warmupSteps;
    }

    CosineDecay(Config c) {
        this(LearningRateSchedule.require(c, "initial_learning_rate"), LearningRateSchedule.require(c, "decay_steps"),
                c.number("alpha", 0.0), c.nullableNumber("warmup_target"), c.number("warmup_steps", 0));
    }

    @Override public double at(long step) {
        if (warmupTarget == null) return decay(Math.min(step, decaySteps), initial);
        double s = Math.min(step, decaySteps + warmupSteps);
        if (s < warmupSteps) return (warmupTarget - initial) * (s / warmupSteps) + initial;
        return decay(s - warmupSteps, warmupTarget);
    }

    private double decay(double s, double from) {
        double cosine = 0.5 * (1 + Math.cos(Math.PI * s / decaySteps));
        return from * ((1 - alpha) * cosine + alpha);
    }

    @Override public String className() { return "CosineDecay"; }

    @Override public JsonObject config() {
        JsonObject c = new JsonObject();
        c.addProperty("initial_learning_rate", initial);
        c.addProperty("decay_steps", decaySteps);
        c.addProperty("alpha", alpha);
        c.add("warmup_target", Config.nullable(warmupTarget));
        c.addProperty("warmup_steps", warmupSteps);
        return c;
    }
}
