package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import org.pyj4.nn.autograd.ShapeOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/** Flattens all axes but the batch axis (a view when the input is contiguous). */
public final class Flatten extends Layer {
    public Flatten(Config c) { super(c); }

    public Flatten() { this(named("Flatten", null, null)); }

    @Override public String className() { return "Flatten"; }

    @Override public long[] outputShape(long[] inputShape) {
        long n = 1;
        for (long d : inputShape) {
            if (d < 0) return new long[] {-1};
            n *= d;
        }
        return new long[] {n};
    }

    @Override protected Variable call(Variable x, boolean training) { return ShapeOps.flattenBatch(x); }

    @Override protected void addConfig(JsonObject c) { c.addProperty("data_format", "channels_last"); }
}
