package org.pyj4.nn.metrics;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Locale;
import org.pyj4.nn.config.Config;
import org.pyj4.nn.losses.Loss;

/** Metrics by Keras name; "accuracy" picks its form from the loss (and the shapes), as Keras. */
public final class Metrics {
    private Metrics() {}

    /** @param predictionLastAxis the length of the model output's last axis (1 for a single sigmoid unit) */
    public static Metric fromJson(JsonElement e, Loss loss, long predictionLastAxis) {
        Object[] nc = Config.classNameAndConfig("compile", "metrics", e);
        String given = (String) nc[0];
        Config c = new Config(given, (JsonObject) nc[1]);
        String key = given.replace("_", "").toLowerCase(Locale.ROOT);
        String name = c.string("name", e.isJsonPrimitive() ? given : defaultName(key, given));
        switch (key) {
            case "accuracy": case "acc":
                return new Accuracy(name, accuracyKind(loss, predictionLastAxis));
            case "binaryaccuracy": return new Accuracy(name, Accuracy.Kind.BINARY);
            case "categoricalaccuracy": return new Accuracy(name, Accuracy.Kind.CATEGORICAL);
            case "sparsecategoricalaccuracy": return new Accuracy(name, Accuracy.Kind.SPARSE);
            case "mse": case "meansquarederror": return new ErrorMetric(name, true);
            case "mae": case "meanabsoluteerror": return new ErrorMetric(name, false);
            case "precision": return new ConfusionMetric(name, true);
            case "recall": return new ConfusionMetric(name, false);
            case "auc": return new AUC(name, c.integer("num_thresholds", 200));
            default:
                throw new IllegalArgumentException("compile: unknown metric. Expected one of accuracy, mse, mae, precision, recall, auc. Received: metric='"
                        + given + "'");
        }
    }

    private static String defaultName(String key, String given) {
        switch (key) {
            case "meansquarederror": return "mean_squared_error";
            case "meanabsoluteerror": return "mean_absolute_error";
            case "binaryaccuracy": return "binary_accuracy";
            case "categoricalaccuracy": return "categorical_accuracy";
            case "sparsecategoricalaccuracy": return "sparse_categorical_accuracy";
            default: return given.toLowerCase(Locale.ROOT);
        }
    }

    /** Keras: the loss decides; otherwise one output unit means binary, else categorical. */
    static Accuracy.Kind accuracyKind(Loss loss, long predictionLastAxis) {
        String k = loss == null ? null : loss.accuracyKind();
        if ("binary".equals(k)) return Accuracy.Kind.BINARY;
        if ("categorical".equals(k)) return Accuracy.Kind.CATEGORICAL;
        if ("sparse".equals(k)) return Accuracy.Kind.SPARSE;
        return predictionLastAxis == 1 ? Accuracy.Kind.BINARY : Accuracy.Kind.CATEGORICAL;
    }
}
