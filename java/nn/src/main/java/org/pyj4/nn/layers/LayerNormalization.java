package org.pyj4.nn.layers;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Arrays;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.autograd.NormOps;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.autograd.ShapeOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/**
 * Layer normalization (Keras LayerNormalization): each sample normalized over {@code axis}
 * (default -1, the features; an int or a list) with its own mean and biased variance, then scaled
 * by gamma and shifted by beta (both shaped like the normalized axes). Same in training and
 * inference.
 */
public final class LayerNormalization extends Layer {
    private final int[] axis;
    private final double epsilon;
    private final boolean center;
    private final boolean scale;
    private final Initializer betaInitializer, gammaInitializer;
    private Parameter gamma, beta;

    public LayerNormalization(Config c) {
        super(c);
        JsonElement a = c.get("axis");
        if (a == null) {
            this.axis = new int[] {-1};
        } else if (a.isJsonArray()) {
            long[] d = c.dims("axis");
            this.axis = new int[d.length];
            for (int i = 0; i < d.length; i++) axis[i] = (int) d[i];
        } else {
            this.axis = new int[] {c.integer("axis", -1)};
        }
        if (axis.length == 0) throw new IllegalArgumentException("LayerNormalization: expected at least one axis. Received: axis=[]");
        this.epsilon = c.number("epsilon", 1e-3);
        if (!(epsilon > 0)) throw new IllegalArgumentException("LayerNormalization: expected epsilon > 0. Received: epsilon=" + epsilon);
        this.center = c.bool("center", true);
        this.scale = c.bool("scale", true);
        if (c.bool("rms_scaling", false)) throw new IllegalArgumentException("LayerNormalization: rms_scaling=true is not supported yet");
        JsonObject j = c.json();
        this.betaInitializer = Initializers.fromJson("LayerNormalization", "beta_initializer", j.get("beta_initializer"), SimpleInitializer.zeros());
        this.gammaInitializer = Initializers.fromJson("LayerNormalization", "gamma_initializer", j.get("gamma_initializer"), SimpleInitializer.ones());
        c.requireUnset("beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint");
    }

    public LayerNormalization() { this(named("LayerNormalization", null, null)); }

    public LayerNormalization(double epsilon) { this(withEpsilon(epsilon)); }

    private static Config withEpsilon(double epsilon) {
        Config c = named("LayerNormalization", null, null);
        c.json().addProperty("epsilon", epsilon);
        return c;
    }

    @Override public String className() { return "LayerNormalization"; }

    /** The normalized axes of an input of this rank (batch included), sorted. */
    private int[] axes(int rank) {
        int[] out = new int[axis.length];
        for (int i = 0; i < axis.length; i++) {
            int a = axis[i] < 0 ? axis[i] + rank : axis[i];
            if (a <= 0 || a >= rank) throw new ShapeException("LayerNormalization '" + name() + "': axis " + axis[i] + " is out of range for inputs of rank " + rank);
            out[i] = a;
        }
        Arrays.sort(out);
        return out;
    }

    /** The shape gamma and beta broadcast from: the normalized axes' sizes, 1 elsewhere (batch included). */
    private long[] broadcastShape(long[] fullShape) {
        long[] s = new long[fullShape.length];
        Arrays.fill(s, 1);
        for (int a : axes(fullShape.length)) s[a] = fullShape[a];
        return s;
    }

    @Override protected void createWeights(long[] inputShape) {
        int[] ax = axes(inputShape.length + 1);
        long[] s = new long[ax.length];
        for (int i = 0; i < ax.length; i++) {
            s[i] = inputShape[ax[i] - 1];
            if (s[i] <= 0) throw new IllegalArgumentException("LayerNormalization '" + name() + "': the normalized axes must have known sizes");
        }
        if (scale) gamma = addWeight("gamma", s, gammaInitializer);
        if (center) beta = addWeight("beta", s, betaInitializer);
    }

    @Override public long[] outputShape(long[] inputShape) { return inputShape.clone(); }

    @Override protected Variable call(Variable x, boolean training) {
        long[] b = broadcastShape(x.shape());
        Variable g = gamma == null ? null : ShapeOps.reshape(gamma, b);
        Variable be = beta == null ? null : ShapeOps.reshape(beta, b);
        return NormOps.normalize(x, axes(x.ndim()), g, be, epsilon, null);
    }

    @Override protected void addConfig(JsonObject c) {
        if (axis.length == 1) {
            c.addProperty("axis", axis[0]);
        } else {
            JsonArray a = new JsonArray();
            for (int v : axis) a.add(v);
            c.add("axis", a);
        }
        c.addProperty("epsilon", epsilon);
        c.addProperty("center", center);
        c.addProperty("scale", scale);
        c.addProperty("rms_scaling", false);
        c.add("beta_initializer", Initializers.toJson(betaInitializer));
        c.add("gamma_initializer", Initializers.toJson(gammaInitializer));
    }
}
