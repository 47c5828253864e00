package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import java.util.Arrays;
import org.pyj4.ndarray.DType;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;
import org.pyj4.nn.functional.SymbolicTensor;

/**
 * Declares the model's input shape (Keras' Input / InputLayer); passes its input through. Its dtype
 * may be an integer one (token ids); inputs are converted to it.
 */
public final class InputLayer extends Layer {
    private final long[] shape; // without batch

    public InputLayer(Config c) {
        super(c, true);  // integer inputs too (token ids for an Embedding)
        long[] batchShape = c.dims("batch_shape");
        if (batchShape == null) batchShape = c.dims("batch_input_shape"); // Keras 2 spelling
        if (batchShape == null && c.has("shape")) {
            long[] s = c.dims("shape");
            batchShape = new long[s.length + 1];
            batchShape[0] = -1;
            System.arraycopy(s, 0, batchShape, 1, s.length);
        }
        if (batchShape == null || batchShape.length == 0) {
            throw new IllegalArgumentException("InputLayer: expected 'batch_shape' such as [null, 784]. Received: " + c.json());
        }
        this.shape = Arrays.copyOfRange(batchShape, 1, batchShape.length);
        for (long d : shape) {
            if (d == 0 || d < -1) throw new IllegalArgumentException("InputLayer: expected positive dimensions. Received: batch_shape=" + Arrays.toString(batchShape));
        }
        c.requireUnset("sparse_tensor");
        if (c.bool("sparse", false)) throw new IllegalArgumentException("InputLayer: sparse inputs are not supported. Received: sparse=true");
    }

    /** Input((784,)): the shape of one sample. */
    public InputLayer(long... shape) { this(withShape(named("InputLayer", null, null), shape, null)); }

    public InputLayer(long[] shape, DType dtype) { this(withShape(named("InputLayer", null, dtype), shape, dtype)); }

    private static Config withShape(Config c, long[] shape, DType dtype) {
        c.json().add("batch_shape", Config.dimsJson(shape, true));
        return c;
    }

    /** The declared shape of one sample. */
    public long[] shape() { return shape.clone(); }

    /** The symbolic tensor this input feeds into a functional graph (Keras' {@code keras.Input(...)}). */
    public SymbolicTensor tensor() { return sourceNode(shape).outputs().get(0); }

    @Override public String className() { return "InputLayer"; }

    @Override public long[] outputShape(long[] inputShape) { return inputShape.clone(); }

    @Override protected Variable call(Variable x, boolean training) { return x; }

    @Override protected void addConfig(JsonObject c) {
        c.remove("trainable");
        c.add("batch_shape", Config.dimsJson(shape, true));
        c.addProperty("sparse", false);
    }
}
