package org.pyj4.nn.callbacks;

import java.util.List;
import java.util.Map;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.Callback;
import org.pyj4.nn.Model;

/**
 * Stops training when the monitored value has not improved by more than min_delta for patience
 * epochs (Keras semantics; mode "auto" minimises unless the name contains "acc", "auc", "precision"
 * or "recall"); optionally restores the weights of the best epoch when training ends.
 */
public final class EarlyStopping implements Callback {
    private final String monitor;
    private final int patience;
    private final double minDelta;
    private final boolean maximize;
    private final boolean restoreBestWeights;
    private final int startFromEpoch;
    private Model model;
    private double best;
    private int wait;
    private int stoppedEpoch = -1;
    private int bestEpoch = -1;
    private List<NDArray> bestWeights;

    public EarlyStopping(String monitor, int patience, double minDelta, String mode, boolean restoreBestWeights, int startFromEpoch) {
        this.monitor = monitor == null ? "val_loss" : monitor;
        if (patience < 0) throw new IllegalArgumentException("EarlyStopping: expected patience >= 0. Received: patience=" + patience);
        this.patience = patience;
        this.minDelta = Math.abs(minDelta);
        String m = mode == null ? "auto" : mode;
        switch (m) {
            case "min": maximize = false; break;
            case "max": maximize = true; break;
            case "auto": maximize = looksLikeScore(this.monitor); break;
            default: throw new IllegalArgumentException("EarlyStopping: expected mode 'auto', 'min' or 'max'. Received: mode='" + m + "'");
        }
        this.restoreBestWeights = restoreBestWeights;
        this.startFromEpoch = startFromEpoch;
    }

    public EarlyStopping(String monitor, int patience, double minDelta, String mode, boolean restoreBestWeights) {
        this(monitor, patience, minDelta, mode, restoreBestWeights, 0);
    }

    public EarlyStopping(String monitor, int patience) { this(monitor, patience, 0, "auto", false, 0); }

    private static boolean looksLikeScore(String name) {
        return name.contains("acc") || name.contains("auc") || name.contains("precision") || name.contains("recall");
    }

    @Override public void setModel(Model model) { this.model = model; }

    @Override public void onTrainBegin() {
        best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        wait = 0;
        stoppedEpoch = -1;
        bestEpoch = -1;
        dropBest();
    }

    @Override public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Double current = logs.get(monitor);
        if (current == null || epoch < startFromEpoch) return; // Keras warns and carries on
        if (restoreBestWeights && bestWeights == null) keepBest(); // the first epoch is the best so far
        wait++;
        if (improved(current)) {
            best = current;
            bestEpoch = epoch;
            wait = 0;
            if (restoreBestWeights) keepBest();
            return;
        }
        if (wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            model.stopTraining();
        }
    }

    private boolean improved(double current) {
        return maximize ? current - minDelta > best : current + minDelta < best;
    }

    private void keepBest() {
        dropBest();
        bestWeights = model.getWeights();
        for (NDArray w : bestWeights) org.pyj4.memory.MemoryScope.untrack(w);
    }

    private void dropBest() {
        if (bestWeights != null) for (NDArray w : bestWeights) w.close();
        bestWeights = null;
    }

    /** Keras 3 restores the best weights when training ends, stopped early or not. */
    @Override public void onTrainEnd() {
        if (restoreBestWeights && bestWeights != null) model.setWeights(bestWeights);
        dropBest();
    }

    /** The epoch training stopped at, or -1. */
    public int stoppedEpoch() { return stoppedEpoch; }

    public int bestEpoch() { return bestEpoch; }
}
