package org.pyj4.nn.callbacks;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import org.pyj4.nn.Callback;

/** One line per epoch: "Epoch 3/10 - 1.2s - loss: 0.4123 - accuracy: 0.8810 - val_loss: ...". */
public final class ProgressLogger implements Callback {
    private final PrintStream out;
    private int epochs;
    private long started;

    public ProgressLogger(PrintStream out) { this.out = out; }

    /** The number of epochs to show as the total; fit's option when not set. */
    public ProgressLogger epochs(int epochs) {
        this.epochs = epochs;
        return this;
    }

    @Override public void onEpochBegin(int epoch) { started = System.nanoTime(); }

    @Override public void onEpochEnd(int epoch, Map<String, Double> logs) {
        StringBuilder s = new StringBuilder("Epoch ").append(epoch + 1);
        if (epochs > 0) s.append('/').append(epochs);
        s.append(String.format(Locale.ROOT, " - %.1fs", (System.nanoTime() - started) / 1e9));
        for (Map.Entry<String, Double> e : logs.entrySet()) s.append(String.format(Locale.ROOT, " - %s: %.4f", e.getKey(), e.getValue()));
        out.println(s);
        out.flush();
    }
}
