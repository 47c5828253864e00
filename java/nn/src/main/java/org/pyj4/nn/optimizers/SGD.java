package org.pyj4.nn.optimizers;

import com.google.gson.JsonObject;
import org.pyj4.backend.OptimizerKind;
import org.pyj4.nn.config.Config;

/** Gradient descent with optional (Nesterov) momentum; Keras defaults learning_rate 0.01, momentum 0. */
public final class SGD extends Optimizer {
    private final double momentum;
    private final boolean nesterov;

    public SGD(Config c) {
        super(c, 0.01, null);
        this.momentum = c.number("momentum", 0.0);
        if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException("SGD: expected 0 <= momentum <= 1. Received: momentum=" + momentum);
        this.nesterov = c.bool("nesterov", false);
    }

    public SGD(double learningRate, double momentum, boolean nesterov) { this(Optimizers.config("SGD", learningRate, "momentum", momentum, "nesterov", nesterov)); }

    @Override public String className() { return "SGD"; }

    @Override protected String kerasName() { return "SGD"; }

    @Override protected OptimizerKind kind() { return OptimizerKind.SGD; }

    @Override protected String[] slotNames() { return momentum != 0 ? new String[] {"momentum"} : new String[0]; }

    @Override protected double[] hyper(double lr, long step) { return new double[] {lr, weightDecay, momentum, nesterov ? 1 : 0}; }

    @Override protected void addConfig(JsonObject c) {
        c.addProperty("momentum", momentum);
        c.addProperty("nesterov", nesterov);
    }
}
