package org.pyj4.nn;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;
import org.pyj4.nn.layers.InputLayer;
import org.pyj4.nn.layers.Layer;
import org.pyj4.nn.layers.Layers;
import org.pyj4.nn.layers.OutputActivationLayer;
import org.pyj4.nn.losses.Loss;

/** A plain stack of layers, each feeding the next (Keras Sequential). */
public final class Sequential extends Model {
    private final String name;
    private final List<Layer> layers = new ArrayList<>();
    private volatile long[] builtShape;
    private volatile long[] pendingShape; // from "build_input_shape": known, weights not created yet

    public Sequential(List<Layer> layers) { this("sequential", layers); }

    public Sequential(String name, List<Layer> layers) {
        this.name = name == null ? "sequential" : name;
        if (layers != null) for (Layer l : layers) add(l);
    }

    public Sequential() { this("sequential", null); }

    static Sequential fromConfig(JsonObject config) {
        Config c = new Config("Sequential", config);
        JsonElement ls = c.get("layers");
        if (ls != null && !ls.isJsonArray()) throw c.bad("layers", "a list of layer configs", ls);
        Sequential s = new Sequential(c.string("name", "sequential"), null);
        if (ls != null) for (JsonElement l : ls.getAsJsonArray()) s.add(Layers.fromJson(l));
        long[] buildShape = c.dims("build_input_shape");
        if (buildShape != null && buildShape.length > 1 && s.inputShape() == null) {
            s.pendingShape = Arrays.copyOfRange(buildShape, 1, buildShape.length);
        }
        return s;
    }

    /** Appends a layer; a layer without a name gets a unique one ("dense", "dense_1", ...). */
    public synchronized void add(Layer layer) {
        if (layer == null) throw new IllegalArgumentException("Sequential.add: expected a layer. Received: null");
        if (layer instanceof InputLayer && !layers.isEmpty()) {
            throw new IllegalArgumentException("Sequential.add: an InputLayer can only be the first layer. Received: " + layer.name());
        }
        Set<String> taken = new HashSet<>();
        for (Layer l : layers) taken.add(l.name());
        if (layer.name() == null) {
            String base = snakeCase(layer.className());
            String n = base;
            for (int i = 1; taken.contains(n); i++) n = base + "_" + i;
            layer.setName(n);
        } else if (taken.contains(layer.name())) {
            throw new IllegalArgumentException("Sequential.add: all layers of a model need unique names. Received: a second layer named '" + layer.name() + "'");
        }
        layers.add(layer);
        long[] s = builtShape;
        if (s != null) layer.build(shapeBefore(layers.size() - 1, s));
    }

    /** Keras' to_snake_case: "MaxPooling2D" -> "max_pooling2d", "LSTM" -> "lstm". */
    static String snakeCase(String className) {
        String s = className.replaceAll("\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    @Override public String name() { return name; }

    @Override public List<Layer> layers() {
        synchronized (this) {
            return Collections.unmodifiableList(new ArrayList<>(layers));
        }
    }

    @Override public long[] inputShape() {
        long[] b = builtShape;
        if (b != null) return b.clone();
        synchronized (this) {
            if (!layers.isEmpty() && layers.get(0) instanceof InputLayer) return ((InputLayer) layers.get(0)).shape();
        }
        long[] p = pendingShape;
        return p == null ? null : p.clone();
    }

    @Override public boolean isBuilt() { return builtShape != null; }

    @Override public synchronized void build(long... inputShape) {
        if (layers.isEmpty()) throw new IllegalStateException("Sequential '" + name + "': cannot build a model without layers");
        if (builtShape != null) {
            checkShape("build", inputShape, builtShape);
            return;
        }
        if (layers.get(0) instanceof InputLayer) checkShape("build", inputShape, ((InputLayer) layers.get(0)).shape());
        long[] s = inputShape.clone();
        for (Layer l : layers) {
            l.build(s);
            s = l.outputShape(s);
        }
        builtShape = inputShape.clone();
    }

    /** The shape entering layer i for a model input of shape s (without batch). */
    private long[] shapeBefore(int i, long[] s) {
        long[] out = s.clone();
        for (int k = 0; k < i; k++) out = layers.get(k).outputShape(out);
        return out;
    }

    private void checkShape(String op, long[] given, long[] expected) {
        boolean ok = given.length == expected.length;
        for (int i = 0; ok && i < given.length; i++) ok = expected[i] == -1 || given[i] == -1 || expected[i] == given[i];
        if (!ok) {
            throw new ShapeException(op + ": model '" + name + "' expects inputs of shape " + withBatch(expected) + ". Received: input shape "
                    + withBatch(given));
        }
    }

    static String withBatch(long[] s) {
        StringBuilder b = new StringBuilder("(None");
        for (long d : s) b.append(", ").append(d < 0 ? "None" : Long.toString(d));
        return b.append(")").toString();
    }

    /** Builds for this input if needed and checks its sample shape. */
    private void prepare(Variable x) {
        long[] s = x.shape();
        if (s.length == 0) throw new ShapeException("model '" + name + "': expected a batch of inputs. Received: a scalar");
        long[] sample = Arrays.copyOfRange(s, 1, s.length);
        if (!isBuilt()) build(inputShape() != null ? merge(inputShape(), sample) : sample);
        checkShape("call", sample, builtShape);
    }

    private static long[] merge(long[] declared, long[] actual) {
        if (declared.length != actual.length) return declared;
        long[] m = declared.clone();
        for (int i = 0; i < m.length; i++) if (m[i] < 0) m[i] = actual[i];
        return m;
    }

    @Override public long[] outputShape() {
        long[] s = inputShape();
        if (s == null) throw new IllegalStateException("Sequential '" + name + "': the output shape needs a known input shape");
        synchronized (this) {
            return shapeBefore(layers.size(), s);
        }
    }

    @Override public Variable call(Variable x, boolean training) {
        prepare(x);
        for (Layer l : layers()) x = l.apply(x, training);
        return x;
    }

    @Override public Variable callToLogits(Variable x, boolean training, Loss loss) {
        List<Layer> ls = layers();
        Layer last = ls.get(ls.size() - 1);
        if (!(last instanceof OutputActivationLayer) || !loss.fusesWith(((OutputActivationLayer) last).activation())) return null;
        prepare(x);
        for (Layer l : ls.subList(0, ls.size() - 1)) x = l.apply(x, training);
        return ((OutputActivationLayer) last).applyWithoutActivation(x, training);
    }

    @Override public DType inputDtype() {
        List<Layer> ls = layers();
        return ls.isEmpty() ? DType.FLOAT32 : ls.get(0).dtype();
    }

    @Override public JsonObject architecture() {
        JsonObject c = new JsonObject();
        c.addProperty("name", name);
        c.addProperty("trainable", true);
        JsonArray ls = new JsonArray();
        for (Layer l : layers()) ls.add(l.toJson());
        c.add("layers", ls);
        long[] s = inputShape();
        if (s != null && !(layers().size() > 0 && layers().get(0) instanceof InputLayer)) c.add("build_input_shape", Config.dimsJson(s, true));
        return Config.classAndConfig("Sequential", c);
    }
}
