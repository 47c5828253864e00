package org.pyj4.backend;

import java.nio.ByteBuffer;
import org.pyj4.memory.Buffer;
import org.pyj4.ndarray.Device;

/**
 * The backend SPI: an allocator, host transfers, and a small fixed set of primitives. Everything else
 * (softmax, mean, var, clip, indexing, concatenation, ...) is derived in Java from these.
 *
 * <p>Contract for every primitive, checked by the NDArray layer before the call and again by native
 * backends before they touch memory: all tensors live on {@link #device()}; inputs already have the
 * output's shape (broadcast dimensions carry stride 0) unless a method says otherwise; outputs may be
 * strided views but never overlap an input partially; dtypes are as each method states. A backend
 * must not assume host-addressable memory unless its device is the host.
 */
public interface Backend {
    /** Short name: "java", "cpu", "cuda". */
    String name();

    Device device();

    /** Zero-filled memory for {@code bytes} bytes on this backend's device. */
    Buffer allocate(long bytes);

    /**
     * Memory for {@code bytes} bytes whose contents are unspecified: for an output that an op then
     * overwrites entirely (it saves the zero-fill). Backends without a cheaper way return
     * {@link #allocate}'s zero-filled memory.
     */
    default Buffer allocateUninitialized(long bytes) { return allocate(bytes); }

    /** Copies {@code src.remaining()} bytes from host memory (heap or direct) into dst at byteOffset. */
    void write(Buffer dst, long byteOffset, ByteBuffer src);

    /** Copies {@code dst.remaining()} bytes from src at byteOffset into host memory (heap or direct). */
    void read(Buffer src, long byteOffset, ByteBuffer dst);

    /** dst = src converted to dst's dtype (same shape; any dtypes; floats to integers truncate toward zero). */
    void copy(Tensor src, Tensor dst);

    /** out = op(x). Same shape; out has x's dtype, or bool for {@link UnaryOp.Domain#BOOL_RESULT}. */
    void unary(UnaryOp op, Tensor x, Tensor out);

    /** out = a op b. Same shape; a and b share a dtype; out has it too, or bool for comparisons. */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /** out = cond ? a : b. Same shape; cond is bool; a, b and out share a dtype. */
    void where(Tensor cond, Tensor a, Tensor b, Tensor out);

