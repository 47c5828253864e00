package org.pyj4.nn.layers;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.autograd.ElementwiseOps;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;
import org.pyj4.nn.functional.GraphNode;
import org.pyj4.nn.functional.SymbolicTensor;

/**
 * A layer with the Keras lifecycle: constructed from its config, {@link #build} (once, from the
 * input shape) creates its weights, {@link #call} computes. Shapes here leave out the batch axis:
 * a Dense layer on rows of 784 features is built with {@code {784}}.
 *
 * <p>Calls may run on many threads at once for inference ({@code training == false}): layers keep no
 * per-call state in fields, except what training alone touches (dropout's random counter).
 */
public abstract class Layer implements AutoCloseable {
    private String name;
    private final DType dtype;
    private final boolean trainable;
    private final List<Parameter> weights = new ArrayList<>();
    private volatile List<long[]> inputShapes;
    private final List<GraphNode> nodes = new ArrayList<>(); // calls on symbolic tensors (functional graphs)

    protected Layer(Config config) { this(config, false); }

    /** @param anyDtype whether the layer's dtype may be an integer or bool one (InputLayer), not only a float */
    protected Layer(Config config, boolean anyDtype) {
        this.name = config.string("name", null);
        this.dtype = dtypeOf(config, anyDtype);
        this.trainable = config.bool("trainable", true);
    }

    /** Keras' "class_name": "Dense", "Dropout", ... */
    public abstract String className();

    /** The output shape (without batch) for an input shape (without batch); -1 stands for unknown. */
    public abstract long[] outputShape(long[] inputShape);

    /** The computation, on an input already cast to this layer's dtype. */
    protected abstract Variable call(Variable x, boolean training);

    /** This layer's own config keys (name, trainable and dtype are added by {@link #getConfig}). */
    protected abstract void addConfig(JsonObject config);

    /** Creates this layer's weights for an input shape; the default has none. */
    protected void createWeights(long[] inputShape) {}

    public final String name() { return name; }

    /** Set by the model that adds this layer when its config gave none, or gave one already taken. */
    public final void setName(String name) {
        if (isBuilt()) throw new IllegalStateException("a built layer cannot be renamed (its weights carry the name): " + this.name);
        this.name = name;
    }

    public final DType dtype() { return dtype; }

    public final boolean trainable() { return trainable; }

    public final boolean isBuilt() { return inputShapes != null; }

    /** The (first) input shape it was built with (without batch), or null. */
    public final long[] inputShape() {
        List<long[]> s = inputShapes;
        return s == null || s.get(0) == null ? null : s.get(0).clone();
    }

    /** Every input shape it was built with (null entries: optional inputs not given), or null. */
    public final List<long[]> inputShapes() {
        List<long[]> s = inputShapes;
        if (s == null) return null;
        List<long[]> out = new ArrayList<>();
        for (long[] d : s) out.add(d == null ? null : d.clone());
        return out;
    }

    /** Creates the weights; a no-op when already built. */
    public final void build(long[] inputShape) { buildAll(java.util.Collections.singletonList(inputShape)); }

    /** Creates the weights for a call on inputs of these shapes (without batch; null for an optional input not given). */
    @SuppressWarnings("try")
    public final synchronized void buildAll(List<long[]> shapes) {
        if (isBuilt()) return;
        List<long[]> copies = new ArrayList<>();
        for (long[] shape : shapes) {
            if (shape != null) {
                for (long d : shape) {
                    if (d < -1) throw new IllegalArgumentException(className() + " '" + name + "': invalid input shape dimension " + d);
                }
            }
            copies.add(shape == null ? null : shape.clone());
        }
        if (copies.isEmpty() || copies.get(0) == null) {
            throw new IllegalArgumentException(className() + " '" + name + "': expected at least one input shape. Received: " + shapes.size() + " shapes");
        }
        try (MemoryScope scope = MemoryScope.open()) { // initializers' temporaries go; weights are untracked by Parameter
            createWeights(copies);
        }
        this.inputShapes = copies;
    }

    /** Creates this layer's weights for several inputs; the default builds for the first one. */
    protected void createWeights(List<long[]> inputShapes) { createWeights(inputShapes.get(0).clone()); }

