package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import java.util.Arrays;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.autograd.ShapeOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/** Reshapes each sample to {@code target_shape} (one entry may be -1). */
public final class Reshape extends Layer {
    private final long[] targetShape;

    public Reshape(Config c) {
        super(c);
        long[] t = c.dims("target_shape");
        if (t == null) throw new IllegalArgumentException("Reshape: expected a 'target_shape'. Received: none");
        int unknown = 0;
        for (long d : t) {
            if (d == -1) unknown++;
            else if (d <= 0) throw new IllegalArgumentException("Reshape: expected positive dimensions or one -1. Received: target_shape=" + Arrays.toString(t));
        }
        if (unknown > 1) throw new IllegalArgumentException("Reshape: at most one dimension may be -1. Received: target_shape=" + Arrays.toString(t));
        this.targetShape = t;
    }

    public Reshape(long... targetShape) { this(withTarget(named("Reshape", null, null), targetShape)); }

    private static Config withTarget(Config c, long[] t) {
        c.json().add("target_shape", Config.dimsJson(t, false));
        return c;
    }

    @Override public String className() { return "Reshape"; }

    @Override public long[] outputShape(long[] inputShape) {
        long in = 1, known = 1;
        for (long d : inputShape) in = d < 0 ? -1 : in * d;
        int unknownAt = -1;
        for (int i = 0; i < targetShape.length; i++) {
            if (targetShape[i] == -1) unknownAt = i;
            else known *= targetShape[i];
        }
        long[] out = targetShape.clone();
        if (in < 0) return out;
        if (unknownAt >= 0) {
            if (in % known != 0) throw mismatch(inputShape);
            out[unknownAt] = in / known;
        } else if (known != in) {
            throw mismatch(inputShape);
        }
        return out;
    }

    private ShapeException mismatch(long[] inputShape) {
        return new ShapeException("Reshape '" + name() + "': total size of the new array must be unchanged. Received: input_shape="
                + Arrays.toString(inputShape) + ", target_shape=" + Arrays.toString(targetShape));
    }

    @Override protected Variable call(Variable x, boolean training) {
        long[] s = x.shape();
        long[] target = outputShape(Arrays.copyOfRange(s, 1, s.length));
        long[] full = new long[target.length + 1];
        full[0] = s[0];
        System.arraycopy(target, 0, full, 1, target.length);
        return ShapeOps.reshape(x, full);
    }

    @Override protected void addConfig(JsonObject c) { c.add("target_shape", Config.dimsJson(targetShape, false)); }
}
