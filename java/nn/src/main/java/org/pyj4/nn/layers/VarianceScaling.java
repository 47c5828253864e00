package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.config.Config;

/**
 * Keras' VarianceScaling family: GlorotUniform, GlorotNormal (scale 1 over fan_avg), HeUniform,
 * HeNormal (scale 2 over fan_in). Uniform: limit = sqrt(3 * scale / n); normal: a normal truncated
 * at two standard deviations, with stddev = sqrt(scale / n) / 0.87962566103423978 (the truncation's
 * correction), as Keras.
 */
public final class VarianceScaling implements Initializer {
    private static final double TRUNCATION_STDDEV_CORRECTION = 0.87962566103423978;

    private final String className;
    private final double scale;
    private final boolean fanAvg;
    private final boolean uniform;
    private final Long seed;

    private VarianceScaling(String className, double scale, boolean fanAvg, boolean uniform, Long seed) {
        this.className = className;
        this.scale = scale;
        this.fanAvg = fanAvg;
        this.uniform = uniform;
        this.seed = seed;
    }

    public static VarianceScaling glorotUniform(Long seed) { return new VarianceScaling("GlorotUniform", 1, true, true, seed); }
    public static VarianceScaling glorotNormal(Long seed) { return new VarianceScaling("GlorotNormal", 1, true, false, seed); }
    public static VarianceScaling heUniform(Long seed) { return new VarianceScaling("HeUniform", 2, false, true, seed); }
    public static VarianceScaling heNormal(Long seed) { return new VarianceScaling("HeNormal", 2, false, false, seed); }

    @Override public NDArray create(long[] shape, DType dtype) {
        double[] fans = Initializer.fans(shape);
        double n = Math.max(1.0, fanAvg ? (fans[0] + fans[1]) / 2 : fans[0]);
        if (uniform) {
            double limit = Math.sqrt(3 * scale / n);
            return Draws.uniform(shape, -limit, limit, dtype, seed, 0);
        }
        double std = Math.sqrt(scale / n) / TRUNCATION_STDDEV_CORRECTION;
        return Draws.truncatedNormal(shape, 0, std, dtype, seed);
    }

    @Override public String className() { return className; }

    @Override public JsonObject config() {
        JsonObject c = new JsonObject();
        c.add("seed", Config.nullable(seed));
        return c;
    }
}
