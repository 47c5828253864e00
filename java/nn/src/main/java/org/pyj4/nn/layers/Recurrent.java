package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.pyj4.ndarray.Index;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.autograd.ShapeOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/**
 * What LSTM and GRU share (Keras' RNN layers): units, the tanh / sigmoid activations, use_bias,
 * kernel / recurrent / bias initializers (glorot_uniform, orthogonal, zeros), return_sequences,
 * return_state, go_backwards. Inputs [batch, timesteps, features]; the states start at zero.
 * Weights: kernel [features, G * units], recurrent_kernel [units, G * units], bias, G = 4 (LSTM)
 * or 3 (GRU). Outputs: the last output [batch, units] or every step's [batch, timesteps, units],
 * then with return_state the final states.
 */
abstract class Recurrent extends Layer {
    final int units;
    final boolean useBias;
    final boolean returnSequences;
    final boolean returnState;
    final boolean goBackwards;
    final Initializer kernelInitializer, recurrentInitializer, biasInitializer;
    private final Long seed;
    Parameter kernel, recurrentKernel, bias;

    Recurrent(Config c) {
        super(c);
        String owner = c.owner();
        this.units = c.integer("units", 0);
        if (units <= 0) throw new IllegalArgumentException(owner + ": expected units > 0. Received: units=" + (c.has("units") ? c.get("units") : "missing"));
        String activation = c.has("activation") ? Dense.activationName(c) : "tanh";
        String recurrentActivation = c.has("recurrent_activation") ? (String) Config.classNameAndConfig(owner, "recurrent_activation", c.get("recurrent_activation"))[0] : "sigmoid";
        if (!"tanh".equals(activation) || !"sigmoid".equals(recurrentActivation)) {
            throw new IllegalArgumentException(owner + ": only activation='tanh' with recurrent_activation='sigmoid' (Keras' defaults) is supported. Received: activation='"
                    + activation + "', recurrent_activation='" + recurrentActivation + "'");
        }
        this.useBias = c.bool("use_bias", true);
        this.returnSequences = c.bool("return_sequences", false);
        this.returnState = c.bool("return_state", false);
        this.goBackwards = c.bool("go_backwards", false);
        if (c.bool("stateful", false)) throw new IllegalArgumentException(owner + ": stateful=true is not supported yet");
        for (String key : new String[] {"dropout", "recurrent_dropout"}) {
            if (c.number(key, 0) != 0) throw new IllegalArgumentException(owner + ": " + key + " > 0 is not supported yet. Received: " + key + "=" + c.get(key));
        }
        c.bool("unroll", false);  // accepted: the fused loop is the same either way
        JsonObject j = c.json();
        this.kernelInitializer = Initializers.fromJson(owner, "kernel_initializer", j.get("kernel_initializer"), VarianceScaling.glorotUniform(null));
        this.recurrentInitializer = Initializers.fromJson(owner, "recurrent_initializer", j.get("recurrent_initializer"), new Orthogonal(1.0, null));
        this.biasInitializer = Initializers.fromJson(owner, "bias_initializer", j.get("bias_initializer"), SimpleInitializer.zeros());
        this.seed = c.nullableLong("seed");
        c.requireUnset("kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
                "recurrent_constraint", "bias_constraint");
    }

    static Config javaConfig(String owner, int units, boolean returnSequences, boolean returnState) {
        Config c = named(owner, null, null);
        c.json().addProperty("units", units);
        c.json().addProperty("return_sequences", returnSequences);
        c.json().addProperty("return_state", returnState);
        return c;
    }

    /** Gate blocks: 4 (LSTM) or 3 (GRU). */
    abstract int gates();

    /** States returned with return_state: 2 (h, c) for an LSTM, 1 (h) for a GRU. */
    abstract int states();

    /** The bias weight (after kernel and recurrent_kernel). */
    abstract void createBias(long units);

    /** {output, states...} on a [batch, timesteps, features] input in processing order. */
    abstract Variable[] run(Variable x);

    @Override protected void createWeights(long[] inputShape) {
        if (inputShape.length != 2 || inputShape[1] <= 0) {
            throw new ShapeException(className() + " '" + name() + "': expected inputs [batch, timesteps, features] with known features. Received: input_shape="
                    + BaseConv.withBatch(inputShape));
        }
        kernel = addWeight("kernel", new long[] {inputShape[1], (long) gates() * units}, kernelInitializer);
        recurrentKernel = addWeight("recurrent_kernel", new long[] {units, (long) gates() * units}, recurrentInitializer);
        if (useBias) createBias(units);
    }

    @Override public long[] outputShape(long[] inputShape) { return outputShapes(List.of(inputShape), null).get(0); }

    @Override public List<long[]> outputShapes(List<long[]> inputShapes, JsonObject options) {
        checkOptions(options);
        if (inputShapes.size() != 1 || inputShapes.get(0) == null || inputShapes.get(0).length != 2) {
            throw new ShapeException(className() + " '" + name() + "': expected one input [batch, timesteps, features]. Received: " + inputShapes.size() + " inputs");
        }
        long[] in = inputShapes.get(0);
        List<long[]> out = new ArrayList<>();
        out.add(returnSequences ? new long[] {in[0], units} : new long[] {units});
        if (returnState) for (int i = 0; i < states(); i++) out.add(new long[] {units});
        return out;
    }

    @Override protected Variable call(Variable x, boolean training) {
        if (returnState) {
            throw new IllegalArgumentException(className() + " '" + name() + "': return_state=true gives several outputs; call it in a functional model (callNode)");
        }
        return forward(x)[0];
    }

    @Override protected List<Variable> callAll(List<Variable> inputs, JsonObject options, boolean training) {
        checkOptions(options);
        if (inputs.size() != 1) {
            throw new IllegalArgumentException(className() + " '" + name() + "': initial_state and mask are not supported yet. Received: " + inputs.size() + " inputs");
        }
        Variable[] all = forward(autocast(inputs.get(0)));
        return returnState ? Arrays.asList(all) : List.of(all[0]);
    }

    private Variable[] forward(Variable x) {
        if (x.ndim() != 3) throw new ShapeException(className() + " '" + name() + "': expected inputs [batch, timesteps, features]. Received: " + x.value().describe());
        Variable in = goBackwards ? ShapeOps.get(x, Index.all(), Index.slice(null, null, -1L)) : x;
        return run(in);
    }

    @Override protected void addConfig(JsonObject c) {
        c.addProperty("units", units);
        c.addProperty("activation", "tanh");
        c.addProperty("recurrent_activation", "sigmoid");
        c.addProperty("use_bias", useBias);
        c.add("kernel_initializer", Initializers.toJson(kernelInitializer));
        c.add("recurrent_initializer", Initializers.toJson(recurrentInitializer));
        c.add("bias_initializer", Initializers.toJson(biasInitializer));
        c.addProperty("dropout", 0.0);
        c.addProperty("recurrent_dropout", 0.0);
        c.add("seed", Config.nullable(seed));
        c.addProperty("return_sequences", returnSequences);
        c.addProperty("return_state", returnState);
        c.addProperty("go_backwards", goBackwards);
        c.addProperty("stateful", false);
        c.addProperty("unroll", false);
    }
}