    /** Builds on first use, casts a float input to this layer's dtype (Keras' autocast), calls. */
    public final Variable apply(Variable x, boolean training) { return call(prepare(x), training); }

    /** Builds from x's shape if needed; returns x cast to this layer's dtype when it is a float of another. */
    protected final Variable prepare(Variable x) {
        if (!isBuilt()) build(sampleShape(x));
        return autocast(x);
    }

    /** x cast to this layer's dtype when it is a float of another (Keras' autocast); other dtypes pass. */
    protected final Variable autocast(Variable x) {
        return x != null && x.dtype().isFloat() && x.dtype() != dtype ? ElementwiseOps.cast(x, dtype) : x;
    }

    private static long[] sampleShape(Variable x) {
        long[] s = x.shape();
        if (s.length == 0) throw new org.pyj4.ndarray.ShapeException("layer: expected a batch of inputs. Received: a scalar");
        return java.util.Arrays.copyOfRange(s, 1, s.length);
    }

    // ------------------------------------------------------------------ several inputs or outputs (functional graphs)

    /**
     * The names of the tensor arguments of a call, in order (Keras' call signature): {"inputs"} for
     * most layers; MultiHeadAttention takes {"query", "value", "key", "attention_mask"}. Null for a
     * layer that takes a list of tensors (Add, Concatenate, Multiply).
     */
    public String[] tensorArguments() { return new String[] {"inputs"}; }

    /**
     * A call on several inputs (ordered as {@link #tensorArguments()}, null for an optional one not
     * given) with call options, returning every output: builds from the inputs' shapes on first use,
     * then {@link #callAll}.
     */
    public final List<Variable> applyAll(List<Variable> inputs, JsonObject options, boolean training) {
        if (inputs == null || inputs.isEmpty() || inputs.get(0) == null) {
            throw new IllegalArgumentException(className() + " '" + name + "': expected at least one input. Received: " + inputs);
        }
        if (!isBuilt()) {
            List<long[]> shapes = new ArrayList<>();
            for (Variable v : inputs) shapes.add(v == null ? null : sampleShape(v));
            buildAll(shapes);
        }
        return callAll(inputs, options == null ? new JsonObject() : options, training);
    }

    /** The computation on several inputs; the default takes exactly one input and returns one output. */
    protected List<Variable> callAll(List<Variable> inputs, JsonObject options, boolean training) {
        checkOptions(options);
        return java.util.Collections.singletonList(apply(single(inputs), training));
    }

    /** Output shapes (without batch) of a call on inputs of these shapes; the default: one input, one output. */
    public List<long[]> outputShapes(List<long[]> inputShapes, JsonObject options) {
        checkOptions(options);
        return java.util.Collections.singletonList(outputShape(single(inputShapes)));
    }

    /** Refuses call options a layer does not know; "training" and a null "mask" are accepted (and ignored) everywhere. */
    protected void checkOptions(JsonObject options, String... known) {
        if (options == null) return;
        for (String key : options.keySet()) {
            if (key.equals("training") || (key.equals("mask") && options.get(key).isJsonNull())) continue;
            if (java.util.Arrays.asList(known).contains(key)) continue;
            throw new IllegalArgumentException(className() + " '" + name + "': unknown call argument '" + key + "'. Received: " + key + "=" + options.get(key));
        }
    }

    private <T> T single(List<T> inputs) {
        if (inputs.size() != 1 || inputs.get(0) == null) {
            throw new IllegalArgumentException(className() + " '" + name + "': expected exactly one input. Received: " + inputs.size() + " inputs");
        }
        return inputs.get(0);
    }

    /** Calls this layer on a symbolic tensor (building a functional graph), for a layer with one output. */
    public final SymbolicTensor call(SymbolicTensor... inputs) {
        List<SymbolicTensor> out = callNode(java.util.Arrays.asList(inputs), null);
        if (out.size() != 1) {
            throw new IllegalArgumentException(className() + " '" + name + "': returns " + out.size() + " tensors; use callNode to get them all");
        }
        return out.get(0);
    }

