package org.pyj4.nn.training;

import java.util.List;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.Model;
import org.pyj4.nn.autograd.Backprop;
import org.pyj4.nn.autograd.GradMode;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.layers.ActivationFunction;
import org.pyj4.nn.layers.OutputActivationLayer;
import org.pyj4.nn.losses.Loss;
import org.pyj4.nn.metrics.Metric;

/**
 * One batch through the model: forward (from logits when the loss fuses with the output activation),
 * loss, and for training backward plus one optimizer update. Call inside a MemoryScope: every
 * temporary of the step belongs to it.
 */
@SuppressWarnings("try") // scopes and grad-mode handles are used for their close()
final class TrainStep {
    private final Model model;
    private final Loss loss;
    private final List<Parameter> parameters;
    private final ActivationFunction fusedActivation; // applied to logits to get predictions for metrics; null when not fused

    TrainStep(Model model, Loss loss) {
        this.model = model;
        this.loss = loss;
        this.parameters = model.trainableParameters();
        org.pyj4.nn.layers.Layer last = model.outputLayer();
        this.fusedActivation = last instanceof OutputActivationLayer && loss.fusesWith(((OutputActivationLayer) last).activation())
                ? ((OutputActivationLayer) last).activation() : null;
    }

    /** Trains on one batch; returns its loss (from before the update, as Keras reports it). */
    double train(NDArray x, NDArray y, List<Metric> metrics) {
        Variable[] out = forward(x, y, true);
        Backprop.run(out[1], null);
        model.optimizer().apply(parameters);
        double value = scalar(out[1].value());
        updateMetrics(out[0], y, metrics);
        return value;
    }

    /** The loss of one batch without training (dropout off, no graph). */
    double test(NDArray x, NDArray y, List<Metric> metrics) {
        try (GradMode.Off off = GradMode.off()) {
            Variable[] out = forward(x, y, false);
            updateMetrics(out[0], y, metrics);
            return scalar(out[1].value());
        }
    }

    /** A one-element array's value, read in its own dtype (no conversion copy on the device). */
    static double scalar(NDArray a) {
        return a.dtype() == org.pyj4.ndarray.DType.FLOAT32 ? a.toFloatArray()[0] : a.toDoubleArray()[0];
    }

    /** {model output (logits when fused), loss}. */
    private Variable[] forward(NDArray x, NDArray y, boolean training) {
        Variable input = Variable.constant(x);
        if (fusedActivation != null) {
            Variable logits = model.callToLogits(input, training, loss);
            return new Variable[] {logits, loss.computeFromLogits(logits, y)};
        }
        Variable pred = model.call(input, training);
        return new Variable[] {pred, loss.compute(pred, y)};
    }

    private void updateMetrics(Variable output, NDArray y, List<Metric> metrics) {
        if (metrics.isEmpty()) return;
        NDArray predictions;
        try (GradMode.Off off = GradMode.off()) {
            predictions = fusedActivation == null ? output.value() : fusedActivation.apply(Variable.constant(output.value())).value();
        }
        for (Metric m : metrics) m.update(y, predictions);
    }
}
