package org.pyj4.nn.callbacks;

import java.util.Map;
import java.util.function.IntToDoubleFunction;
import org.pyj4.nn.Callback;
import org.pyj4.nn.Model;

/** At the start of each epoch, sets the optimizer's learning rate to schedule(epoch) (Keras LearningRateScheduler). */
public final class LearningRateScheduler implements Callback {
    private final IntToDoubleFunction schedule;
    private Model model;

    public LearningRateScheduler(IntToDoubleFunction schedule) {
        if (schedule == null) throw new IllegalArgumentException("LearningRateScheduler: expected a schedule. Received: null");
        this.schedule = schedule;
    }

    @Override public void setModel(Model model) { this.model = model; }

    @Override public void onEpochBegin(int epoch) {
        double lr = schedule.applyAsDouble(epoch);
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("LearningRateScheduler: the schedule returned an invalid learning rate for epoch " + epoch + ": " + lr);
        }
        model.optimizer().setLearningRate(lr);
    }

    @Override public void onEpochEnd(int epoch, Map<String, Double> logs) { logs.put("learning_rate", model.optimizer().learningRate()); }
}
