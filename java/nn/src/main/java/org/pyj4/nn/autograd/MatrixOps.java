package org.pyj4.nn.autograd;

import static org.pyj4.nn.autograd.Broadcasting.sumTo;

import org.pyj4.backend.Backend;
import org.pyj4.backend.BinaryOp;
import org.pyj4.backend.ReduceOp;
import org.pyj4.backend.Tensor;
import org.pyj4.backend.UnaryOp;
import org.pyj4.ndarray.DTypeException;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.ShapeException;

/** Matrix products, including the fused dense layer (x @ kernel + bias, then an activation) that training spends its time in. */
public final class MatrixOps {
    private MatrixOps() {}

    private static final int[] AXIS0 = {0};

    /** A 1-D tensor read as {@code rows} identical rows (stride 0). */
    private static Tensor rowsOf(Tensor v, long rows) {
        return new Tensor(v.buffer(), v.dtype(), new long[] {rows, v.shape()[0]}, new long[] {0, v.strides()[0]}, v.offset());
    }

    /** A 1-D tensor as one row [1, n]. */
    private static Tensor asRow(Tensor v) {
        return new Tensor(v.buffer(), v.dtype(), new long[] {1, v.shape()[0]}, new long[] {v.shape()[0] * v.strides()[0], v.strides()[0]}, v.offset());
    }

    /** The transpose of a 2-D tensor: the backend's matmul reads it in place (BLAS transpose flags). */
    private static Tensor transposed(Tensor m) {
        return new Tensor(m.buffer(), m.dtype(), new long[] {m.shape()[1], m.shape()[0]}, new long[] {m.strides()[1], m.strides()[0]}, m.offset());
    }

    /** NumPy matmul with batch broadcasting; 1-D operands are promoted and the added axis removed. */
    public static Variable matmul(Variable a, Variable b) {
        if (a.ndim() == 1 && b.ndim() == 1) return ReductionOps.sum(ElementwiseOps.mul(a, b));
        if (a.ndim() == 1) return ShapeOps.squeeze(matmul(ShapeOps.expandDims(a, 0), b), -2);
        if (b.ndim() == 1) return ShapeOps.squeeze(matmul(a, ShapeOps.expandDims(b, 1)), -1);
        return Variable.result(a.value.matmul(b.value), (g, grads) -> {
            // Transposed operands are strided views: the backend's matmul reads them in place.
            if (grads.wants(a)) grads.add(a, sumTo(g.matmul(b.value.swapAxes(-1, -2)), a.value.shape()));
            if (grads.wants(b)) grads.add(b, sumTo(a.value.swapAxes(-1, -2).matmul(g), b.value.shape()));
        }, a, b);
    }

    /**
     * Activations a dense layer applies in place, whose derivative is a function of their output
     * (so the pre-activation need not be kept).
     */
    public enum OutputActivation {
        LINEAR(null), RELU(UnaryOp.RELU), SIGMOID(UnaryOp.SIGMOID), TANH(UnaryOp.TANH);

        final UnaryOp op;

        OutputActivation(UnaryOp op) { this.op = op; }

        /** g * activation'(x), written with the output y = activation(x). */
        NDArray backward(NDArray g, NDArray y) {
            Backend be = y.backend();
            switch (this) {
                case RELU: {
                    NDArray dz = NDArray.empty(y.dtype(), y.shape(), be);
                    if (y.dtype().isFloat() && g.dtype() == y.dtype()) {
                        be.binary(BinaryOp.RELU_GRAD, g.tensor(), y.tensor(), dz.tensor());  // g where y > 0, else 0: one pass
                    } else {
                        // sign(y) is 1 where y > 0 and 0 where y == 0: the mask, then g * mask in place.
                        be.unary(UnaryOp.SIGN, y.tensor(), dz.tensor());
                        be.binary(BinaryOp.MUL, g.tensor(), dz.tensor(), dz.tensor());
                    }
                    return dz;
                }
                case SIGMOID: return g.mul(y).mul(NDArray.scalar(1.0).sub(y));
                case TANH: return g.mul(NDArray.scalar(1.0).sub(y.square()));
                default: return g;
            }
        }
    }

    /**
     * activation(x @ kernel + bias) over the last axis of x, as one node: one matmul into a fresh
     * output, the bias added and the activation applied in place. Backward writes the kernel's and
     * bias' gradients straight into their parameter buffers when it can.
     *
     * @param bias may be null (use_bias=false)
     */
    public static Variable dense(Variable x, Variable kernel, Variable bias, OutputActivation activation) {
        long[] xs = x.value.shape();
        long[] ks = kernel.value.shape();
        if (xs.length == 0 || ks.length != 2 || xs[xs.length - 1] != ks[0]) {
            throw new ShapeException("Dense: expected an input whose last axis is " + (ks.length == 2 ? ks[0] : "the kernel's first")
                    + ". Received: input=" + x.value.describe() + ", kernel=" + kernel.value.describe());
        }
        if (x.dtype() != kernel.dtype()) {
            throw new DTypeException("Dense: expected an input of the kernel's dtype. Received: input=" + x.value.describe()
                    + ", kernel=" + kernel.value.describe());
        }
        long in = ks[0], units = ks[1];
        // 2-D inputs (the usual case) need no reshaped views; operands that are only read by the
        // backend (the broadcast bias, transposes) are plain Tensors: a step makes few objects.
        final boolean flat = xs.length == 2;
        NDArray x2 = flat ? x.value : x.value.reshape(-1, in);
        long rows = x2.tensor().shape()[0];
        Backend be = x2.backend();
        NDArray y2 = NDArray.empty(x.dtype(), new long[] {rows, units}, be);
        be.matmul(x2.tensor(), kernel.value.tensor(), y2.tensor());
        if (bias != null && activation == OutputActivation.RELU && x.dtype().isFloat()) {
            be.binary(BinaryOp.ADD_RELU, y2.tensor(), rowsOf(bias.value.tensor(), rows), y2.tensor());  // one pass
        } else {
            if (bias != null) be.binary(BinaryOp.ADD, y2.tensor(), rowsOf(bias.value.tensor(), rows), y2.tensor());
            if (activation.op != null) be.unary(activation.op, y2.tensor(), y2.tensor());
        }
        long[] outShape = xs.clone();
        outShape[xs.length - 1] = units;
        NDArray y = flat ? y2 : y2.reshape(outShape);
        return Variable.result(y, (g, grads) -> {
            NDArray g2 = flat ? g : g.reshape(rows, units);
            NDArray dz = activation.backward(g2, y2);
            if (grads.wants(kernel)) {
                Tensor xT = transposed(x2.tensor());
                NDArray into = grads.destination(kernel);
                if (into != null) {
                    be.matmul(xT, dz.tensor(), into.tensor());
                } else {
                    NDArray dk = NDArray.empty(kernel.dtype(), ks, be);
                    be.matmul(xT, dz.tensor(), dk.tensor());
                    grads.add(kernel, dk);
                }
            }
            if (bias != null && grads.wants(bias)) {
                NDArray into = grads.destination(bias);
                if (into != null) be.reduce(ReduceOp.SUM, dz.tensor(), AXIS0, asRow(into.tensor()));
                else grads.add(bias, dz.sum(AXIS0, false));
            }
            if (grads.wants(x)) {
                NDArray dx = NDArray.empty(x.dtype(), new long[] {rows, in}, be);
                be.matmul(dz.tensor(), transposed(kernel.value.tensor()), dx.tensor());
                grads.add(x, flat ? dx : dx.reshape(xs));
            }
        }, x, kernel, bias);
    }
}
