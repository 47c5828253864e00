package org.pyj4.nn.autograd;

import java.util.Arrays;
import org.pyj4.backend.BinaryOp;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.ShapeException;

/**
 * A trainable weight: a variable that owns its value and a preallocated gradient buffer of the same
 * shape and dtype, both outside any {@link MemoryScope}, so training reuses them step after step.
 * The gradient is "present" from the first backward pass that reaches the parameter until
 * {@link #zeroGrad()} (the optimizer calls it after each update).
 */
public final class Parameter extends Variable implements AutoCloseable {
    private final String name;
    private NDArray gradBuffer; // allocated on the first backward pass: inference-only models never pay for it
    private boolean hasGrad;

    /** Takes ownership of {@code value} (a contiguous float array), which leaves any open scope. */
    public Parameter(String name, NDArray value, boolean trainable) {
        super(value, trainable, null);
        if (!value.isContiguous() || !value.dtype().isFloat()) {
            throw new IllegalArgumentException("Parameter " + name + ": expected a contiguous float array. Received: " + value.describe());
        }
        MemoryScope.untrack(value);
        this.name = name;
    }

    /** "dense/kernel": the layer's name and the weight's. */
    public String name() { return name; }

    public long size() { return value.size(); }

    @Override public NDArray grad() { return hasGrad ? gradBuffer : null; }

    @Override public void zeroGrad() { hasGrad = false; }

    /** The gradient buffer, if this parameter has no gradient yet: the caller must overwrite all of it. Else null. */
    NDArray claimGradBuffer() {
        if (hasGrad) return null;
        hasGrad = true;
        return gradBuffer();
    }

    private NDArray gradBuffer() {
        if (gradBuffer == null) {
            gradBuffer = NDArray.empty(value.dtype(), value.shape(), value.backend());
            MemoryScope.untrack(gradBuffer);
        }
        return gradBuffer;
    }

    @Override void accumulate(NDArray g) {
        NDArray buffer = gradBuffer();
        if (!hasGrad) {
            buffer.backend().copy(g.tensor(), buffer.tensor());
            hasGrad = true;
        } else {
            buffer.backend().binary(BinaryOp.ADD, buffer.tensor(), g.tensor(), buffer.tensor());
        }
    }

    /** Overwrites the value in place (so optimizer state and views stay attached), after checking shape and dtype. */
    public void assign(NDArray newValue) {
        if (!Arrays.equals(newValue.shape(), value.shape())) {
            throw new ShapeException("set_weights: expected " + name + " of shape " + Arrays.toString(value.shape())
                    + ". Received: " + newValue.describe());
        }
        value.backend().copy(newValue.tensor(), value.tensor());
    }

    @Override public void close() {
        value.close();
        if (gradBuffer != null) gradBuffer.close();
    }

    @Override public String toString() { return "Parameter(" + name + ", " + value.describe() + ")"; }
}
