package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.autograd.ElementwiseOps;
import org.pyj4.nn.autograd.NormOps;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.autograd.ShapeOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/**
 * Batch normalization (Keras BatchNormalization) over the feature axis {@code axis} (default -1,
 * the channels of channels_last images). Training (a trainable layer in fit): normalizes with the
 * batch's mean and biased variance over every other axis, and moves the non-trainable
 * moving_mean / moving_variance toward them: moving = moving * momentum + batch * (1 - momentum),
 * momentum 0.99. Inference (predict, evaluate, or a frozen layer): uses the moving statistics.
 * Weights, in Keras order: gamma, beta (trainable), moving_mean, moving_variance (saved in the
 * model file, never updated by the optimizer).
 */
public final class BatchNormalization extends Layer {
    private final int axis;
    private final double momentum;
    private final double epsilon;
    private final boolean center;
    private final boolean scale;
    private final Initializer betaInitializer, gammaInitializer, movingMeanInitializer, movingVarianceInitializer;
    private Parameter gamma, beta, movingMean, movingVariance;

    public BatchNormalization(Config c) {
        super(c);
        this.axis = c.integer("axis", -1);
        this.momentum = c.number("momentum", 0.99);
        this.epsilon = c.number("epsilon", 1e-3);
        if (!(momentum >= 0 && momentum <= 1) || !(epsilon > 0)) {
            throw new IllegalArgumentException("BatchNormalization: expected 0 <= momentum <= 1 and epsilon > 0. Received: momentum=" + momentum + ", epsilon=" + epsilon);
        }
        this.center = c.bool("center", true);
        this.scale = c.bool("scale", true);
        String owner = "BatchNormalization";
        JsonObject j = c.json();
        this.betaInitializer = Initializers.fromJson(owner, "beta_initializer", j.get("beta_initializer"), SimpleInitializer.zeros());
        this.gammaInitializer = Initializers.fromJson(owner, "gamma_initializer", j.get("gamma_initializer"), SimpleInitializer.ones());
        this.movingMeanInitializer = Initializers.fromJson(owner, "moving_mean_initializer", j.get("moving_mean_initializer"), SimpleInitializer.zeros());
        this.movingVarianceInitializer = Initializers.fromJson(owner, "moving_variance_initializer", j.get("moving_variance_initializer"), SimpleInitializer.ones());
        c.requireUnset("beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint", "virtual_batch_size", "adjustment");
        if (c.bool("renorm", false)) throw new IllegalArgumentException("BatchNormalization: renorm=true is not supported");
        if (c.bool("synchronized", false)) throw new IllegalArgumentException("BatchNormalization: synchronized=true is not supported (one process trains)");
    }

    public BatchNormalization() { this(named("BatchNormalization", null, null)); }

    /** BatchNormalization(axis, momentum, epsilon). */
    public BatchNormalization(int axis, double momentum, double epsilon) { this(withArgs(axis, momentum, epsilon)); }

    private static Config withArgs(int axis, double momentum, double epsilon) {
        Config c = named("BatchNormalization", null, null);
        c.json().addProperty("axis", axis);
        c.json().addProperty("momentum", momentum);
        c.json().addProperty("epsilon", epsilon);
        return c;
    }

    @Override public String className() { return "BatchNormalization"; }

    /** The feature axis of an input of this rank (batch included). */
    private int featureAxis(int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a <= 0 || a >= rank) {
            throw new ShapeException("BatchNormalization '" + name() + "': axis " + axis + " is out of range (or the batch axis) for inputs of rank " + rank);
        }
        return a;
    }

    @Override protected void createWeights(long[] inputShape) {
        long features = inputShape[featureAxis(inputShape.length + 1) - 1];
        if (features <= 0) throw new IllegalArgumentException("BatchNormalization '" + name() + "': the feature axis must have a known size");
        long[] s = {features};
        if (scale) gamma = addWeight("gamma", s, gammaInitializer);
        if (center) beta = addWeight("beta", s, betaInitializer);
        movingMean = addWeight("moving_mean", s, movingMeanInitializer, false);
        movingVariance = addWeight("moving_variance", s, movingVarianceInitializer, false);
    }

    @Override public long[] outputShape(long[] inputShape) { return inputShape.clone(); }

    @Override protected Variable call(Variable x, boolean training) {
        int rank = x.ndim();
        int f = featureAxis(rank);
        long[] paramShape = new long[rank];  // [1, ..., features, ..., 1]
        java.util.Arrays.fill(paramShape, 1);
        paramShape[f] = x.shape()[f];
        Variable g = gamma == null ? null : ShapeOps.reshape(gamma, paramShape);
        Variable b = beta == null ? null : ShapeOps.reshape(beta, paramShape);
        if (training && trainable()) {
            int[] axes = new int[rank - 1];
            for (int d = 0, k = 0; d < rank; d++) if (d != f) axes[k++] = d;
            NDArray[] stats = new NDArray[2];
            Variable y = NormOps.normalize(x, axes, g, b, epsilon, stats);
            updateMovingStatistics(stats[0].reshape(paramShape[f]), stats[1].reshape(paramShape[f]));
            return y;
        }
        // Inference: y = x * a + (beta - moving_mean * a), a = gamma / sqrt(moving_variance + epsilon).
        NDArray inv = movingVariance.value().add(epsilon).sqrt().unary(org.pyj4.backend.UnaryOp.RECIPROCAL).reshape(paramShape);
        Variable a = g == null ? Variable.constant(inv) : ElementwiseOps.mul(g, Variable.constant(inv));
        Variable shift = ElementwiseOps.neg(ElementwiseOps.mul(Variable.constant(movingMean.value().reshape(paramShape)), a));
        if (b != null) shift = ElementwiseOps.add(shift, b);
        return ElementwiseOps.add(ElementwiseOps.mul(x, a), shift);
    }

    /** moving = moving * momentum + batch * (1 - momentum), in place (the layer is trained on one thread). */
    private synchronized void updateMovingStatistics(NDArray mean, NDArray var) {
        try (NDArray m = movingMean.value().mul(momentum).add(mean.astype(dtype()).mul(1 - momentum));
             NDArray v = movingVariance.value().mul(momentum).add(var.astype(dtype()).mul(1 - momentum))) {
            movingMean.assign(m);
            movingVariance.assign(v);
        }
    }

    @Override protected void addConfig(JsonObject c) {
        c.addProperty("axis", axis);
        c.addProperty("momentum", momentum);
        c.addProperty("epsilon", epsilon);
        c.addProperty("center", center);
        c.addProperty("scale", scale);
        c.add("beta_initializer", Initializers.toJson(betaInitializer));
        c.add("gamma_initializer", Initializers.toJson(gammaInitializer));
        c.add("moving_mean_initializer", Initializers.toJson(movingMeanInitializer));
        c.add("moving_variance_initializer", Initializers.toJson(movingVarianceInitializer));
        c.addProperty("synchronized", false);
    }
}
