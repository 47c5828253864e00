package org.pyj4.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@link Model#fit} returns: per epoch, every logged value ("loss", "accuracy", "val_loss", ...). */
public final class History {
    private final Map<String, List<Double>> history = new LinkedHashMap<>();
    private final List<Integer> epochs = new ArrayList<>();

    /** Appends one epoch's logs. */
    public void record(int epoch, Map<String, Double> logs) {
        epochs.add(epoch);
        for (Map.Entry<String, Double> e : logs.entrySet()) history.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
    }

    /** Keras' history.history: key to one value per epoch. */
    public Map<String, List<Double>> history() { return Collections.unmodifiableMap(history); }

    /** The epochs recorded (0-based). */
    public List<Integer> epochs() { return Collections.unmodifiableList(epochs); }

    @Override public String toString() { return "History" + history; }
}
