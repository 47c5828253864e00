package org.pyj4.nn;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;
import org.pyj4.nn.functional.GraphNode;
import org.pyj4.nn.functional.SymbolicTensor;
import org.pyj4.nn.layers.InputLayer;
import org.pyj4.nn.layers.Layer;
import org.pyj4.nn.layers.Layers;
import org.pyj4.nn.layers.OutputActivationLayer;
import org.pyj4.nn.losses.Loss;

/**
 * A model defined by a graph of layer calls (Keras' functional API): inputs, then layers called on
 * symbolic tensors, with branches, shared layers and merges (Add, Concatenate, Multiply), up to the
 * outputs.
 * <pre>
 * SymbolicTensor in = Functional.input(28, 28, 1);
 * SymbolicTensor h = new Conv2D(8, 3, "relu").call(in);
 * SymbolicTensor skip = new Add().call(h, new Conv2D(8, 3, "same", "relu").call(h));
 * Functional model = new Functional(in, new Dense(10, "softmax").call(new Flatten().call(skip)));
 * </pre>
 * Its JSON is Keras 3's {@code get_config()} of a functional model (docs/nn-contract.md): every
 * layer with its {@code inbound_nodes}, then {@code input_layers} and {@code output_layers}. fit,
 * predict, evaluate and the model file take one input and one output; {@link #callAll} runs graphs
 * with several.
 */
public final class Functional extends Model {
    private final String name;
    private final List<SymbolicTensor> inputs;
    private final List<SymbolicTensor> outputs;
    private final List<GraphNode> nodes;   // every call of the graph, inputs first, each after the calls it reads from
    private final List<Layer> layers;      // in order of first call
    private volatile List<long[]> builtShapes;

    /** A model from one input to one output. */
    public Functional(SymbolicTensor input, SymbolicTensor output) { this(List.of(input), List.of(output), "functional"); }

    public Functional(List<SymbolicTensor> inputs, List<SymbolicTensor> outputs, String name) {
        this.name = name == null ? "functional" : name;
        if (inputs == null || inputs.isEmpty() || outputs == null || outputs.isEmpty()) {
            throw new IllegalArgumentException("Functional: expected at least one input and one output tensor. Received: inputs=" + inputs + ", outputs=" + outputs);
        }
        for (SymbolicTensor t : inputs) {
            if (t == null || !(t.layer() instanceof InputLayer)) {
                throw new IllegalArgumentException("Functional: inputs must be the tensors of InputLayers (Functional.input(...)). Received: " + t);
            }
        }
        if (new LinkedHashSet<>(inputs).size() != inputs.size()) throw new IllegalArgumentException("Functional: an input tensor is given twice");
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.nodes = orderNodes(this.inputs, this.outputs);
        List<Layer> ls = new ArrayList<>();
        Set<Layer> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (GraphNode n : nodes) if (seen.add(n.layer())) ls.add(n.layer());
        this.layers = Collections.unmodifiableList(ls);
        nameLayers(ls);
    }

    /** A new InputLayer's tensor (Keras' {@code keras.Input(shape)}): the shape of one sample, -1 for unknown. */
    public static SymbolicTensor input(long... shape) { return new InputLayer(shape).tensor(); }

    public static SymbolicTensor input(long[] shape, DType dtype) { return new InputLayer(shape, dtype).tensor(); }

