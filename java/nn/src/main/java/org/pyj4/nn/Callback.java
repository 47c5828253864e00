package org.pyj4.nn;

import java.util.Map;

/**
 * Hooks into {@link Model#fit}. Epochs and batches count from 0; logs hold "loss", the metrics, and
 * after validation "val_loss" and "val_{metric}". Python implements this interface with a JProxy.
 */
public interface Callback {
    /** Called once before training, with the model being trained (Keras' set_model). */
    default void setModel(Model model) {}

    default void onTrainBegin() {}

    default void onTrainEnd() {}

    default void onEpochBegin(int epoch) {}

    default void onEpochEnd(int epoch, Map<String, Double> logs) {}

    default void onBatchEnd(int batch, Map<String, Double> logs) {}
}
