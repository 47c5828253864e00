package org.pyj4.nn.training;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.pyj4.data.BatchSource;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.Shapes;
import org.pyj4.nn.Model;
import org.pyj4.nn.autograd.GradMode;
import org.pyj4.nn.autograd.Variable;

/**
 * Inference: batches through the model with gradients off and dropout inactive, each batch's result
 * copied into one output array. Thread-safe: all scratch memory is the calling thread's own (its
 * MemoryScope), and nothing of the model is written.
 */
public final class Predictor {
    private Predictor() {}

    @SuppressWarnings("try")
    public static NDArray predict(Model model, NDArray input, int batchSize) {
        Inputs.checkBatchSize("predict", batchSize);
        NDArray output;
        try (MemoryScope outer = MemoryScope.open(); GradMode.Off off = GradMode.off()) {
            NDArray x = Inputs.features(model, input, "predict");
            long n = x.shape()[0];
            long[] sample = model.outputShape();
            long[] shape = new long[sample.length + 1];
            shape[0] = n;
            System.arraycopy(sample, 0, shape, 1, sample.length);
            output = null;
            for (long start = 0; start < n; start += batchSize) {
                long end = Math.min(n, start + batchSize);
                try (MemoryScope scope = MemoryScope.open()) {
                    NDArray y = model.call(Variable.constant(x.slice(0, start, end, 1L)), false).value();
                    if (output == null) output = outer.detach(scope.detach(NDArray.empty(y.dtype(), concrete(shape, y.shape(), n), y.backend())));
                    NDArray part = output.slice(0, start, end, 1L);
                    part.backend().copy(y.tensor(), part.tensor());
                }
            }
            if (output == null) output = outer.detach(NDArray.empty(model.outputDtype(), concrete(shape, shape, 0), x.backend()));
        }
        return output;
    }

    /**
     * {@link #predict} from and into host memory that the caller owns: the Python facade passes
     * NumPy arrays this way, so a call costs one crossing and no copy of the input, and the
     * predictions land in the array Python returns. The input is float32 samples of {@code shape}
     * in row-major order at {@code inputAddress}; the predictions are written as row-major float32
     * of {@code outputShape} at {@code outputAddress}. The caller keeps both alive and unchanged
     * during the call. Returns false, having written nothing, when the model's predictions are not
     * float32 of exactly {@code outputShape} (the caller then uses {@link #predict}); other problems
     * throw as predict does.
     */
    @SuppressWarnings("try")
    public static boolean predictInto(Model model, long inputAddress, long[] shape, long outputAddress, long[] outputShape, int batchSize) {
        Inputs.checkBatchSize("predict", batchSize);
        if (shape == null || shape.length == 0) throw new IllegalArgumentException("predict: expected a batch of samples. Received: shape=[]");
        try (MemoryScope outer = MemoryScope.open(); GradMode.Off off = GradMode.off()) {
            NDArray x = Inputs.features(model, NDArray.wrapHost(inputAddress, Shapes.size(shape) * 4, DType.FLOAT32, shape,
                    rowMajorStrides(shape), 0, false, null, null), "predict");
            long n = x.shape()[0];
            long[] sample = model.outputShape();
            long[] expected = new long[sample.length + 1];
            expected[0] = n;
            System.arraycopy(sample, 0, expected, 1, sample.length);
            if (model.outputDtype() != DType.FLOAT32 || !java.util.Arrays.equals(expected, outputShape)) return false;
            NDArray output = NDArray.wrapHost(outputAddress, Shapes.size(expected) * 4, DType.FLOAT32, expected, rowMajorStrides(expected),
                    0, true, null, null);
            if (n <= batchSize) {  // one batch (a service's usual call): no views, and the outer scope frees its temporaries
                NDArray y = model.call(Variable.constant(x), false).value();
                output.backend().copy(y.tensor(), output.tensor());
                return true;
            }
            for (long start = 0; start < n; start += batchSize) {
                long end = Math.min(n, start + batchSize);
                try (MemoryScope scope = MemoryScope.open()) {
                    NDArray y = model.call(Variable.constant(x.slice(0, start, end, 1L)), false).value();
                    NDArray part = output.slice(0, start, end, 1L);
                    part.backend().copy(y.tensor(), part.tensor());
                }
            }
        }
        return true;
    }

