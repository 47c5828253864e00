package org.pyj4.nn.optimizers;

import com.google.gson.JsonObject;
import org.pyj4.backend.OptimizerKind;
import org.pyj4.nn.config.Config;

/** Adagrad as Keras 3: the accumulator starts at initial_accumulator_value (0.1); epsilon inside the square root. */
public final class Adagrad extends Optimizer {
    private final double initialAccumulatorValue, epsilon;

    public Adagrad(Config c) {
        super(c, 0.001, null);
        this.initialAccumulatorValue = c.number("initial_accumulator_value", 0.1);
        this.epsilon = c.number("epsilon", 1e-7);
        if (!(initialAccumulatorValue >= 0)) {
            throw new IllegalArgumentException("Adagrad: expected initial_accumulator_value >= 0. Received: " + initialAccumulatorValue);
        }
    }

    public Adagrad(double learningRate) { this(Optimizers.config("Adagrad", learningRate)); }

    @Override public String className() { return "Adagrad"; }

    @Override protected String kerasName() { return "adagrad"; }

    @Override protected OptimizerKind kind() { return OptimizerKind.ADAGRAD; }

    @Override protected String[] slotNames() { return new String[] {"accumulator"}; }

    @Override protected double slotInitialValue(int slot) { return initialAccumulatorValue; }

    @Override protected double[] hyper(double lr, long step) { return new double[] {lr, weightDecay, epsilon}; }

    @Override protected void addConfig(JsonObject c) {
        c.addProperty("initial_accumulator_value", initialAccumulatorValue);
        c.addProperty("epsilon", epsilon);
    }
}
