package org.pyj4.nn.optimizers;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Arrays;
import org.pyj4.nn.config.Config;

/** values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <= boundaries[i], the last value after. */
public final class PiecewiseConstantDecay implements LearningRateSchedule {
    private final double[] boundaries, values;

    public PiecewiseConstantDecay(double[] boundaries, double[] values) {
        if (boundaries == null || values == null || values.length != boundaries.length + 1) {
            throw new IllegalArgumentException("PiecewiseConstantDecay: expected one more value than boundaries. Received: boundaries="
                    + Arrays.toString(boundaries) + ", values=" + Arrays.toString(values));
        }
        for (int i = 1; i < boundaries.length; i++) {
            if (boundaries[i] < boundaries[i - 1]) {
                throw new IllegalArgumentException("PiecewiseConstantDecay: expected increasing boundaries. Received: " + Arrays.toString(boundaries));
            }
        }
        this.boundaries = boundaries.clone();
        this.values = values.clone();
    }

    PiecewiseConstantDecay(Config c) { this(c.numbers("boundaries"), c.numbers("values")); }

    @Override public double at(long step) {
        for (int i = 0; i < boundaries.length; i++) if (step <= boundaries[i]) return values[i];
        return values[values.length - 1];
    }

    @Override public String className() { return "PiecewiseConstantDecay"; }

    @Override public JsonObject config() {
        JsonObject c = new JsonObject();
        JsonArray b = new JsonArray(), v = new JsonArray();
        for (double x : boundaries) b.add(x);
        for (double x : values) v.add(x);
        c.add("boundaries", b);
        c.add("values", v);
        return c;
    }
}
