package org.pyj4.nn.autograd;

import static org.pyj4.nn.autograd.Broadcasting.sumTo;

import org.pyj4.ndarray.NDArray;

/**
 * Normalization with its own backward rule (one node instead of a dozen): batch normalization in
 * training mode and layer normalization are both
 * <pre>
 *     y = (x - mean) / sqrt(var + epsilon) * gamma + beta       mean, var over {@code axes}, biased
 * </pre>
 * with gamma and beta broadcast against x. Backward, with xhat the normalized input, inv =
 * 1 / sqrt(var + epsilon) and means over the same axes:
 * <pre>
 *     dxhat = g * gamma
 *     dx = inv * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
 *     dgamma = sum(g * xhat),  dbeta = sum(g)    (down to their shapes)
 * </pre>
 */
public final class NormOps {
    private NormOps() {}

    /**
     * @param gamma null when scale=false
     * @param beta null when center=false
     * @param stats when not null, receives {mean, var} (kept dims) for the caller's moving averages
     */
    public static Variable normalize(Variable x, int[] axes, Variable gamma, Variable beta, double epsilon, NDArray[] stats) {
        NDArray xv = x.value;
        NDArray mean = xv.mean(axes, true);
        NDArray xc = xv.sub(mean);
        NDArray var = xc.mul(xc).mean(axes, true);
        NDArray inv = var.add(epsilon).sqrt().unary(org.pyj4.backend.UnaryOp.RECIPROCAL);
        NDArray xhat = xc.mul(inv);
        NDArray y = gamma == null ? xhat : xhat.mul(gamma.value);
        if (beta != null) y = y.add(beta.value);
        if (stats != null) {
            stats[0] = mean;
            stats[1] = var;
        }
        return Variable.result(y, (g, grads) -> {
            if (beta != null && grads.wants(beta)) grads.add(beta, sumTo(g, beta.value.shape()));
            if (gamma != null && grads.wants(gamma)) grads.add(gamma, sumTo(g.mul(xhat), gamma.value.shape()));
            if (grads.wants(x)) {
                NDArray dxhat = gamma == null ? g : g.mul(gamma.value);
                NDArray m1 = dxhat.mean(axes, true);
                NDArray m2 = dxhat.mul(xhat).mean(axes, true);
                grads.add(x, dxhat.sub(m1).sub(xhat.mul(m2)).mul(inv));
            }
        }, x, gamma, beta);
    }
}
