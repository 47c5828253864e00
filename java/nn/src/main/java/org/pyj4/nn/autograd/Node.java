package org.pyj4.nn.autograd;

import java.util.List;
import org.pyj4.ndarray.NDArray;

/**
 * How a variable was made: the variables it was made from, and the rule that sends its gradient back
 * to them. An op with several outputs (an LSTM returning its sequence and its final states) has one
 * node shared by its output variables and a rule that receives all their gradients at once.
 */
final class Node {
    /** Receives the gradient of the op's output and hands each input's share to {@code grads}. */
    @FunctionalInterface
    interface Backward {
        void apply(NDArray gradOut, Grads grads);
    }

    /** Receives the gradients of every output (null for an output no gradient reached). */
    @FunctionalInterface
    interface MultiBackward {
        void apply(NDArray[] gradOuts, Grads grads);
    }

    final List<Variable> inputs;
    final Backward backward;          // single-output ops
    final MultiBackward multiBackward; // several outputs: exactly one of the two rules is set
    Variable[] outputs;               // the outputs of a multi-output node, in order

    Node(Variable[] inputs, Backward backward) {
        this.inputs = java.util.Arrays.asList(inputs);
        this.backward = backward;
        this.multiBackward = null;
    }

    Node(Variable[] inputs, MultiBackward backward) {
        this.inputs = java.util.Arrays.asList(inputs);
        this.backward = null;
        this.multiBackward = backward;
    }
}
