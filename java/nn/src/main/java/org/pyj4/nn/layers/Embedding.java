package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.autograd.NNOps;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/**
 * Turns integer ids into dense vectors (Keras Embedding): input [batch, ...] of ids in
 * [0, input_dim) (an integer dtype, or floats holding integers), output [batch, ..., output_dim].
 * Weight: embeddings [input_dim, output_dim], initialized uniform in [-0.05, 0.05] as Keras.
 * Its gradient is a scatter-add of the output gradient into the rows that were read.
 */
public final class Embedding extends Layer {
    private final int inputDim;
    private final int outputDim;
    private final Initializer initializer;
    private Parameter embeddings;

    public Embedding(Config c) {
        super(c);
        this.inputDim = c.integer("input_dim", 0);
        this.outputDim = c.integer("output_dim", 0);
        if (inputDim <= 0 || outputDim <= 0) {
            throw new IllegalArgumentException("Embedding: expected input_dim > 0 and output_dim > 0. Received: input_dim=" + c.get("input_dim")
                    + ", output_dim=" + c.get("output_dim"));
        }
        this.initializer = Initializers.fromJson("Embedding", "embeddings_initializer", c.json().get("embeddings_initializer"),
                SimpleInitializer.randomUniform(-0.05, 0.05, null));
        if (c.bool("mask_zero", false)) throw new IllegalArgumentException("Embedding: mask_zero=true is not supported yet (masks do not propagate)");
        if (c.bool("sparse", false)) throw new IllegalArgumentException("Embedding: sparse=true is not supported");
        c.requireUnset("embeddings_regularizer", "activity_regularizer", "embeddings_constraint", "lora_rank");
    }

    public Embedding(int inputDim, int outputDim) { this(withDims(inputDim, outputDim)); }

    private static Config withDims(int inputDim, int outputDim) {
        Config c = named("Embedding", null, null);
        c.json().addProperty("input_dim", inputDim);
        c.json().addProperty("output_dim", outputDim);
        return c;
    }

    @Override public String className() { return "Embedding"; }

    @Override protected void createWeights(long[] inputShape) {
        embeddings = addWeight("embeddings", new long[] {inputDim, outputDim}, initializer);
    }

    @Override public long[] outputShape(long[] inputShape) {
        long[] out = java.util.Arrays.copyOf(inputShape, inputShape.length + 1);
        out[inputShape.length] = outputDim;
        return out;
    }

    @Override protected Variable call(Variable x, boolean training) {
        NDArray ids = x.dtype() == DType.INT64 ? x.value() : x.value().astype(DType.INT64);
        if (ids.size() > 0) {
            long lo = ids.min(null, false).getLong(), hi = ids.max(null, false).getLong();
            if (lo < 0 || hi >= inputDim) {
                throw new IllegalArgumentException("Embedding '" + name() + "': ids must lie in [0, input_dim=" + inputDim + "). Received: an id of "
                        + (lo < 0 ? lo : hi));
            }
        }
        return NNOps.embedding(embeddings, ids);
    }

    @Override protected void addConfig(JsonObject c) {
        c.addProperty("input_dim", inputDim);
        c.addProperty("output_dim", outputDim);
        c.add("embeddings_initializer", Initializers.toJson(initializer));
        c.addProperty("mask_zero", false);
    }
}
