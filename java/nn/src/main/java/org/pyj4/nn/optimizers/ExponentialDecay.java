package org.pyj4.nn.optimizers;

import com.google.gson.JsonObject;
import org.pyj4.nn.config.Config;

/** initial_learning_rate * decay_rate ^ (step / decay_steps), the exponent floored when staircase. */
public final class ExponentialDecay implements LearningRateSchedule {
    private final double initial, decaySteps, decayRate;
    private final boolean staircase;

    public ExponentialDecay(double initialLearningRate, double decaySteps, double decayRate, boolean staircase) {
        if (!(decaySteps > 0)) throw new IllegalArgumentException("ExponentialDecay: expected decay_steps > 0. Received: decay_steps=" + decaySteps);
        this.initial = initialLearningRate;
        this.decaySteps = decaySteps;
        this.decayRate = decayRate;
        this.staircase = staircase;
    }

    ExponentialDecay(Config c) {
        this(LearningRateSchedule.require(c, "initial_learning_rate"), LearningRateSchedule.require(c, "decay_steps"),
                LearningRateSchedule.require(c, "decay_rate"), c.bool("staircase", false));
    }

    @Override public double at(long step) {
        double p = step / decaySteps;
        return initial * Math.pow(decayRate, staircase ? Math.floor(p) : p);
    }

    @Override public String className() { return "ExponentialDecay"; }

    @Override public JsonObject config() {
        JsonObject c = new JsonObject();
        c.addProperty("initial_learning_rate", initial);
        c.addProperty("decay_steps", decaySteps);
        c.addProperty("decay_rate", decayRate);
        c.addProperty("staircase", staircase);
        return c;
    }
}
