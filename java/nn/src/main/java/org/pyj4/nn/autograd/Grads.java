package org.pyj4.nn.autograd;

import java.util.Arrays;
import org.pyj4.ndarray.NDArray;

/** What a backward rule sees of the backward pass: which inputs want a gradient, and where to send it. */
public final class Grads {
    Grads() {}

    /** Whether {@code v} takes a gradient: rules skip the work for inputs that do not. */
    public boolean wants(Variable v) { return v != null && v.requiresGrad(); }

    /** Adds {@code g}, which must have v's shape, to v's gradient; casts it to v's dtype if needed. */
    public void add(Variable v, NDArray g) {
        if (!wants(v)) return;
        if (!Arrays.equals(g.shape(), v.value.shape())) {
            throw new IllegalStateException("autograd: a backward rule produced a gradient of shape " + Arrays.toString(g.shape())
                    + " for a variable of shape " + Arrays.toString(v.value.shape()));
        }
        v.accumulate(g.dtype() == v.dtype() ? g : g.astype(v.dtype()));
    }

    /**
     * For a parameter that has no gradient yet, its gradient buffer, for the rule to write the whole
     * gradient into directly (saving a copy); null for anything else, and then the rule calls {@link #add}.
     */
    public NDArray destination(Variable v) {
        return v instanceof Parameter && v.requiresGrad() ? ((Parameter) v).claimGradBuffer() : null;
    }
}
