package org.pyj4.nn.functional;

import java.util.Arrays;
import org.pyj4.ndarray.DType;
import org.pyj4.nn.layers.Layer;

/**
 * A tensor of a functional graph (Keras' KerasTensor): no values, only where it comes from (output
 * {@link #index} of a {@link GraphNode}) and what it will hold (the shape of one sample, -1 for an
 * unknown dimension, and a dtype). Made by {@code InputLayer.tensor()} and by calling layers on
 * other symbolic tensors; {@link org.pyj4.nn.Functional} turns a graph of them into a model.
 */
public final class SymbolicTensor {
    private final GraphNode node;
    private final int index;
    private final long[] shape;
    private final DType dtype;

    SymbolicTensor(GraphNode node, int index, long[] shape, DType dtype) {
        this.node = node;
        this.index = index;
        this.shape = shape.clone();
        this.dtype = dtype;
    }

    /** The call that produced this tensor. */
    public GraphNode node() { return node; }

    /** Which output of that call it is. */
    public int index() { return index; }

    public Layer layer() { return node.layer(); }

    /** The shape of one sample (no batch axis); -1 where unknown. */
    public long[] shape() { return shape.clone(); }

    public DType dtype() { return dtype; }

    @Override public String toString() {
        StringBuilder s = new StringBuilder("SymbolicTensor(shape=(None");
        for (long d : shape) s.append(", ").append(d < 0 ? "None" : Long.toString(d));
        return s.append("), dtype=").append(dtype.typeName()).append(", from ").append(node.layer().name()).append('[').append(node.nodeIndex())
                .append("][").append(index).append("])").toString();
    }

    static long[] copy(long[] s) { return s == null ? null : Arrays.copyOf(s, s.length); }
}
