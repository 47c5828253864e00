package org.pyj4.nn.training;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.pyj4.data.BatchSource;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.NDArray;
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
            if (output == null) output = outer.detach(NDArray.empty(model.inputDtype(), concrete(shape, shape, 0), x.backend()));
        }
        return output;
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
