package org.pyj4.nn.callbacks;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pyj4.nn.Callback;
import org.pyj4.nn.Model;

/**
 * Saves the model file after each epoch (Keras ModelCheckpoint): to {@code filepath}, in which
 * "{epoch}" (1-based, optionally formatted as "{epoch:02d}") and "{name:.4f}" of any log value are
 * filled in; with save_best_only, only when the monitored value improved.
 */
public final class ModelCheckpoint implements Callback {
    private static final Pattern FIELD = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?}");

    private final String filepath;
    private final String monitor;
    private final boolean saveBestOnly;
    private final boolean maximize;
    private Model model;
    private double best;

    public ModelCheckpoint(String filepath, String monitor, boolean saveBestOnly, String mode) {
        if (filepath == null || filepath.isEmpty()) throw new IllegalArgumentException("ModelCheckpoint: expected a filepath. Received: " + filepath);
        this.filepath = filepath;
        this.monitor = monitor == null ? "val_loss" : monitor;
        this.saveBestOnly = saveBestOnly;
        String m = mode == null ? "auto" : mode;
        if (!m.equals("auto") && !m.equals("min") && !m.equals("max")) {
            throw new IllegalArgumentException("ModelCheckpoint: expected mode 'auto', 'min' or 'max'. Received: mode='" + m + "'");
        }
        this.maximize = m.equals("max") || (m.equals("auto") && (this.monitor.contains("acc") || this.monitor.contains("auc")));
    }

    public ModelCheckpoint(String filepath, String monitor, boolean saveBestOnly) {
        this(filepath, monitor, saveBestOnly, "auto");
    }

    @Override public void setModel(Model model) { this.model = model; }

    @Override public void onTrainBegin() { best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY; }

    @Override public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (saveBestOnly) {
            Double current = logs.get(monitor);
            if (current == null) return; // Keras warns and skips
            if (!(maximize ? current > best : current < best)) return;
            best = current;
        }
        model.save(path(epoch, logs));
    }

    /** The file name for an epoch (0-based here, 1-based in the name, as Keras). */
    Path path(int epoch, Map<String, Double> logs) {
        Matcher m = FIELD.matcher(filepath);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String key = m.group(1), format = m.group(2);
            Object value = key.equals("epoch") ? (Object) (epoch + 1) : logs.get(key);
            String text;
            if (value == null) text = m.group();
            else if (format == null) text = value.toString();
            else text = String.format(Locale.ROOT, "%" + format, value);
            m.appendReplacement(out, Matcher.quoteReplacement(text));
        }
        m.appendTail(out);
        return Paths.get(out.toString());
    }
}
