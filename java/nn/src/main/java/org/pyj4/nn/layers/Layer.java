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
    private volatile long[] inputShape;

    protected Layer(Config config) {
        this.name = config.string("name", null);
        this.dtype = dtypeOf(config);
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

    public final boolean isBuilt() { return inputShape != null; }

    /** The input shape it was built with (without batch), or null. */
    public final long[] inputShape() { return inputShape == null ? null : inputShape.clone(); }

    /** Creates the weights; a no-op when already built. */
    @SuppressWarnings("try")
    public final synchronized void build(long[] inputShape) {
        if (isBuilt()) return;
        for (long d : inputShape) {
            if (d < -1) throw new IllegalArgumentException(className() + " '" + name + "': invalid input shape dimension " + d);
        }
        try (MemoryScope scope = MemoryScope.open()) { // initializers' temporaries go; weights are untracked by Parameter
            createWeights(inputShape.clone());
        }
        this.inputShape = inputShape.clone();
    }

    /** Builds on first use, casts a float input to this layer's dtype (Keras' autocast), calls. */
    public final Variable apply(Variable x, boolean training) { return call(prepare(x), training); }

    /** Builds from x's shape if needed; returns x cast to this layer's dtype when it is a float of another. */
    protected final Variable prepare(Variable x) {
        if (!isBuilt()) {
            long[] s = x.shape();
            build(java.util.Arrays.copyOfRange(s, 1, s.length));
        }
        return x.dtype().isFloat() && x.dtype() != dtype ? ElementwiseOps.cast(x, dtype) : x;
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
        NDArray value = initializer.create(shape, dtype);
        NDArray owned = value.isContiguous() && value.dtype() == dtype ? value : value.astype(dtype);
        Parameter p = new Parameter(name + "/" + weightName, owned, trainable);
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
    private static DType dtypeOf(Config config) {
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
        if (!t.isFloat()) throw new IllegalArgumentException(config.owner() + ": expected a float dtype. Received: dtype=" + name);
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