    // Handles name models to callers that pass only numbers: pyj4._accel's predict path calls
    // predictIntoHandle through JNI with no Java objects to make. A handle does not keep its model
    // alive (the caller holds the model while it uses the handle); entries of collected models are
    // dropped at the next registration.
    private static final ConcurrentHashMap<Long, WeakReference<Model>> HANDLES = new ConcurrentHashMap<>();
    private static final AtomicLong LAST_HANDLE = new AtomicLong();

    /** A new handle for {@code model}, for {@link #predictIntoHandle}. */
    public static long handle(Model model) {
        if (model == null) throw new IllegalArgumentException("handle: expected a model. Received: null");
        HANDLES.values().removeIf(r -> r.get() == null);
        long h = LAST_HANDLE.incrementAndGet();
        HANDLES.put(h, new WeakReference<>(model));
        return h;
    }

    /** Forgets a handle (unknown handles are ignored). */
    public static void releaseHandle(long handle) { HANDLES.remove(handle); }

    /**
     * {@link #predictInto} for the model of {@code handle}, given {@code rows} samples of the built
     * model's input shape in {@code inputBytes} bytes of float32, writing {@code outputBytes} bytes.
     * Returns false, having written nothing, when the handle names no live model or the model is not
     * built, or its input is not float32, or either byte count is not exactly what {@code rows}
     * samples take (the caller then uses the general path, which reports what is wrong).
     */
    public static boolean predictIntoHandle(long handle, long inputAddress, long inputBytes, long rows, long outputAddress,
                                            long outputBytes, int batchSize) {
        WeakReference<Model> ref = HANDLES.get(handle);
        Model model = ref == null ? null : ref.get();
        if (model == null || rows < 1 || !model.isBuilt() || model.inputDtype() != DType.FLOAT32) return false;
        long[] in = withRows(rows, model.inputShape()), out = withRows(rows, model.outputShape());
        if (in == null || out == null || float32Bytes(in) != inputBytes || float32Bytes(out) != outputBytes) return false;
        return predictInto(model, inputAddress, in, outputAddress, out, batchSize);
    }

    /** {rows, sample...}, or null when a sample dimension is unknown. */
    private static long[] withRows(long rows, long[] sample) {
        if (sample == null) return null;
        long[] shape = new long[sample.length + 1];
        shape[0] = rows;
        for (int i = 0; i < sample.length; i++) {
            if (sample[i] < 0) return null;
            shape[i + 1] = sample[i];
        }
        return shape;
    }

    /** The byte size of a float32 array of this shape, or -1 when it overflows a long. */
    private static long float32Bytes(long[] shape) {
        try {
            long n = 4;
            for (long d : shape) n = Math.multiplyExact(n, d);
            return n;
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    private static long[] rowMajorStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long step = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = step;
            step *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /**
     * Outputs for every batch of a source (its labels, if any, are ignored), joined in order. The
     * source is advanced outside any scope of ours: arrays it creates may outlive one batch.
     */
    public static NDArray predict(Model model, BatchSource source) {
        if (source == null) throw new IllegalArgumentException("predict: expected data. Received: None");
        List<NDArray> parts = new ArrayList<>();
        NDArray result = null;
        try {
            for (Iterator<BatchSource.Batch> pass = source.iterator(); pass.hasNext(); ) {
                try (BatchSource.Batch b = pass.next()) {
                    parts.add(predict(model, b.features(), (int) Math.max(1, Math.min(Integer.MAX_VALUE, b.size()))));
                }
            }
            if (parts.isEmpty()) throw new IllegalArgumentException("predict: the batch source yielded no batches");
            result = parts.size() == 1 ? parts.get(0) : NDArray.concatenate(parts.toArray(new NDArray[0]), 0);
            return result;
        } finally {
            for (NDArray p : parts) if (p != result) p.close();
        }
    }

    /** The output shape with unknown sample dimensions taken from an actual batch. */
    private static long[] concrete(long[] declared, long[] batch, long n) {
        long[] s = declared.clone();
        s[0] = n;
        for (int i = 1; i < s.length; i++) if (s[i] < 0) s[i] = i < batch.length ? batch[i] : 0;
        return s;
    }
}
