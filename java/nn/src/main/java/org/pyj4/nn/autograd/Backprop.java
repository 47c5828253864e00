package org.pyj4.nn.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pyj4.ndarray.NDArray;

/**
 * Reverse-mode differentiation: orders the graph behind a variable so that every variable comes after
 * all variables made from it, then runs each node's backward rule once, from the root back to the
 * leaves, handing gradients down. Iterative (no recursion), so long graphs need no deep stack.
 */
public final class Backprop {
    private Backprop() {}

    /**
     * Backpropagates from {@code root}: its gradient is {@code seed}, or ones when seed is null.
     * Leaves and parameters accumulate their gradients; intermediate ones are dropped once used.
     */
    public static void run(Variable root, NDArray seed) {
        if (!root.requiresGrad()) {
            throw new IllegalArgumentException("backward: the variable does not require a gradient (no input of it does, or it was made with gradients off)");
        }
        NDArray start = seed != null ? seed : onesLike(root.value);
        Grads grads = new Grads();
        grads.add(root, start);
        List<Variable> order = topologicalOrder(root);
        // A node with several outputs runs once, when the last of its outputs in this walk is
        // reached: every consumer of every output has then handed its gradient down.
        Map<Node, Integer> pending = new IdentityHashMap<>();
        for (Variable v : order) if (v.node != null && v.node.multiBackward != null) pending.merge(v.node, 1, Integer::sum);
        for (int i = order.size() - 1; i >= 0; i--) {
            Variable v = order.get(i);
            if (v.node == null) continue;
            if (v.node.multiBackward != null) {
                if (pending.merge(v.node, -1, Integer::sum) > 0) continue;
                runMulti(v.node, grads);
                continue;
            }
            if (v.grad == null) continue;
            NDArray g = v.grad;
            v.grad = null; // an intermediate's gradient serves only this pass
            v.node.backward.apply(g, grads);
        }
    }

    private static void runMulti(Node node, Grads grads) {
        NDArray[] gs = new NDArray[node.outputs.length];
        boolean any = false;
        for (int k = 0; k < gs.length; k++) {
            gs[k] = node.outputs[k].grad;
            node.outputs[k].grad = null;
            any |= gs[k] != null;
        }
        if (any) node.multiBackward.apply(gs, grads);
    }

    /** Variables reachable from root through nodes, each after every variable it was made from. */
    static List<Variable> topologicalOrder(Variable root) {
        List<Variable> order = new ArrayList<>();
        Set<Variable> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>(); // {variable, next input index}
        stack.push(new Object[] {root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Variable v = (Variable) top[0];
            int next = (Integer) top[1];
            List<Variable> inputs = v.node == null ? List.of() : v.node.inputs;
            if (next < inputs.size()) {
                top[1] = next + 1;
                Variable in = inputs.get(next);
                if (in != null && in.requiresGrad() && visited.add(in)) stack.push(new Object[] {in, 0});
            } else {
                stack.pop();
                order.add(v); // post-order: inputs first
            }
        }
        return order;
    }

    private static NDArray onesLike(NDArray x) {
        return NDArray.full(1.0, x.dtype(), x.shape());
    }
}
