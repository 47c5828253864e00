package org.pyj4.nn.layers;

import org.pyj4.nn.config.Config;

/**
 * 1-D convolution (Keras Conv1D): inputs [batch, steps, channels] (channels_last, the default) or
 * [batch, channels, steps]; kernel [k, channels / groups, filters]. Padding "valid", "same" or
 * "causal" (all padding before the first step, so an output never sees later steps).
 */
public final class Conv1D extends BaseConv {
    public Conv1D(Config c) { super(c, 1); }

    public Conv1D(int filters, int kernelSize, String activation) { this(filters, kernelSize, "valid", activation); }

    public Conv1D(int filters, int kernelSize, String padding, String activation) {
        this(javaConfig("Conv1D", filters, new int[] {kernelSize}, padding, activation));
    }

    /** Every Keras argument, as Keras spells them. */
    public static Conv1D of(int filters, int kernelSize, int strides, String padding, String dataFormat, int dilationRate, int groups,
                            String activation, boolean useBias) {
        Config c = javaConfig("Conv1D", filters, new int[] {kernelSize}, padding, activation);
        c.json().add("strides", Spatial.tupleJson(new int[] {strides}));
        c.json().addProperty("data_format", dataFormat);
        c.json().add("dilation_rate", Spatial.tupleJson(new int[] {dilationRate}));
        c.json().addProperty("groups", groups);
        c.json().addProperty("use_bias", useBias);
        return new Conv1D(c);
    }

    @Override public String className() { return "Conv1D"; }
}
