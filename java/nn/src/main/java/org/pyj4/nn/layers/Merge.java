package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/**
 * A layer called on a list of tensors (Keras' Merge): Add and Multiply combine them elementwise
 * with broadcasting, Concatenate joins them along an axis. In a functional graph its inbound node
 * has the list as its one argument; called on a single tensor (in a Sequential) it refuses.
 */
abstract class Merge extends Layer {
    Merge(Config c) { super(c); }

    @Override public final String[] tensorArguments() { return null; }

    /** The combination of the (already cast) inputs. */
    abstract Variable merge(List<Variable> inputs);

    /** The output shape (without batch) for these input shapes. */
    abstract long[] mergeShape(List<long[]> shapes);

    @Override public long[] outputShape(long[] inputShape) {
        throw new IllegalArgumentException(className() + " '" + name() + "': expected a list of input tensors (a functional model), not one input");
    }

    @Override public List<long[]> outputShapes(List<long[]> inputShapes, JsonObject options) {
        checkOptions(options);
        requireList(inputShapes.size());
        return List.of(mergeShape(inputShapes));
    }

    @Override protected Variable call(Variable x, boolean training) { throw new IllegalArgumentException(className() + " '" + name()
            + "': expected a list of input tensors (a functional model), not one input"); }

    @Override protected List<Variable> callAll(List<Variable> inputs, JsonObject options, boolean training) {
        checkOptions(options);
        requireList(inputs.size());
        List<Variable> cast = new ArrayList<>();
        for (Variable v : inputs) {
            if (v == null) throw new IllegalArgumentException(className() + " '" + name() + "': an input is missing");
            cast.add(autocast(v));
        }
        return List.of(merge(cast));
    }

    private void requireList(int n) {
        if (n < 1) throw new IllegalArgumentException(className() + " '" + name() + "': expected a list of at least one input tensor. Received: " + n);
    }

    /** NumPy broadcasting of sample shapes; -1 (unknown) meets anything. */
    static long[] broadcast(String owner, List<long[]> shapes) {
        int rank = 0;
        for (long[] s : shapes) rank = Math.max(rank, s.length);
        long[] out = new long[rank];
        java.util.Arrays.fill(out, 1);
        for (long[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int d = rank - s.length + i;
                long a = out[d], b = s[i];
                if (a == 1) out[d] = b;
                else if (b == 1 || b == a) continue;
                else if (a == -1 || b == -1) out[d] = a == -1 ? b : a;
                else throw new ShapeException(owner + ": inputs with shapes that do not broadcast together. Received: " + describe(shapes));
            }
        }
        return out;
    }

    static String describe(List<long[]> shapes) {
        StringBuilder s = new StringBuilder("[");
        for (long[] shape : shapes) s.append(s.length() > 1 ? ", " : "").append(BaseConv.withBatch(shape));
        return s.append("]").toString();
    }
}
