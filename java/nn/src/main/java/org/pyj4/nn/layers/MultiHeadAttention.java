package org.pyj4.nn.layers;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.autograd.ElementwiseOps;
import org.pyj4.nn.autograd.MatrixOps;
import org.pyj4.nn.autograd.NNOps;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.autograd.ShapeOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/**
 * Multi-head attention (Keras MultiHeadAttention), over sequences: query [B, Tq, Dq], value
 * [B, Tv, Dv], key [B, Tv, Dk] (default: value).
 * <pre>
 *     q = query @ Wq + bq  [B, Tq, heads, key_dim], scaled by 1 / sqrt(key_dim)
 *     k = key @ Wk + bk    [B, Tv, heads, key_dim];   v = value @ Wv + bv  [B, Tv, heads, value_dim]
 *     scores = q . k per head  [B, heads, Tq, Tv];  masked positions get -1e9 (-3e4 for float16)
 *     probs = dropout(softmax(scores));  out = (probs @ v) @ Wo + bo  [B, Tq, output_shape]
 * </pre>
 * Masks: attention_mask [B, Tq, Tv] (true / nonzero = may attend) and use_causal_mask (query i sees
 * value positions j <= i), combined with and. Weights, in Keras order: query/kernel [Dq, heads,
 * key_dim], query/bias [heads, key_dim], key/..., value/... ([Dv, heads, value_dim]),
 * attention_output/kernel [heads, value_dim, Dout], attention_output/bias [Dout]. Called on one
 * tensor (in a Sequential) it is self-attention.
 */
public final class MultiHeadAttention extends Layer {
    private final int numHeads;
    private final int keyDim;
    private final int valueDim;
    private final double dropout;
    private final boolean useBias;
    private final Integer outputDim;
    private final Long seed;
    private final Initializer kernelInitializer;
    private final Initializer biasInitializer;
    private final Dropout attentionDropout;
    private Parameter wq, bq, wk, bk, wv, bv, wo, bo;

    public MultiHeadAttention(Config c) {
        super(c);
        this.numHeads = c.integer("num_heads", 0);
        this.keyDim = c.integer("key_dim", 0);
        if (numHeads <= 0 || keyDim <= 0) {
            throw new IllegalArgumentException("MultiHeadAttention: expected num_heads > 0 and key_dim > 0. Received: num_heads=" + c.get("num_heads")
                    + ", key_dim=" + c.get("key_dim"));
        }
        this.valueDim = c.has("value_dim") ? c.integer("value_dim", 0) : keyDim;
        if (valueDim <= 0) throw new IllegalArgumentException("MultiHeadAttention: expected value_dim > 0. Received: value_dim=" + c.get("value_dim"));
        this.dropout = c.number("dropout", 0.0);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("MultiHeadAttention: expected 0 <= dropout < 1. Received: dropout=" + dropout);
        this.useBias = c.bool("use_bias", true);
        JsonElement os = c.get("output_shape");
        if (os == null) {
            this.outputDim = null;
        } else if (os.isJsonArray()) {
            long[] d = c.dims("output_shape");
            if (d.length != 1 || d[0] <= 0) throw new IllegalArgumentException("MultiHeadAttention: expected output_shape of one positive size. Received: output_shape=" + os);
            this.outputDim = (int) d[0];
        } else {
            this.outputDim = c.integer("output_shape", 0);
            if (outputDim <= 0) throw new IllegalArgumentException("MultiHeadAttention: expected output_shape > 0. Received: output_shape=" + os);
        }
        JsonElement axes = c.get("attention_axes");
        if (axes != null && !(axes.isJsonArray() && axes.getAsJsonArray().size() == 1 && axes.getAsJsonArray().get(0).getAsInt() == 1)) {
            throw new IllegalArgumentException("MultiHeadAttention: attention over axes other than the sequence axis is not supported yet. Received: attention_axes=" + axes);
        }
        this.seed = c.nullableLong("seed");
        this.kernelInitializer = Initializers.fromJson("MultiHeadAttention", "kernel_initializer", c.json().get("kernel_initializer"), VarianceScaling.glorotUniform(null));
        this.biasInitializer = Initializers.fromJson("MultiHeadAttention", "bias_initializer", c.json().get("bias_initializer"), SimpleInitializer.zeros());
        c.requireUnset("kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint");
        Config d = named("Dropout", null, dtype());  // the layer's dtype: no cast of the probabilities
        d.json().addProperty("rate", dropout);
        if (seed != null) d.json().addProperty("seed", seed);
        this.attentionDropout = new Dropout(d);
    }

    /** MultiHeadAttention(num_heads, key_dim). */
    public MultiHeadAttention(int numHeads, int keyDim) { this(numHeads, keyDim, null, 0.0, null); }

