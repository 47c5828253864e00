package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.autograd.RecurrentOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/**
 * Long short-term memory (Keras LSTM): gates i, f, c, o in that order along the last axis of
 * kernel [features, 4 * units], recurrent_kernel [units, 4 * units] and bias [4 * units];
 * unit_forget_bias (default true) starts the forget gate's bias at 1. With return_state the
 * outputs are [output, h, c]. Runs as one fused loop ({@link RecurrentOps#lstm}).
 */
public final class LSTM extends Recurrent {
    private final boolean unitForgetBias;

    public LSTM(Config c) {
        super(c);
        this.unitForgetBias = c.bool("unit_forget_bias", true);
    }

    /** LSTM(units): the last output only. */
    public LSTM(int units) { this(units, false, false); }

    public LSTM(int units, boolean returnSequences, boolean returnState) { this(javaConfig("LSTM", units, returnSequences, returnState)); }

    @Override public String className() { return "LSTM"; }

    @Override int gates() { return 4; }

    @Override int states() { return 2; }

    @Override void createBias(long units) {
        Initializer base = biasInitializer;
        Initializer init = !unitForgetBias ? base : new Initializer() {
            @Override public NDArray create(long[] shape, org.pyj4.ndarray.DType dtype) {
                // Keras: concat(bias_initializer(units), ones(units), bias_initializer(2 * units)).
                try (NDArray i = base.create(new long[] {units}, dtype); NDArray f = NDArray.ones(dtype, units);
                     NDArray rest = base.create(new long[] {2 * units}, dtype)) {
                    return NDArray.concatenate(new NDArray[] {i, f, rest}, 0);
                }
            }

            @Override public String className() { return base.className(); }

            @Override public JsonObject config() { return base.config(); }
        };
        bias = addWeight("bias", new long[] {4 * units}, init);
    }

    @Override Variable[] run(Variable x) { return RecurrentOps.lstm(x, kernel, recurrentKernel, bias, returnSequences); }

    @Override protected void addConfig(JsonObject c) {
        super.addConfig(c);
        c.addProperty("unit_forget_bias", unitForgetBias);
    }
}
