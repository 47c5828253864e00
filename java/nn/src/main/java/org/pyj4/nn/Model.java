package org.pyj4.nn;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.pyj4.data.BatchSource;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.DTypeException;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;
import org.pyj4.nn.io.ModelFile;
import org.pyj4.nn.layers.Layer;
import org.pyj4.nn.losses.Loss;
import org.pyj4.nn.optimizers.Optimizer;
import org.pyj4.nn.training.Compiled;
import org.pyj4.nn.training.Evaluator;
import org.pyj4.nn.training.Predictor;
import org.pyj4.nn.training.Summary;
import org.pyj4.nn.training.Trainer;

/**
 * A network of layers with Keras' model API: build, compile, fit, evaluate, predict, save, load.
 * Shapes passed to {@link #build} leave out the batch axis. {@link #predict} may be called from many
 * threads at once: inference keeps no shared scratch and never touches training state.
 */
public abstract class Model implements AutoCloseable {
    private volatile Compiled compiled;
    private volatile boolean stopTraining;

    // ------------------------------------------------------------------ architecture (per model type)

    public abstract String name();

    /** Every layer, the InputLayer included, in order. */
    public abstract List<Layer> layers();

    /** Creates the weights for inputs of this shape (without batch); a no-op once built with it. */
    public abstract void build(long... inputShapeWithoutBatch);

    public abstract boolean isBuilt();

    /** The input shape without batch (declared by an InputLayer or given to build), or null while unknown. */
    public abstract long[] inputShape();

    /** The output shape without batch; needs a known input shape. */
    public abstract long[] outputShape();

    /** The forward pass. */
    public abstract Variable call(Variable x, boolean training);

    /**
     * The forward pass stopping before the output activation when {@code loss} can start from logits
     * there (Keras' fused softmax/sigmoid cross-entropy); null when it cannot.
     */
    public abstract Variable callToLogits(Variable x, boolean training, Loss loss);

    /** The architecture JSON: {"class_name": ..., "config": {...}}. */
    public abstract JsonObject architecture();

    /** The dtype inputs are converted to (the first layer's). */
    public abstract DType inputDtype();

    /** The dtype of the predictions, which targets are converted to: the output layer's float dtype. */
    public DType outputDtype() {
        Layer out = outputLayer();
        if (out != null && out.dtype().isFloat()) return out.dtype();
        List<Layer> ls = layers();
        for (int i = ls.size() - 1; i >= 0; i--) if (ls.get(i).dtype().isFloat()) return ls.get(i).dtype();
        return DType.FLOAT32;
    }

    /**
     * The layer whose call produces the model's output (its activation can fuse with the loss), or
     * null when there is no single such call. A Sequential's last layer.
     */
    public Layer outputLayer() {
        List<Layer> ls = layers();
        return ls.isEmpty() ? null : ls.get(ls.size() - 1);
    }

    /**
     * Each layer's output shape (without batch) for the current input shape, in layer order, for
     * summaries; a layer that is never reached or whose shape is unknown maps to null.
     */
    public java.util.Map<Layer, long[]> layerOutputShapes() {
        java.util.Map<Layer, long[]> out = new java.util.LinkedHashMap<>();
        long[] shape = inputShape();
        for (Layer l : layers()) {
            if (shape != null) shape = l.outputShape(shape);
            out.put(l, shape);
        }
        return out;
    }

    // ------------------------------------------------------------------ construction and files

    /** A model from its architecture JSON (Keras get_config shape); weights are created by build. */
    public static Model fromJson(String architectureJson) {
        JsonObject o = Config.parseObject("Model.fromJson", architectureJson);
        String className = new Config("Model.fromJson", o).string("class_name", null);
        JsonObject config = o.has("config") && o.get("config").isJsonObject() ? o.getAsJsonObject("config") : new JsonObject();
        if ("Sequential".equals(className)) return Sequential.fromConfig(config);
        if ("Functional".equals(className) || "Model".equals(className)) return Functional.fromConfig(config);
        throw new IllegalArgumentException("Model.fromJson: expected class_name 'Sequential' or 'Functional'. Received: class_name="
                + (className == null ? "missing" : "'" + className + "'"));
    }

    /** Reads a model file (see docs/model-format.md): architecture, weights, and training state when saved compiled. */
    public static Model load(Path file) { return ModelFile.load(file); }

    /** Writes the model to one file, atomically (a temporary file in the same directory, then a move). */
    public void save(Path file) { ModelFile.save(this, file); }

    public String toJson() { return architecture().toString(); }

    // ------------------------------------------------------------------ training

    /** Compiles from the training config JSON of docs/nn-contract.md. */
    public void compile(String trainingConfigJson) { setCompiled(Compiled.fromJson(trainingConfigJson)); }

    /** Compiles from Java objects; metrics by Keras name. */
    public void compile(Optimizer optimizer, Loss loss, List<String> metrics) { setCompiled(Compiled.of(optimizer, loss, metrics)); }