    /**
     * Calls this layer on symbolic tensors (ordered as {@link #tensorArguments()}, null for an
     * optional one) with call options; returns every output. Checks the shapes now, as Keras does
     * when a functional model is defined.
     */
    public final synchronized List<SymbolicTensor> callNode(List<SymbolicTensor> inputs, JsonObject options) {
        if (inputs == null || inputs.isEmpty() || inputs.get(0) == null) {
            throw new IllegalArgumentException(className() + " '" + name + "': expected at least one input tensor");
        }
        List<long[]> shapes = new ArrayList<>();
        for (SymbolicTensor t : inputs) shapes.add(t == null ? null : t.shape());
        JsonObject opts = options == null ? new JsonObject() : options;
        GraphNode node = new GraphNode(this, nodes.size(), inputs, opts, outputShapes(shapes, opts), dtype);
        nodes.add(node);
        return node.outputs();
    }

    /** This layer's calls on symbolic tensors, in order. */
    public final synchronized List<GraphNode> nodes() { return Collections.unmodifiableList(new ArrayList<>(nodes)); }

    /** For InputLayer: the one node it starts a graph with. */
    protected final synchronized GraphNode sourceNode(long[] shape) {
        if (nodes.isEmpty()) nodes.add(new GraphNode(this, 0, List.of(), null, List.of(shape), dtype));
        return nodes.get(0);
    }

    /** Weights in creation order (Keras order). */
    public final List<Parameter> weights() { return Collections.unmodifiableList(weights); }

    public final long countParams() {
        long n = 0;
        for (Parameter p : weights) n += p.size();
        return n;
    }

    /** Adds a weight named "{layer}/{weightName}" with values from the initializer. */
    protected final Parameter addWeight(String weightName, long[] shape, Initializer initializer) {
        return addWeight(weightName, shape, initializer, true);
    }

    /**
     * Adds a weight; {@code trainable=false} makes it state that the optimizer never updates but the
     * model file saves (BatchNormalization's moving statistics). A frozen layer's weights are all
     * non-trainable.
     */
    protected final Parameter addWeight(String weightName, long[] shape, Initializer initializer, boolean trainableWeight) {
        NDArray value = initializer.create(shape, dtype);
        NDArray owned = value.isContiguous() && value.dtype() == dtype ? value : value.astype(dtype);
        Parameter p = new Parameter(name + "/" + weightName, owned, trainable && trainableWeight);
        weights.add(p);
        return p;
    }

    /** Keras' get_config: name, trainable, dtype and the layer's own keys. */
    public final JsonObject getConfig() {
        JsonObject c = new JsonObject();
        c.addProperty("name", name);
        c.addProperty("trainable", trainable);
        c.addProperty("dtype", dtype.typeName());
        addConfig(c);
        return c;
    }

    /** {"class_name": ..., "config": ...}. */
    public final JsonObject toJson() { return Config.classAndConfig(className(), getConfig()); }

    /** Training state that is not a weight (a random counter), saved with the model; null when none. */
    public JsonObject getState() { return null; }

    public void setState(JsonObject state) {}

    @Override public void close() {
        for (Parameter p : weights) p.close();
    }

    @Override public String toString() { return className() + "(" + name + ")"; }

    /** "float32", or Keras 3's dtype policy {"class_name": "DTypePolicy", "config": {"name": "float32"}}; default float32. */
    private static DType dtypeOf(Config config, boolean anyDtype) {
        JsonElement e = config.get("dtype");
        if (e == null) return DType.FLOAT32;
        String name;
        if (e.isJsonPrimitive()) {
            name = e.getAsString();
        } else if (e.isJsonObject() && e.getAsJsonObject().has("config")) {
            name = new Config(config.owner(), e.getAsJsonObject().getAsJsonObject("config")).string("name", "float32");
        } else {
            throw config.bad("dtype", "a dtype name", e);
        }
        DType t = DType.of(name);
        if (!t.isFloat() && !anyDtype) throw new IllegalArgumentException(config.owner() + ": expected a float dtype. Received: dtype=" + name);
        return t;
    }

    /** A config with only a name: for layers made in Java. */
    protected static Config named(String owner, String name, DType dtype) {
        JsonObject o = new JsonObject();
        if (name != null) o.addProperty("name", name);
        if (dtype != null) o.addProperty("dtype", dtype.typeName());
        return new Config(owner, o);
    }
}
