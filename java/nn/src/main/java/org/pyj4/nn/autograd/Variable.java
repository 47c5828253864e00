package org.pyj4.nn.autograd;

import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;

/**
 * A value in a differentiable computation: an {@link NDArray}, the gradient that backpropagation
 * accumulates for it, and (for results of ops) the {@link Node} that made it. Variables made by ops
 * while gradients are recorded ({@link GradMode}) and from an input that requires a gradient require
 * one themselves; constants (data, labels) do not.
 *
 * <p>Gradients of leaves accumulate over {@link Backprop#run} calls until {@link #zeroGrad()}, as in
 * PyTorch; the arrays they hold belong to the {@link org.pyj4.memory.MemoryScope} open when they were
 * made, like every other temporary.
 */
public class Variable {
    protected final NDArray value;
    private final boolean requiresGrad;
    final Node node;
    NDArray grad;

    protected Variable(NDArray value, boolean requiresGrad, Node node) {
        if (value == null) throw new IllegalArgumentException("Variable: value must not be null");
        this.value = value;
        this.requiresGrad = requiresGrad;
        this.node = node;
    }

    /** Data that no gradient flows into. */
    public static Variable constant(NDArray value) { return new Variable(value, false, null); }

    /** A leaf whose gradient is wanted (an input of a gradient check, for example). */
    public static Variable leaf(NDArray value) { return new Variable(value, true, null); }

    /** The result of an op: records the node only when some input needs a gradient and recording is on. */
    static Variable result(NDArray value, Node.Backward backward, Variable... inputs) {
        if (!GradMode.isEnabled()) return constant(value);
        for (Variable v : inputs) {
            if (v != null && v.requiresGrad) return new Variable(value, true, new Node(inputs, backward));
        }
        return constant(value);
    }

    /**
     * The results of an op with several outputs: one variable per value, sharing one node whose rule
     * receives the gradients of all of them (null where none arrived). Constants when no input
     * needs a gradient or recording is off.
     */
    static Variable[] results(NDArray[] values, Node.MultiBackward backward, Variable... inputs) {
        Variable[] out = new Variable[values.length];
        boolean record = false;
        if (GradMode.isEnabled()) for (Variable v : inputs) record |= v != null && v.requiresGrad;
        if (!record) {
            for (int i = 0; i < values.length; i++) out[i] = constant(values[i]);
            return out;
        }
        Node node = new Node(inputs, backward);
        for (int i = 0; i < values.length; i++) out[i] = new Variable(values[i], true, node);
        node.outputs = out;
        return out;
    }

    public NDArray value() { return value; }

    public boolean requiresGrad() { return requiresGrad; }

    /** The accumulated gradient, or null when none has reached this variable. */
    public NDArray grad() { return grad; }

    public void zeroGrad() { grad = null; }

    public long[] shape() { return value.shape(); }

    public DType dtype() { return value.dtype(); }

    public int ndim() { return value.ndim(); }

    /** Backpropagates from this (scalar) variable with seed gradient 1. */
    public void backward() { Backprop.run(this, null); }

    /** Adds g to this variable's gradient (g already has this variable's shape and dtype). */
    void accumulate(NDArray g) {
        // Never in place: g may be another variable's gradient or a view of it.
        grad = grad == null ? g : grad.add(g);
    }

    @Override public String toString() {
        return getClass().getSimpleName() + "(" + value.describe() + (requiresGrad ? ", requires_grad" : "") + ")";
    }
}