    /** Every call between the inputs and the outputs, each after the calls it reads from (a depth-first post-order). */
    private static List<GraphNode> orderNodes(List<SymbolicTensor> inputs, List<SymbolicTensor> outputs) {
        Set<GraphNode> allowedSources = Collections.newSetFromMap(new IdentityHashMap<>());
        for (SymbolicTensor t : inputs) allowedSources.add(t.node());
        List<GraphNode> order = new ArrayList<>();
        Set<GraphNode> done = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<GraphNode> onPath = Collections.newSetFromMap(new IdentityHashMap<>());
        for (SymbolicTensor t : inputs) {
            if (done.add(t.node())) order.add(t.node());
        }
        for (SymbolicTensor out : outputs) {
            if (out == null) throw new IllegalArgumentException("Functional: an output tensor is null");
            Deque<Object[]> stack = new ArrayDeque<>();  // {node, next input index}
            if (!done.contains(out.node())) {
                stack.push(new Object[] {out.node(), 0});
                onPath.add(out.node());
            }
            while (!stack.isEmpty()) {
                Object[] top = stack.peek();
                GraphNode n = (GraphNode) top[0];
                int next = (Integer) top[1];
                if (n.inputs().isEmpty() && !allowedSources.contains(n)) {
                    throw new IllegalArgumentException("Functional: the graph is disconnected: it reads InputLayer '" + n.layer().name()
                            + "', which is not one of the model's inputs");
                }
                if (next < n.inputs().size()) {
                    top[1] = next + 1;
                    SymbolicTensor in = n.inputs().get(next);
                    if (in == null || done.contains(in.node())) continue;
                    if (!onPath.add(in.node())) throw new IllegalArgumentException("Functional: the graph has a cycle through " + in.layer().name());
                    stack.push(new Object[] {in.node(), 0});
                } else {
                    stack.pop();
                    onPath.remove(n);
                    done.add(n);
                    order.add(n);
                }
            }
        }
        return Collections.unmodifiableList(order);
    }

    /** Unnamed layers get unique names ("dense", "dense_1", ...); two layers may not share one. */
    private static void nameLayers(List<Layer> ls) {
        Set<String> taken = new java.util.HashSet<>();
        for (Layer l : ls) {
            if (l.name() == null) continue;
            if (!taken.add(l.name())) {
                throw new IllegalArgumentException("Functional: all layers of a model need unique names. Received: two layers named '" + l.name() + "'");
            }
        }
        for (Layer l : ls) {
            if (l.name() != null) continue;
            String base = Sequential.snakeCase(l.className());
            String n = base;
            for (int i = 1; taken.contains(n); i++) n = base + "_" + i;
            taken.add(n);
            l.setName(n);
        }
    }

    // ------------------------------------------------------------------ the Model contract

    @Override public String name() { return name; }

    @Override public List<Layer> layers() { return layers; }

    public List<SymbolicTensor> inputs() { return inputs; }

    public List<SymbolicTensor> outputs() { return outputs; }

    /** The calls of the graph in execution order (InputLayers' first). */
    public List<GraphNode> nodes() { return nodes; }

