package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import java.util.List;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.autograd.ShapeOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/** Joins its input tensors along {@code axis} (default -1; the batch axis cannot be joined), as Keras Concatenate. */
public final class Concatenate extends Merge {
    private final int axis;

    public Concatenate(Config c) {
        super(c);
        this.axis = c.integer("axis", -1);
    }

    public Concatenate() { this(-1); }

    public Concatenate(int axis) { this(withAxis(axis)); }

    private static Config withAxis(int axis) {
        Config c = named("Concatenate", null, null);
        c.json().addProperty("axis", axis);
        return c;
    }

    @Override public String className() { return "Concatenate"; }

    /** The joined axis of a sample shape (without batch) of this rank. */
    private int sampleAxis(int sampleRank) {
        int a = axis < 0 ? axis + sampleRank + 1 : axis;
        if (a <= 0 || a > sampleRank) {
            throw new ShapeException("Concatenate '" + name() + "': axis " + axis + " is out of range (or the batch axis) for inputs of rank " + (sampleRank + 1));
        }
        return a - 1;
    }

    @Override long[] mergeShape(List<long[]> shapes) {
        long[] first = shapes.get(0);
        int a = sampleAxis(first.length);
        long[] out = first.clone();
        for (int i = 1; i < shapes.size(); i++) {
            long[] s = shapes.get(i);
            boolean ok = s.length == first.length;
            for (int d = 0; ok && d < s.length; d++) ok = d == a || s[d] == first[d] || s[d] < 0 || first[d] < 0;
            if (!ok) {
                throw new ShapeException("Concatenate '" + name() + "': expected inputs of one shape except along axis " + axis + ". Received: " + describe(shapes));
            }
            out[a] = out[a] < 0 || s[a] < 0 ? -1 : out[a] + s[a];
        }
        return out;
    }

    @Override Variable merge(List<Variable> inputs) {
        int a = sampleAxis(inputs.get(0).ndim() - 1) + 1;
        return ShapeOps.concatenate(inputs, a);
    }

    @Override protected void addConfig(JsonObject c) { c.addProperty("axis", axis); }
}
