package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import org.pyj4.nn.autograd.RecurrentOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/**
 * Gated recurrent unit (Keras GRU, reset_after=True, the Keras 3 and cuDNN form): gates z, r, h
 * along the last axis of kernel [features, 3 * units] and recurrent_kernel [units, 3 * units];
 * bias [2, 3 * units] holds the input bias and the recurrent bias, the reset gate applying to the
 * recurrent product after its bias. With return_state the outputs are [output, h]. Runs as one
 * fused loop ({@link RecurrentOps#gru}).
 */
public final class GRU extends Recurrent {
    public GRU(Config c) {
        super(c);
        if (!c.bool("reset_after", true)) throw new IllegalArgumentException("GRU: reset_after=false is not supported yet (Keras 3's default is true)");
    }

    /** GRU(units): the last output only. */
    public GRU(int units) { this(units, false, false); }

    public GRU(int units, boolean returnSequences, boolean returnState) { this(javaConfig("GRU", units, returnSequences, returnState)); }

    @Override public String className() { return "GRU"; }

    @Override int gates() { return 3; }

    @Override int states() { return 1; }

    @Override void createBias(long units) { bias = addWeight("bias", new long[] {2, 3 * units}, biasInitializer); }

    @Override Variable[] run(Variable x) { return RecurrentOps.gru(x, kernel, recurrentKernel, bias, returnSequences); }

    @Override protected void addConfig(JsonObject c) {
        super.addConfig(c);
        c.addProperty("reset_after", true);
    }
}
