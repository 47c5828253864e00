package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import org.pyj4.ndarray.DType;
import org.pyj4.nn.autograd.MatrixOps;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/** activation(x @ kernel + bias) over the last axis; kernel [input, units], bias [units]. */
public final class Dense extends Layer implements OutputActivationLayer {
    private final int units;
    private final ActivationFunction activation;
    private final boolean useBias;
    private final Initializer kernelInitializer;
    private final Initializer biasInitializer;
    private Parameter kernel;
    private Parameter bias;

    public Dense(Config c) {
        super(c);
        this.units = c.integer("units", 0);
        if (units <= 0) {
            throw new IllegalArgumentException("Dense: expected units > 0. Received: units=" + (c.has("units") ? c.get("units") : "missing"));
        }
        JsonObject j = c.json();
        this.activation = ActivationFunction.of("Dense", c.has("activation") ? activationName(c) : null);
        this.useBias = c.bool("use_bias", true);
        this.kernelInitializer = Initializers.fromJson("Dense", "kernel_initializer", j.get("kernel_initializer"), VarianceScaling.glorotUniform(null));
        this.biasInitializer = Initializers.fromJson("Dense", "bias_initializer", j.get("bias_initializer"), SimpleInitializer.zeros());
        c.requireUnset("kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint");
    }

    /** For Java callers: Dense(units, "relu"). */
    public Dense(int units, String activation) { this(units, activation, null, null); }

    public Dense(int units, String activation, String name, DType dtype) {
        this(withUnits(named("Dense", name, dtype), units, activation));
    }

    private static Config withUnits(Config c, int units, String activation) {
        c.json().addProperty("units", units);
        if (activation != null) c.json().addProperty("activation", activation);
        return c;
    }

    static String activationName(Config c) {
        Object[] nc = Config.classNameAndConfig(c.owner(), "activation", c.get("activation"));
        return (String) nc[0];
    }

    @Override public String className() { return "Dense"; }

    public int units() { return units; }

    @Override public ActivationFunction activation() { return activation; }

    @Override protected void createWeights(long[] inputShape) {
        if (inputShape.length == 0 || inputShape[inputShape.length - 1] <= 0) {
            throw new IllegalArgumentException("Dense '" + name() + "': expected an input with a known last axis. Received: input_shape="
                    + java.util.Arrays.toString(inputShape));
        }
        kernel = addWeight("kernel", new long[] {inputShape[inputShape.length - 1], units}, kernelInitializer);
        if (useBias) bias = addWeight("bias", new long[] {units}, biasInitializer);
    }

    @Override public long[] outputShape(long[] inputShape) {
        long[] out = inputShape.clone();
        out[out.length - 1] = units;
        return out;
    }

    @Override protected Variable call(Variable x, boolean training) {
        MatrixOps.OutputActivation fused = activation.fused();
        if (fused != null) return MatrixOps.dense(x, kernel, bias, fused);
        return activation.apply(MatrixOps.dense(x, kernel, bias, MatrixOps.OutputActivation.LINEAR));
    }

    @Override public Variable applyWithoutActivation(Variable x, boolean training) {
        return MatrixOps.dense(prepare(x), kernel, bias, MatrixOps.OutputActivation.LINEAR);
    }

    @Override protected void addConfig(JsonObject c) {
        c.addProperty("units", units);
        c.addProperty("activation", activation.kerasName());
        c.addProperty("use_bias", useBias);
        c.add("kernel_initializer", Initializers.toJson(kernelInitializer));
        c.add("bias_initializer", Initializers.toJson(biasInitializer));
    }
}
