package org.pyj4.nn.functional;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.pyj4.ndarray.DType;
import org.pyj4.nn.layers.Layer;

/**
 * One call of a layer in a functional graph (Keras' Node): the layer, the symbolic tensors it was
 * called on (in the order of {@link Layer#tensorArguments()}, null for an optional argument not
 * given), its call options (such as {@code use_causal_mask}), and the symbolic tensors it returned.
 * An InputLayer's node has no inputs. A layer called twice (a shared layer) has two nodes.
 */
public final class GraphNode {
    private final Layer layer;
    private final int nodeIndex;
    private final List<SymbolicTensor> inputs;
    private final JsonObject options;
    private final List<SymbolicTensor> outputs;

    /** Made by {@link Layer#callNode}; output shapes come from the layer. */
    public GraphNode(Layer layer, int nodeIndex, List<SymbolicTensor> inputs, JsonObject options, List<long[]> outputShapes, DType dtype) {
        this.layer = layer;
        this.nodeIndex = nodeIndex;
        this.inputs = Collections.unmodifiableList(new ArrayList<>(inputs));
        this.options = options == null ? new JsonObject() : options.deepCopy();
        List<SymbolicTensor> outs = new ArrayList<>();
        for (int i = 0; i < outputShapes.size(); i++) outs.add(new SymbolicTensor(this, i, outputShapes.get(i), dtype));
        this.outputs = Collections.unmodifiableList(outs);
    }

    public Layer layer() { return layer; }

    /** The position of this call among the layer's calls (Keras' node index). */
    public int nodeIndex() { return nodeIndex; }

    /** Inputs in the layer's argument order; null entries are optional arguments not given. */
    public List<SymbolicTensor> inputs() { return inputs; }

    /** Call options (a copy): plain values such as {@code use_causal_mask}. */
    public JsonObject options() { return options.deepCopy(); }

    public List<SymbolicTensor> outputs() { return outputs; }

    @Override public String toString() { return "GraphNode(" + layer.name() + "[" + nodeIndex + "], " + inputs.size() + " inputs)"; }
}