    private InputLayer singleInput(String op) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException(op + ": model '" + name + "' has " + inputs.size() + " inputs; fit, predict and evaluate take models with one input (use callAll)");
        }
        return (InputLayer) inputs.get(0).layer();
    }

    private void singleOutput(String op) {
        if (outputs.size() != 1) {
            throw new IllegalArgumentException(op + ": model '" + name + "' has " + outputs.size() + " outputs; fit, predict and evaluate take models with one output (use callAll)");
        }
    }

    /** The input's sample shape (built, or declared by its InputLayer); null for a model with several inputs (see {@link #inputShapes}). */
    @Override public long[] inputShape() {
        if (inputs.size() != 1) return null;
        List<long[]> b = builtShapes;
        if (b != null) return b.get(0).clone();
        return inputs.get(0).shape();
    }

    /** Every input's sample shape: built, or as declared by the InputLayers (-1 for unknown). */
    public List<long[]> inputShapes() {
        List<long[]> b = builtShapes;
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) out.add(b != null ? b.get(i).clone() : inputs.get(i).shape());
        return out;
    }

    /** Builds when every input dimension is declared (what Model.buildIfShapeKnown does for one input). */
    @Override public void buildIfShapeKnown() {
        if (isBuilt()) return;
        List<long[]> shapes = inputShapes();
        for (long[] s : shapes) for (long d : s) if (d < 0) return;
        buildAll(shapes);
    }

    @Override public boolean isBuilt() { return builtShapes != null; }

    @Override public synchronized void build(long... inputShape) { buildAll(List.of(inputShape)); }

    /** Builds every layer for inputs of these shapes (without batch), propagating shapes through the graph. */
    public synchronized void buildAll(List<long[]> inputShapes) {
        if (inputShapes.size() != inputs.size()) {
            throw new IllegalArgumentException("build: model '" + name + "' has " + inputs.size() + " inputs. Received: " + inputShapes.size() + " shapes");
        }
        if (builtShapes != null) {
            for (int i = 0; i < inputs.size(); i++) checkShape("build", inputShapes.get(i), builtShapes.get(i));
            return;
        }
        for (int i = 0; i < inputs.size(); i++) checkShape("build", inputShapes.get(i), inputs.get(i).shape());
        propagate(inputShapes, true);
        List<long[]> copies = new ArrayList<>();
        for (long[] s : inputShapes) copies.add(s.clone());
        builtShapes = copies;
    }

    /** Shapes of every symbolic tensor for these input shapes; builds layers on the way if asked. */
    private Map<SymbolicTensor, long[]> propagate(List<long[]> inputShapes, boolean buildLayers) {
        Map<SymbolicTensor, long[]> shapes = new IdentityHashMap<>();
        for (int i = 0; i < inputs.size(); i++) shapes.put(inputs.get(i), inputShapes.get(i));
        for (GraphNode n : nodes) {
            if (n.inputs().isEmpty()) continue;
            List<long[]> in = new ArrayList<>();
            for (SymbolicTensor t : n.inputs()) in.add(t == null ? null : shapes.get(t));
            if (buildLayers) n.layer().buildAll(in);
            List<long[]> out = n.layer().outputShapes(in, n.options());
            for (int k = 0; k < out.size(); k++) shapes.put(n.outputs().get(k), out.get(k));
        }
        return shapes;
    }

    private void checkShape(String op, long[] given, long[] expected) {
        boolean ok = given.length == expected.length;
        for (int i = 0; ok && i < given.length; i++) ok = expected[i] == -1 || given[i] == -1 || expected[i] == given[i];
        if (!ok) {
            throw new ShapeException(op + ": model '" + name + "' expects inputs of shape " + Sequential.withBatch(expected) + ". Received: input shape "
                    + Sequential.withBatch(given));
        }
    }

    @Override public long[] outputShape() {
        singleOutput("outputShape");
        return propagate(inputShapes(), false).get(outputs.get(0)).clone();
    }

    @Override public Map<Layer, long[]> layerOutputShapes() {
        Map<Layer, long[]> out = new LinkedHashMap<>();
        Map<SymbolicTensor, long[]> shapes;
        try {
            shapes = propagate(inputShapes(), false);
        } catch (RuntimeException e) {
            shapes = null;  // a summary still lists the layers
        }
        for (GraphNode n : nodes) {
            if (out.containsKey(n.layer())) continue;
            out.put(n.layer(), shapes == null ? null : shapes.get(n.outputs().get(0)));
        }
        return out;
    }

    @Override public DType inputDtype() { return singleInput("inputDtype").dtype(); }

    @Override public Layer outputLayer() {
        if (outputs.size() != 1) return null;
        GraphNode n = outputs.get(0).node();
        return n.layer().nodes().size() == 1 && !isRead(outputs.get(0)) ? n.layer() : null;
    }

    /** Whether another call of this graph reads the tensor. */
    private boolean isRead(SymbolicTensor t) {
        for (GraphNode n : nodes) if (n.inputs().contains(t)) return true;
        return false;
    }

    /** Runs the graph on one array per input; returns one variable per output. */
    public List<Variable> callAll(List<Variable> xs, boolean training) {
        return run(xs, training, null);
    }

    @Override public Variable call(Variable x, boolean training) {
        singleInput("call");
        singleOutput("call");
        prepare(x);
        return run(List.of(x), training, null).get(0);
    }

    @Override public Variable callToLogits(Variable x, boolean training, Loss loss) {
        Layer last = outputLayer();
        if (!(last instanceof OutputActivationLayer) || !loss.fusesWith(((OutputActivationLayer) last).activation())) return null;
        prepare(x);
        return run(List.of(x), training, outputs.get(0).node()).get(0);
    }

    /** Builds for this input if needed and checks its sample shape. */
    private void prepare(Variable x) {
        long[] s = x.shape();
        if (s.length == 0) throw new ShapeException("model '" + name + "': expected a batch of inputs. Received: a scalar");
        long[] sample = Arrays.copyOfRange(s, 1, s.length);
        if (!isBuilt()) build(merge(inputShape(), sample));
        checkShape("call", sample, builtShapes.get(0));
    }

    private static long[] merge(long[] declared, long[] actual) {
        if (declared.length != actual.length) return declared;
        long[] m = declared.clone();
        for (int i = 0; i < m.length; i++) if (m[i] < 0) m[i] = actual[i];
        return m;
    }

    /**
     * Evaluates the graph. With {@code logitsOf} set (the output call of a layer whose activation
     * the loss takes over), that call stops before its activation.
     */
    private List<Variable> run(List<Variable> xs, boolean training, GraphNode logitsOf) {
        if (xs.size() != inputs.size()) {
            throw new IllegalArgumentException("model '" + name + "': expected " + inputs.size() + " inputs. Received: " + xs.size());
        }
        if (!isBuilt()) {
            List<long[]> shapes = new ArrayList<>();
            for (Variable x : xs) shapes.add(Arrays.copyOfRange(x.shape(), 1, x.shape().length));
            buildAll(shapes);
        }
        Map<SymbolicTensor, Variable> values = new IdentityHashMap<>();
        for (int i = 0; i < inputs.size(); i++) values.put(inputs.get(i), inputs.get(i).layer().apply(xs.get(i), training));
        for (GraphNode n : nodes) {
            if (n.inputs().isEmpty()) continue;
            List<Variable> in = new ArrayList<>();
            for (SymbolicTensor t : n.inputs()) in.add(t == null ? null : values.get(t));
            if (n == logitsOf) {
                values.put(n.outputs().get(0), ((OutputActivationLayer) n.layer()).applyWithoutActivation(in.get(0), training));
                continue;
            }
            List<Variable> out = n.layer().applyAll(in, n.options(), training);
            for (int k = 0; k < out.size(); k++) values.put(n.outputs().get(k), out.get(k));
        }
        List<Variable> result = new ArrayList<>();
        for (SymbolicTensor t : outputs) result.add(values.get(t));
        return result;
    }

    // ------------------------------------------------------------------ JSON

    @Override public JsonObject architecture() {
        Map<GraphNode, Integer> index = nodeIndices();
        JsonObject c = new JsonObject();
        c.addProperty("name", name);
        c.addProperty("trainable", true);
        JsonArray ls = new JsonArray();
        for (Layer l : layers) {
            JsonObject entry = l.toJson();
            entry.addProperty("name", l.name());
            JsonArray inbound = new JsonArray();
            for (GraphNode n : nodes) {
                if (n.layer() == l && !n.inputs().isEmpty()) inbound.add(nodeJson(n, index));
            }
            entry.add("inbound_nodes", inbound);
            ls.add(entry);
        }
        c.add("layers", ls);
        c.add("input_layers", tensorRefs(inputs, index));
        c.add("output_layers", tensorRefs(outputs, index));
        return Config.classAndConfig("Functional", c);
    }

    /** Per call, its index among this model's calls of the same layer (Keras re-indexes the nodes a model keeps). */
    private Map<GraphNode, Integer> nodeIndices() {
        Map<GraphNode, Integer> index = new IdentityHashMap<>();
        Map<Layer, Integer> count = new IdentityHashMap<>();
        for (Layer l : layers) {
            for (GraphNode n : l.nodes()) {
                if (nodes.contains(n)) index.put(n, count.merge(l, 1, Integer::sum) - 1);
            }
        }
        return index;
    }

    private static JsonArray tensorRefs(List<SymbolicTensor> ts, Map<GraphNode, Integer> index) {
        JsonArray a = new JsonArray();
        for (SymbolicTensor t : ts) a.add(history(t, index));
        return a;
    }

    private static JsonArray history(SymbolicTensor t, Map<GraphNode, Integer> index) {
        JsonArray h = new JsonArray();
        h.add(t.layer().name());
        h.add(index.get(t.node()));
        h.add(t.index());
        return h;
    }

    private static JsonObject tensorJson(SymbolicTensor t, Map<GraphNode, Integer> index) {
        JsonObject config = new JsonObject();
        config.add("shape", Config.dimsJson(t.shape(), true));
        config.addProperty("dtype", t.dtype().typeName());
        config.add("keras_history", history(t, index));
        return Config.classAndConfig("__keras_tensor__", config);
    }

    /**
     * {"args": [...], "kwargs": {...}}: a list-taking layer gets its tensors as one list argument;
     * others their leading tensors as positional arguments and the rest (after an omitted optional
     * one) as keyword arguments by name, next to the call options.
     */
    private static JsonObject nodeJson(GraphNode n, Map<GraphNode, Integer> index) {
        JsonArray args = new JsonArray();
        JsonObject kwargs = new JsonObject();
        String[] names = n.layer().tensorArguments();
        if (names == null) {
            JsonArray list = new JsonArray();
            for (SymbolicTensor t : n.inputs()) list.add(tensorJson(t, index));
            args.add(list);
        } else {
            boolean positional = true;
            for (int i = 0; i < n.inputs().size(); i++) {
                SymbolicTensor t = n.inputs().get(i);
                if (t == null) {
                    positional = false;
                    continue;
                }
                if (positional) args.add(tensorJson(t, index));
                else kwargs.add(names[i], tensorJson(t, index));
            }
        }
        JsonObject options = n.options();
        for (String k : options.keySet()) kwargs.add(k, options.get(k));
        JsonObject o = new JsonObject();
        o.add("args", args);
        o.add("kwargs", kwargs);
        return o;
    }

    /** The model of a Keras 3 functional config (Keras 2's list-form inbound nodes are read too). */
    static Functional fromConfig(JsonObject config) {
        Config c = new Config("Functional", config);
        JsonElement ls = c.get("layers");
        if (ls == null || !ls.isJsonArray()) throw c.bad("layers", "a list of layer configs", ls);
        Map<String, Layer> byName = new LinkedHashMap<>();
        Map<String, List<JsonElement>> pending = new LinkedHashMap<>();
        List<Layer> created = new ArrayList<>();
        try {
            for (JsonElement e : ls.getAsJsonArray()) {
                if (!e.isJsonObject()) throw new IllegalArgumentException("Functional: expected each layer as an object. Received: " + e);
                JsonObject entry = e.getAsJsonObject();
                Layer layer = Layers.fromJson(entry);
                created.add(layer);
                String layerName = entry.has("name") && entry.get("name").isJsonPrimitive() ? entry.get("name").getAsString() : layer.name();
                if (layerName == null) throw new IllegalArgumentException("Functional: every layer needs a name. Received: " + abbreviate(entry));
                if (layer.name() == null) layer.setName(layerName);
                if (!layerName.equals(layer.name())) {
                    throw new IllegalArgumentException("Functional: layer entry name '" + layerName + "' differs from its config's name '" + layer.name() + "'");
                }
                if (byName.put(layerName, layer) != null) throw new IllegalArgumentException("Functional: two layers named '" + layerName + "'");
                if (layer instanceof InputLayer) ((InputLayer) layer).tensor();
                JsonElement inbound = entry.get("inbound_nodes");
                List<JsonElement> calls = new ArrayList<>();
                if (inbound != null && !inbound.isJsonNull()) {
                    if (!inbound.isJsonArray()) throw new IllegalArgumentException("Functional: expected 'inbound_nodes' of layer '" + layerName + "' to be a list");
                    for (JsonElement n : inbound.getAsJsonArray()) calls.add(n);
                }
                if (layer instanceof InputLayer && !calls.isEmpty()) {
                    throw new IllegalArgumentException("Functional: InputLayer '" + layerName + "' cannot have inbound nodes");
                }
                pending.put(layerName, calls);
            }
            // Calls are made once the tensors they read exist (a shared layer's later calls may wait on others).
            boolean progress = true;
            while (progress) {
                progress = false;
                for (Map.Entry<String, List<JsonElement>> p : pending.entrySet()) {
                    Layer layer = byName.get(p.getKey());
                    while (!p.getValue().isEmpty()) {
                        NodeCall call = NodeCall.parse(layer, p.getValue().get(0), byName);
                        if (call == null) break;  // reads a tensor not made yet
                        layer.callNode(call.inputs, call.options);
                        p.getValue().remove(0);
                        progress = true;
                    }
                }
            }
            for (Map.Entry<String, List<JsonElement>> p : pending.entrySet()) {
                if (!p.getValue().isEmpty()) {
                    throw new IllegalArgumentException("Functional: the call of layer '" + p.getKey() + "' reads a tensor no layer makes: "
                            + abbreviate(p.getValue().get(0)));
                }
            }
            List<SymbolicTensor> ins = refs(config.get("input_layers"), byName, "input_layers");
            List<SymbolicTensor> outs = refs(config.get("output_layers"), byName, "output_layers");
            return new Functional(ins, outs, c.string("name", "functional"));
        } catch (RuntimeException e) {
            for (Layer l : created) l.close();
            throw e;
        }
    }

    /** [name, node, tensor] or a list of them. */
    private static List<SymbolicTensor> refs(JsonElement e, Map<String, Layer> byName, String key) {
        if (e == null || !e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
            throw new IllegalArgumentException("Functional: expected '" + key + "' as a list of [layer_name, node_index, tensor_index]. Received: " + e);
        }
        JsonArray a = e.getAsJsonArray();
        List<SymbolicTensor> out = new ArrayList<>();
        if (a.get(0).isJsonPrimitive()) {
            out.add(NodeCall.resolve(a, byName, true));
        } else {
            for (JsonElement r : a) out.add(NodeCall.resolve(r, byName, true));
        }
        return out;
    }

    static String abbreviate(JsonElement e) {
        String s = String.valueOf(e);
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** One inbound node of the JSON, resolved to tensors and options. */
    private static final class NodeCall {
        final List<SymbolicTensor> inputs;
        final JsonObject options;

        private NodeCall(List<SymbolicTensor> inputs, JsonObject options) {
            this.inputs = inputs;
            this.options = options;
        }

        /** The call, or null while a tensor it reads does not exist yet. */
        static NodeCall parse(Layer layer, JsonElement data, Map<String, Layer> byName) {
            String where = "Functional: inbound node of layer '" + layer.name() + "'";
            String[] names = layer.tensorArguments();
            if (data.isJsonArray()) {  // Keras 2: [[name, node, tensor, kwargs], ...]
                List<SymbolicTensor> ins = new ArrayList<>();
                JsonObject options = new JsonObject();
                for (JsonElement r : data.getAsJsonArray()) {
                    SymbolicTensor t = resolve(r, byName, false);
                    if (t == null) return null;
                    ins.add(t);
                    JsonArray ra = r.getAsJsonArray();
                    if (ra.size() > 3 && ra.get(3).isJsonObject()) for (Map.Entry<String, JsonElement> kv : ra.get(3).getAsJsonObject().entrySet()) options.add(kv.getKey(), kv.getValue());
                }
                return new NodeCall(ins, options);
            }
            if (!data.isJsonObject()) throw new IllegalArgumentException(where + ": expected {\"args\": [...], \"kwargs\": {...}}. Received: " + abbreviate(data));
            JsonObject o = data.getAsJsonObject();
            JsonArray args = o.has("args") && o.get("args").isJsonArray() ? o.getAsJsonArray("args") : new JsonArray();
            JsonObject kwargs = o.has("kwargs") && o.get("kwargs").isJsonObject() ? o.getAsJsonObject("kwargs") : new JsonObject();
            List<SymbolicTensor> ins = new ArrayList<>();
            JsonObject options = new JsonObject();
            if (names == null) {  // a list-taking layer: args = [[t1, t2, ...]] (or the tensors themselves)
                JsonArray list = args.size() == 1 && args.get(0).isJsonArray() ? args.get(0).getAsJsonArray() : args;
                for (JsonElement t : list) {
                    SymbolicTensor s = tensor(t, byName, where);
                    if (s == null) return null;
                    ins.add(s);
                }
                for (Map.Entry<String, JsonElement> kv : kwargs.entrySet()) options.add(kv.getKey(), kv.getValue());
                return new NodeCall(ins, options);
            }
            SymbolicTensor[] slots = new SymbolicTensor[names.length];
            if (args.size() > names.length) throw new IllegalArgumentException(where + ": " + args.size() + " arguments for a call of " + Arrays.toString(names));
            for (int i = 0; i < args.size(); i++) {
                if (args.get(i).isJsonNull()) continue;
                SymbolicTensor s = tensor(args.get(i), byName, where);
                if (s == null) return null;
                slots[i] = s;
            }
            for (Map.Entry<String, JsonElement> kv : kwargs.entrySet()) {
                int at = Arrays.asList(names).indexOf(kv.getKey());
                if (at >= 0 && isTensor(kv.getValue())) {
                    SymbolicTensor s = tensor(kv.getValue(), byName, where);
                    if (s == null) return null;
                    slots[at] = s;
                } else if (at < 0 || !kv.getValue().isJsonNull()) {
                    options.add(kv.getKey(), kv.getValue());
                }
            }
            int last = slots.length;
            while (last > 0 && slots[last - 1] == null) last--;
            ins.addAll(Arrays.asList(slots).subList(0, last));
            return new NodeCall(ins, options);
        }

        static boolean isTensor(JsonElement e) {
            return e.isJsonObject() && e.getAsJsonObject().has("class_name") && "__keras_tensor__".equals(e.getAsJsonObject().get("class_name").getAsString());
        }

        /** A serialized Keras tensor {"class_name": "__keras_tensor__", "config": {..., "keras_history": [...]}}. */
        static SymbolicTensor tensor(JsonElement e, Map<String, Layer> byName, String where) {
            if (!isTensor(e)) throw new IllegalArgumentException(where + ": expected a tensor {\"class_name\": \"__keras_tensor__\", ...}. Received: " + abbreviate(e));
            JsonElement config = e.getAsJsonObject().get("config");
            JsonElement history = config != null && config.isJsonObject() ? config.getAsJsonObject().get("keras_history") : null;
            if (history == null) throw new IllegalArgumentException(where + ": a tensor without keras_history: " + abbreviate(e));
            return resolve(history, byName, false);
        }

        /** [layer name, node index, tensor index] to its tensor; null if that node does not exist yet (or an error when {@code required}). */
        static SymbolicTensor resolve(JsonElement ref, Map<String, Layer> byName, boolean required) {
            if (!ref.isJsonArray() || ref.getAsJsonArray().size() < 3) {
                throw new IllegalArgumentException("Functional: expected a tensor reference [layer_name, node_index, tensor_index]. Received: " + abbreviate(ref));
            }
            JsonArray a = ref.getAsJsonArray();
            String layerName = a.get(0).getAsString();
            int node = a.get(1).getAsInt(), tensor = a.get(2).getAsInt();
            Layer layer = byName.get(layerName);
            if (layer == null) throw new IllegalArgumentException("Functional: a tensor reference names unknown layer '" + layerName + "'");
            List<GraphNode> nodes = layer.nodes();
            if (node < 0 || node >= nodes.size()) {
                if (required || node < 0) throw new IllegalArgumentException("Functional: layer '" + layerName + "' has no call #" + node);
                return null;
            }
            List<SymbolicTensor> outs = nodes.get(node).outputs();
            if (tensor < 0 || tensor >= outs.size()) {
                throw new IllegalArgumentException("Functional: layer '" + layerName + "' call #" + node + " has no output #" + tensor + " (it has " + outs.size() + ")");
            }
            return outs.get(tensor);
        }
    }
}