    /**
     * Reduces x over {@code axes} (sorted, distinct) into out, whose shape is x's with those axes set
     * to 1. Output dtype: see {@link ReduceOp}.
     */
    void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out);

    /**
     * Batched matrix product: a is [..., m, k], b is [..., k, n], out is [..., m, n], batch dims
     * already broadcast to out's; one dtype for all three.
     */
    void matmul(Tensor a, Tensor b, Tensor out);

    /**
     * out[i] = x[index[i]] where index (int64, out's shape) counts x's elements in row-major order.
     * Indices outside [0, x.size) are an error, reported before anything is written.
     */
    void gather(Tensor x, Tensor index, Tensor out);

    /**
     * dst[index[i]] = values[i], index (int64) counting dst's elements in row-major order; values has
     * index's shape and dst's dtype. Out-of-range indices are an error, reported before any write.
     */
    void scatter(Tensor dst, Tensor index, Tensor values);

    /**
     * dst[index[i]] += values[i] for every i, in row-major order of index, so repeated indices add
     * up (the backward of gather). index (int64) counts dst's elements in row-major order; values
     * has index's shape and dst's dtype, float32 or float64. Out-of-range indices are an error,
     * reported before any write. Each addition rounds to dst's dtype; a native backend may add in
     * another order (results then differ by rounding).
     */
    void scatterAdd(Tensor dst, Tensor index, Tensor values);

    /**
     * Unfolds sliding windows into columns (the first half of a convolution as a matrix product):
     * x is [N, H, W, C], cols is [N, OH, OW, KH, KW, C] with KH, KW the window's kernel, and
     * <pre>
     *     cols[n, oh, ow, kh, kw, c] = x[n, h, w, c]   at the position {@link Window} gives, or 0 in the padding
     * </pre>
     * Any strides (a channels_first array is passed as a transposed view). One float dtype,
     * float32 or float64.
     */
    void im2col(Tensor x, Window window, Tensor cols);

    /**
     * The adjoint of {@link #im2col}, accumulating: x[n, h, w, c] += every cols[n, oh, ow, kh, kw, c]
     * whose window tap reads (h, w); taps in the padding are dropped. Shapes and dtypes as im2col;
     * cols may be a broadcast view. Sums are in row-major order of cols per x element in the
     * reference; a native backend may add in another order.
     */
    void col2im(Tensor cols, Window window, Tensor x);

    /**
     * Direct 2-D convolution (one group) of x [N, H, W, C] with kernel [KH, KW, C, F] (KH, KW the
     * window's kernel) into out [N, OH, OW, F], overwritten:
     * <pre>
     *     out[n, oh, ow, f] = bias[f] + sum over kh, kw, c of x[n, h, w, c] * kernel[kh, kw, c, f]
     * </pre>
     * at the positions {@link Window} gives, taps in the padding adding nothing; bias [F] may be
     * null (then 0). The same as {@link #im2col} followed by a product with the kernel as a
     * [KH * KW * C, F] matrix, without the unfolded windows. Any strides, one float dtype (float32
     * or float64). Sums in the reference run over (kh, kw, c) in row-major order; a native backend
     * may add in another order.
     */
    void conv2d(Tensor x, Tensor kernel, Tensor bias, Window window, Tensor out);

    /**
     * The kernel's (and bias') gradient of {@link #conv2d}, overwritten: for dy [N, OH, OW, F],
     * <pre>
     *     dkernel[kh, kw, c, f] = sum over n, oh, ow of x[n, h, w, c] * dy[n, oh, ow, f]   (taps in the padding: 0)
     *     dbias[f]              = sum over n, oh, ow of dy[n, oh, ow, f]
     * </pre>
     * dbias may be null. Shapes and dtypes as conv2d; sums in row-major order of (n, oh, ow) in the
     * reference, in another order on a native backend.
     */
    void conv2dKernelGrad(Tensor x, Tensor dy, Window window, Tensor dkernel, Tensor dbias);

    /**
     * Pools each window of x [N, H, W, C] into out [N, OH, OW, C] with {@link PoolKind}'s reduction
     * over the window's taps that lie inside x. For MAX, {@code argmax} (int64, out's shape) may
     * receive, per output element, the row-major index into x's elements of the value chosen (what
     * {@link #scatterAdd} needs for the backward pass); null when not wanted, and always null for
     * AVG. Every window must hold at least one element of x. One float dtype, float32 or float64.
     */
    void pool(PoolKind kind, Tensor x, Window window, Tensor out, Tensor argmax);

    /**
     * One fused recurrent-cell step (see {@link RnnCell} for each kind's operands and formulas):
     * {@code operands} holds the kind's inputs, then its outputs.
     */
    void rnnCell(RnnCell kind, Tensor[] operands);

    /**
     * An LSTM's forward pass over T steps from h = c = 0: for each step i,
     * <pre>
     *     hproj = i == 0 ? 0 : h[i - 1] @ u
     *     rnnCell(LSTM_FORWARD, xproj[i], hproj, i == 0 ? 0 : c[i - 1]  ->  gates[i], c[i], h[i])
     * </pre>
     * xproj [T, B, 4H] (x @ kernel + bias), u [H, 4H]; writes gates [T, B, 4H], c and h [T, B, H].
     * One float dtype; outputs overlap nothing. This default, which defines the meaning, runs the
     * steps through {@link #matmul} and {@link #rnnCell}; a backend may fuse them (and then sums each
     * product in its own order).
     */
    default void lstmSequence(Tensor xproj, Tensor u, Tensor gates, Tensor c, Tensor h) { RnnSequences.lstm(this, xproj, u, gates, c, h); }

    /**
     * The backward pass of {@link #lstmSequence}: for i from T - 1 down to 0,
     * <pre>
     *     dhRec = i == T - 1 ? 0 : dz[i + 1] @ u^T
     *     rnnCell(LSTM_BACKWARD, gates[i], i == 0 ? 0 : c[i - 1], c[i], dh[i], dhRec, dcNext  ->  dz[i], dcPrev)
     * </pre>
     * with dcNext = dcLast at the last step and the previous step's dcPrev after it. dh [T, B, H] is
     * the gradient reaching each h[i] from outside the recurrence, dcLast [B, H] the one reaching
     * c[T - 1]; writes dz [T, B, 4H], the gradient of the pre-activations (xproj + hproj). The
     * kernels' and inputs' gradients are products over dz that the caller makes.
     */
    default void lstmSequenceGrad(Tensor gates, Tensor c, Tensor u, Tensor dh, Tensor dcLast, Tensor dz) {
        RnnSequences.lstmGrad(this, gates, c, u, dh, dcLast, dz);
    }

    /** Fills out (a float dtype) with counter-based random numbers; see {@link RandomKind}. */
    void random(RandomKind kind, long seed, long counter, double a, double b, Tensor out);

    /**
     * One fused optimizer update, in place: {@code param} and each of {@code state} are rewritten from
     * themselves and {@code grad}, with the formulas and the {@code hyper} layout of {@link OptimizerKind}.
     * All tensors share one shape and one float dtype (float32 or float64) and are contiguous; the
     * state count is {@link OptimizerKind#stateCount}. Validated (see {@link Checks#optimizerStep})
     * before anything is written.
     */
    void optimizerStep(OptimizerKind kind, Tensor param, Tensor grad, Tensor[] state, double[] hyper);
}