    private synchronized void setCompiled(Compiled c) {
        Compiled old = compiled;
        compiled = c;
        if (old != null && old.optimizer() != c.optimizer()) old.close();
    }

    public boolean isCompiled() { return compiled != null; }

    /** The compile state; throws if {@link #compile} was not called. */
    public Compiled compiled(String op) {
        Compiled c = compiled;
        if (c == null) throw new IllegalStateException(op + ": you must compile the model before training or evaluating it (model.compile(...))");
        return c;
    }

    public Optimizer optimizer() { return compiled("optimizer").optimizer(); }

    public History fit(NDArray x, NDArray y, FitOptions options, List<Callback> callbacks) {
        return Trainer.fit(this, x, y, options == null ? new FitOptions() : options, callbacks == null ? List.of() : callbacks);
    }

    /** Trains on a {@link BatchSource} (which decides batch size and order); validation from its own source or from options. */
    public History fit(BatchSource train, BatchSource validation, FitOptions options, List<Callback> callbacks) {
        return Trainer.fit(this, train, validation, options == null ? new FitOptions() : options, callbacks == null ? List.of() : callbacks);
    }

    public Map<String, Double> evaluate(NDArray x, NDArray y, int batchSize) {
        return Evaluator.evaluate(this, x, y, batchSize, "evaluate");
    }

    public Map<String, Double> evaluate(BatchSource data) { return Evaluator.evaluate(this, data); }

    /** Requests the running fit to stop after the current batch (from a callback). */
    public void stopTraining() { stopTraining = true; }

    public boolean stopTrainingRequested() { return stopTraining; }

    /** Called by fit when it starts. */
    public void clearStopTraining() { stopTraining = false; }

    // ------------------------------------------------------------------ inference

    /** Outputs for every row of input, in batches of 1024. Thread-safe. */
    public NDArray predict(NDArray input) { return predict(input, 1024); }

    public NDArray predict(NDArray input, int batchSize) { return Predictor.predict(this, input, batchSize); }

    /** Outputs for every batch of a source, joined in order (labels, if any, are ignored). Thread-safe. */
    public NDArray predict(BatchSource data) { return Predictor.predict(this, data); }

    // ------------------------------------------------------------------ weights

    /** Every weight, in layer order (Keras order); builds first when the input shape is fully known. */
    public List<Parameter> parameters() {
        buildIfShapeKnown();
        List<Parameter> out = new ArrayList<>();
        for (Layer l : layers()) out.addAll(l.weights());
        return out;
    }

    public List<Parameter> trainableParameters() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : parameters()) if (p.requiresGrad()) out.add(p);
        return out;
    }

    /** Copies of the weights, Keras order. */
    public List<NDArray> getWeights() {
        ensureBuilt("get_weights");
        List<NDArray> out = new ArrayList<>();
        for (Parameter p : parameters()) out.add(p.value().copy());
        return out;
    }

    /** Replaces the weights (copied in, cast from any float dtype), after checking count and shapes. */
    public void setWeights(List<NDArray> weights) {
        ensureBuilt("set_weights");
        List<Parameter> ps = parameters();
        if (weights == null || weights.size() != ps.size()) {
            throw new IllegalArgumentException("set_weights: expected " + ps.size() + " arrays (the model's weights, in get_weights order). Received: "
                    + (weights == null ? "null" : weights.size() + " arrays"));
        }
        for (int i = 0; i < ps.size(); i++) {
            NDArray w = weights.get(i);
            Parameter p = ps.get(i);
            if (!w.dtype().isFloat()) {
                throw new DTypeException("set_weights: expected a float array for " + p.name() + ". Received: " + w.describe());
            }
            if (!Arrays.equals(w.shape(), p.shape())) {
                throw new ShapeException("set_weights: expected " + p.name() + " of shape " + Arrays.toString(p.shape()) + ". Received: " + w.describe());
            }
        }
        for (int i = 0; i < ps.size(); i++) ps.get(i).assign(weights.get(i));
    }

    public long countParams() {
        long n = 0;
        for (Parameter p : parameters()) n += p.size();
        return n;
    }

    /** Keras' summary table. */
    public String summary() {
        buildIfShapeKnown();
        return Summary.of(this);
    }

    /** Builds when an InputLayer (or build_input_shape) fixed every input dimension, as Keras does for a Sequential with an Input. */
    public void buildIfShapeKnown() {
        if (isBuilt()) return;
        long[] s = inputShape();
        if (s == null) return;
        for (long d : s) if (d < 0) return;
        build(s);
    }

    /** Builds from the known input shape, or explains what is missing. */
    public void ensureBuilt(String op) {
        if (isBuilt()) return;
        long[] s = inputShape();
        if (s == null) {
            throw new IllegalStateException(op + ": the model has no weights yet. Give it an InputLayer, call build(input_shape), or fit/predict on data first");
        }
        build(s);
    }

    @Override public void close() {
        for (Layer l : layers()) l.close();
        Compiled c = compiled;
        if (c != null) c.close();
    }
}
