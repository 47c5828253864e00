package org.pyj4.nn.autograd;

import java.util.List;
import org.pyj4.ndarray.NDArray;

/** How a variable was made: the variables it was made from, and the rule that sends its gradient back to them. */
final class Node {
    /** Receives the gradient of the op's output and hands each input's share to {@code grads}. */
    @FunctionalInterface
    interface Backward {
        void apply(NDArray gradOut, Grads grads);
    }

    final List<Variable> inputs;
    final Backward backward;

    Node(Variable[] inputs, Backward backward) {
        this.inputs = java.util.Arrays.asList(inputs);
        this.backward = backward;
    }
}
