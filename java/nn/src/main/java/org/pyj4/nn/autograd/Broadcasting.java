package org.pyj4.nn.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.pyj4.ndarray.NDArray;

/** Gradients of broadcast operands: the sum of the output gradient over the axes the operand was repeated along. */
final class Broadcasting {
    private Broadcasting() {}

    /** Sums g down to {@code shape}, which g's shape was broadcast from (leading axes and size-1 axes). */
    static NDArray sumTo(NDArray g, long[] shape) {
        long[] gs = g.shape();
        if (Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        List<Integer> axes = new ArrayList<>();
        for (int d = 0; d < gs.length; d++) {
            if (d < lead || (shape[d - lead] == 1 && gs[d] != 1)) axes.add(d);
        }
        int[] ax = axes.stream().mapToInt(Integer::intValue).toArray();
        NDArray summed = ax.length == 0 ? g : g.sum(ax, true);
        return summed.reshape(shape);
    }
}
