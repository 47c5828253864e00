package org.pyj4.backend;

/**
 * The fused optimizer updates of {@link Backend#optimizerStep}: one call updates one parameter tensor
 * and its state tensors in place, element by element, with the Keras 3 formulas below.
 *
 * <p>Every kind reads {@code hyper[0] = lr} (the learning rate of this step, schedules already
 * applied) and {@code hyper[1] = wd} (decoupled weight decay, 0 for none). Weight decay is applied
 * first, as Keras does for every optimizer: {@code p = p - p * wd * lr}. Then, per element, with
 * {@code g} the gradient:
 *
 * <pre>
 * SGD      hyper = {lr, wd, momentum, nesterov (0 or 1)}
 *          state = {}            when momentum == 0:  p = p - lr * g
 *          state = {velocity}    otherwise:           v = momentum * v - lr * g
 *                                                     p = nesterov ? p + momentum * v - lr * g : p + v
 *
 * ADAM     hyper = {lr, wd, beta1, beta2, epsilon, step (t >= 1, this update's 1-based count), amsgrad (0 or 1)}
 *          state = {m, v}, or {m, v, vhat} with amsgrad
 *          alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)       (a scalar, computed once in double)
 *          m = m + (g - m) * (1 - beta1)
 *          v = v + (g * g - v) * (1 - beta2)
 *          amsgrad: vhat = max(vhat, v), and vhat stands for v below
 *          p = p - alpha * m / (sqrt(v) + epsilon)              (epsilon outside the root, as Keras)
 *          (AdamW is ADAM with wd != 0.)
 *
 * RMSPROP  hyper = {lr, wd, rho, momentum, epsilon, centered (0 or 1)}
 *          state = {velocity}, then {momentum buffer} when momentum > 0, then {average grad} when centered
 *          v = rho * v + (1 - rho) * g * g
 *          centered: a = rho * a + (1 - rho) * g;  d = v - a * a + epsilon;  otherwise d = v + epsilon
 *          inc = lr * g / sqrt(d)                               (epsilon inside the root, as Keras)
 *          momentum > 0: mb = momentum * mb + inc;  p = p - mb;  otherwise p = p - inc
 *
 * ADAGRAD  hyper = {lr, wd, epsilon}
 *          state = {accumulator}   (the caller initialises it, e.g. to Keras' initial_accumulator_value 0.1)
 *          acc = acc + g * g
 *          p = p - lr * g / sqrt(acc + epsilon)
 * </pre>
 *
 * Tensors: param, grad and every state tensor have one shape and one float dtype (float32 or
 * float64), are contiguous, and do not overlap. The reference backend computes each element in
 * double and rounds once per stored value; native backends may compute float32 tensors in float32.
 */
public enum OptimizerKind {
    SGD(4), ADAM(7), RMSPROP(6), ADAGRAD(3);

    private final int hyperCount;

    OptimizerKind(int hyperCount) { this.hyperCount = hyperCount; }

    /** How many values {@code hyper} holds for this kind. */
    public int hyperCount() { return hyperCount; }

    /** How many state tensors this kind takes, given its hyperparameters. */
    public int stateCount(double[] hyper) {
        switch (this) {
            case SGD: return hyper[2] != 0 ? 1 : 0;
            case ADAM: return hyper[6] != 0 ? 3 : 2;
            case RMSPROP: return 1 + (hyper[3] > 0 ? 1 : 0) + (hyper[5] != 0 ? 1 : 0);
            default: return 1;
        }
    }
}
