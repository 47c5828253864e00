package org.pyj4.nn.layers;

import org.pyj4.nn.config.Config;

/**
 * 2-D convolution (Keras Conv2D): inputs [batch, rows, cols, channels] (channels_last, the
 * default) or [batch, channels, rows, cols] (data_format="channels_first"); kernel
 * [kh, kw, channels / groups, filters]. Strides, padding "valid" / "same", dilation_rate, groups,
 * a bias and an activation as Keras. Computed as im2col + one matrix product per group.
 */
public final class Conv2D extends BaseConv {
    public Conv2D(Config c) { super(c, 2); }

    /** Conv2D(filters, kernel_size, activation): square kernel, valid padding, stride 1. */
    public Conv2D(int filters, int kernelSize, String activation) { this(filters, new int[] {kernelSize, kernelSize}, "valid", activation); }

    public Conv2D(int filters, int kernelSize, String padding, String activation) {
        this(filters, new int[] {kernelSize, kernelSize}, padding, activation);
    }

    public Conv2D(int filters, int[] kernelSize, String padding, String activation) {
        this(javaConfig("Conv2D", filters, kernelSize, padding, activation));
    }

    /** Every Keras argument, as Keras spells them. */
    public static Conv2D of(int filters, int[] kernelSize, int[] strides, String padding, String dataFormat, int[] dilationRate, int groups,
                            String activation, boolean useBias) {
        Config c = javaConfig("Conv2D", filters, kernelSize, padding, activation);
        c.json().add("strides", Spatial.tupleJson(strides));
        c.json().addProperty("data_format", dataFormat);
        c.json().add("dilation_rate", Spatial.tupleJson(dilationRate));
        c.json().addProperty("groups", groups);
        c.json().addProperty("use_bias", useBias);
        return new Conv2D(c);
    }

    @Override public String className() { return "Conv2D"; }
}
