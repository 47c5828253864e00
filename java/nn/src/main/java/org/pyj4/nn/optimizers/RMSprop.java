package org.pyj4.nn.optimizers;

import com.google.gson.JsonObject;
import org.pyj4.backend.OptimizerKind;
import org.pyj4.nn.config.Config;

/** RMSprop as Keras 3 (epsilon inside the square root; optional momentum and centering). */
public final class RMSprop extends Optimizer {
    private final double rho, momentum, epsilon;
    private final boolean centered;

    public RMSprop(Config c) {
        super(c, 0.001, null);
        this.rho = c.number("rho", 0.9);
        this.momentum = c.number("momentum", 0.0);
        this.epsilon = c.number("epsilon", 1e-7);
        this.centered = c.bool("centered", false);
        if (!(momentum >= 0)) throw new IllegalArgumentException("RMSprop: expected momentum >= 0. Received: momentum=" + momentum);
    }

    public RMSprop(double learningRate) { this(Optimizers.config("RMSprop", learningRate)); }

    @Override public String className() { return "RMSprop"; }

    @Override protected String kerasName() { return "rmsprop"; }

    @Override protected OptimizerKind kind() { return OptimizerKind.RMSPROP; }

    @Override protected String[] slotNames() {
        java.util.List<String> s = new java.util.ArrayList<>(java.util.List.of("velocity"));
        if (momentum > 0) s.add("momentum");
        if (centered) s.add("average_gradient");
        return s.toArray(new String[0]);
    }

    @Override protected double[] hyper(double lr, long step) {
        return new double[] {lr, weightDecay, rho, momentum, epsilon, centered ? 1 : 0};
    }

    @Override protected void addConfig(JsonObject c) {
        c.addProperty("rho", rho);
        c.addProperty("momentum", momentum);
        c.addProperty("epsilon", epsilon);
        c.addProperty("centered", centered);
    }
}