    public MultiHeadAttention(int numHeads, int keyDim, Integer valueDim, double dropout, Integer outputShape) {
        this(withArgs(numHeads, keyDim, valueDim, dropout, outputShape));
    }

    private static Config withArgs(int numHeads, int keyDim, Integer valueDim, double dropout, Integer outputShape) {
        Config c = named("MultiHeadAttention", null, null);
        c.json().addProperty("num_heads", numHeads);
        c.json().addProperty("key_dim", keyDim);
        if (valueDim != null) c.json().addProperty("value_dim", valueDim);
        c.json().addProperty("dropout", dropout);
        if (outputShape != null) c.json().addProperty("output_shape", outputShape);
        return c;
    }

    @Override public String className() { return "MultiHeadAttention"; }

    @Override public String[] tensorArguments() { return new String[] {"query", "value", "key", "attention_mask"}; }

    private String owner() { return "MultiHeadAttention '" + name() + "'"; }

    /** query, value, key (value when absent), each [T, D]. */
    private long[][] sequences(List<long[]> shapes) {
        if (shapes.isEmpty() || shapes.get(0) == null) throw new IllegalArgumentException(owner() + ": expected a query");
        long[] q = shapes.get(0);
        long[] v = shapes.size() > 1 && shapes.get(1) != null ? shapes.get(1) : q;
        long[] k = shapes.size() > 2 && shapes.get(2) != null ? shapes.get(2) : v;
        for (long[] s : new long[][] {q, v, k}) {
            if (s.length != 2 || s[1] <= 0) {
                throw new ShapeException(owner() + ": expected query, value and key of shape [batch, timesteps, features] with known features. Received: "
                        + Merge.describe(java.util.Arrays.asList(q, v, k)));
            }
        }
        if (v[0] >= 0 && k[0] >= 0 && v[0] != k[0]) throw new ShapeException(owner() + ": expected key and value of one length. Received: " + Merge.describe(List.of(v, k)));
        return new long[][] {q, v, k};
    }

    @Override protected void createWeights(List<long[]> shapes) {
        long[][] s = sequences(shapes);
        long dq = s[0][1], dv = s[1][1], dk = s[2][1];
        long dout = outputDim != null ? outputDim : dq;
        wq = addWeight("query/kernel", new long[] {dq, numHeads, keyDim}, kernelInitializer);
        if (useBias) bq = addWeight("query/bias", new long[] {numHeads, keyDim}, biasInitializer);
        wk = addWeight("key/kernel", new long[] {dk, numHeads, keyDim}, kernelInitializer);
        if (useBias) bk = addWeight("key/bias", new long[] {numHeads, keyDim}, biasInitializer);
        wv = addWeight("value/kernel", new long[] {dv, numHeads, valueDim}, kernelInitializer);
        if (useBias) bv = addWeight("value/bias", new long[] {numHeads, valueDim}, biasInitializer);
        wo = addWeight("attention_output/kernel", new long[] {numHeads, valueDim, dout}, kernelInitializer);
        if (useBias) bo = addWeight("attention_output/bias", new long[] {dout}, biasInitializer);
    }

    @Override public long[] outputShape(long[] inputShape) { return outputShapes(List.of(inputShape), null).get(0); }

    @Override public List<long[]> outputShapes(List<long[]> inputShapes, JsonObject options) {
        checkOptions(options, "use_causal_mask", "return_attention_scores");
        long[][] s = sequences(inputShapes);
        return List.of(new long[] {s[0][0], outputDim != null ? outputDim : s[0][1]});
    }

    @Override protected Variable call(Variable x, boolean training) { return attend(x, x, x, null, false, training); }

    @Override protected List<Variable> callAll(List<Variable> inputs, JsonObject options, boolean training) {
        checkOptions(options, "use_causal_mask", "return_attention_scores");
        if (options.has("return_attention_scores") && options.get("return_attention_scores").getAsBoolean()) {
            throw new IllegalArgumentException(owner() + ": return_attention_scores=true is not supported yet");
        }
        boolean causal = options.has("use_causal_mask") && !options.get("use_causal_mask").isJsonNull() && options.get("use_causal_mask").getAsBoolean();
        Variable query = autocast(inputs.get(0));
        Variable value = inputs.size() > 1 && inputs.get(1) != null ? autocast(inputs.get(1)) : query;
        Variable key = inputs.size() > 2 && inputs.get(2) != null ? autocast(inputs.get(2)) : value;
        NDArray mask = inputs.size() > 3 && inputs.get(3) != null ? inputs.get(3).value() : null;
        return List.of(attend(query, value, key, mask, causal, training));
    }

