package org.pyj4.nn.optimizers;

import com.google.gson.JsonObject;
import org.pyj4.backend.OptimizerKind;
import org.pyj4.nn.config.Config;

/**
 * Adam as Keras 3: bias correction folded into the step size, epsilon outside the square root.
 * AdamW is this with decoupled weight decay (default 0.004).
 */
public class Adam extends Optimizer {
    private final double beta1, beta2, epsilon;
    private final boolean amsgrad;

    public Adam(Config c) { this(c, null); }

    protected Adam(Config c, Double defaultWeightDecay) {
        super(c, 0.001, defaultWeightDecay);
        this.beta1 = c.number("beta_1", 0.9);
        this.beta2 = c.number("beta_2", 0.999);
        this.epsilon = c.number("epsilon", 1e-7);
        this.amsgrad = c.bool("amsgrad", false);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(c.owner() + ": expected 0 <= beta_1, beta_2 < 1. Received: beta_1=" + beta1 + ", beta_2=" + beta2);
        }
    }

    public Adam(double learningRate) { this(Optimizers.config("Adam", learningRate)); }

    @Override public String className() { return "Adam"; }

    @Override protected String kerasName() { return "adam"; }

    @Override protected OptimizerKind kind() { return OptimizerKind.ADAM; }

    @Override protected String[] slotNames() {
        return amsgrad ? new String[] {"momentum", "velocity", "velocity_hat"} : new String[] {"momentum", "velocity"};
    }

    @Override protected double[] hyper(double lr, long step) {
        return new double[] {lr, weightDecay, beta1, beta2, epsilon, step, amsgrad ? 1 : 0};
    }

    @Override protected void addConfig(JsonObject c) {
        c.addProperty("beta_1", beta1);
        c.addProperty("beta_2", beta2);
        c.addProperty("epsilon", epsilon);
        c.addProperty("amsgrad", amsgrad);
    }
}