    /**
     * The attention of query on (key, value) with an optional [B, Tq, Tv] mask and the causal mask;
     * for Java callers (a functional graph passes them through {@link #callAll}).
     */
    public Variable attend(Variable query, Variable value, Variable key, NDArray attentionMask, boolean useCausalMask, boolean training) {
        if (!isBuilt()) {
            buildAll(java.util.Arrays.asList(sample(query), sample(value), sample(key)));
        }
        long b = query.shape()[0], tq = query.shape()[1], tv = value.shape()[1];
        if (value.shape()[0] != b || key.shape()[0] != b || key.shape()[1] != tv) {
            throw new ShapeException(owner() + ": expected query, value and key of one batch, key and value of one length. Received: query="
                    + query.value().describe() + ", value=" + value.value().describe() + ", key=" + key.value().describe());
        }
        Variable q = project(query, wq, bq, keyDim);  // [B, Tq, heads, key_dim]
        Variable k = project(key, wk, bk, keyDim);
        Variable v = project(value, wv, bv, valueDim);
        q = ElementwiseOps.mul(q, 1.0 / Math.sqrt(keyDim));
        Variable scores = MatrixOps.matmul(ShapeOps.transpose(q, 0, 2, 1, 3), ShapeOps.transpose(k, 0, 2, 3, 1));  // [B, heads, Tq, Tv]
        NDArray mask = combinedMask(attentionMask, useCausalMask, b, tq, tv);
        if (mask != null) {
            double large = query.dtype() == DType.FLOAT16 ? -3e4 : -1e9;
            NDArray adder = NDArray.scalarOf(1.0, scores.dtype()).sub(mask.astype(scores.dtype())).mul(large);
            scores = ElementwiseOps.add(scores, Variable.constant(adder));
        }
        Variable probs = attentionDropout.apply(NNOps.softmax(scores, -1), training);
        Variable heads = ShapeOps.transpose(MatrixOps.matmul(probs, ShapeOps.transpose(v, 0, 2, 1, 3)), 0, 2, 1, 3);  // [B, Tq, heads, value_dim]
        Variable flat = ShapeOps.reshape(heads, b, tq, (long) numHeads * valueDim);
        long dout = wo.shape()[2];
        return MatrixOps.dense(flat, ShapeOps.reshape(wo, (long) numHeads * valueDim, dout), bo, MatrixOps.OutputActivation.LINEAR);
    }

    private static long[] sample(Variable x) {
        long[] s = x.shape();
        return java.util.Arrays.copyOfRange(s, 1, s.length);
    }

    /** x [B, T, D] @ kernel [D, heads, dim] + bias [heads, dim] -> [B, T, heads, dim]. */
    private Variable project(Variable x, Parameter kernel, Parameter bias, int dim) {
        long[] ks = kernel.shape();
        Variable k2 = ShapeOps.reshape(kernel, ks[0], ks[1] * ks[2]);
        Variable b2 = bias == null ? null : ShapeOps.reshape(bias, ks[1] * ks[2]);
        Variable y = MatrixOps.dense(x, k2, b2, MatrixOps.OutputActivation.LINEAR);
        long[] s = x.shape();
        return ShapeOps.reshape(y, s[0], s[1], numHeads, dim);
    }

    /** attention_mask [B, Tq, Tv] and the causal mask (i >= j), as a bool [B or 1, 1, Tq, Tv]; null when neither. */
    private NDArray combinedMask(NDArray attentionMask, boolean causal, long b, long tq, long tv) {
        NDArray mask = null;
        if (attentionMask != null) {
            long[] ms = attentionMask.shape();
            if (ms.length != 3 || (ms[0] != b && ms[0] != 1) || ms[1] != tq || ms[2] != tv) {
                throw new ShapeException(owner() + ": expected attention_mask of shape [" + b + ", " + tq + ", " + tv + "]. Received: " + attentionMask.describe());
            }
            NDArray m = attentionMask.dtype() == DType.BOOL ? attentionMask : attentionMask.ne(NDArray.scalarOf(0.0, attentionMask.dtype()));
            mask = m.expandDims(1);
        }
        if (causal) {
            NDArray rows = NDArray.arange(0L, tq, 1L, DType.INT64).reshape(tq, 1);
            NDArray cols = NDArray.arange(0L, tv, 1L, DType.INT64).reshape(1, tv);
            NDArray lower = rows.ge(cols).reshape(1, 1, tq, tv);
            mask = mask == null ? lower : mask.and(lower);
        }
        return mask;
    }

    @Override protected void addConfig(JsonObject c) {
        c.addProperty("num_heads", numHeads);
        c.addProperty("key_dim", keyDim);
        c.addProperty("value_dim", valueDim);
        c.addProperty("dropout", dropout);
        c.addProperty("use_bias", useBias);
        c.add("output_shape", Config.nullable(outputDim));
        c.add("attention_axes", com.google.gson.JsonNull.INSTANCE);
        c.add("kernel_initializer", Initializers.toJson(kernelInitializer));
        c.add("bias_initializer", Initializers.toJson(biasInitializer));
        c.add("seed", Config.nullable(seed));
    }
}
