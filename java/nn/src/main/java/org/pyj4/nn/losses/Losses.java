package org.pyj4.nn.losses;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Locale;
import org.pyj4.nn.config.Config;

/** Losses by Keras string ("mse", "sparse_categorical_crossentropy") or class ({"class_name": "Huber", "config": {"delta": 2}}). */
public final class Losses {
    private Losses() {}

    public static Loss fromJson(JsonElement e) {
        if (e == null || e.isJsonNull()) throw new IllegalArgumentException("compile: expected a loss. Received: loss=None");
        Object[] nc = Config.classNameAndConfig("compile", "loss", e);
        String name = (String) nc[0];
        Config c = new Config(name, (JsonObject) nc[1]);
        switch (name.replace("_", "").toLowerCase(Locale.ROOT)) {
            case "mse": case "meansquarederror": return new MeanSquaredError();
            case "mae": case "meanabsoluteerror": return new MeanAbsoluteError();
            case "huber": case "huberloss": return new Huber(c.number("delta", 1.0));
            case "binarycrossentropy":
                return new BinaryCrossentropy(c.bool("from_logits", false), c.number("label_smoothing", 0));
            case "categoricalcrossentropy":
                checkAxis(c);
                return new CategoricalCrossentropy(c.bool("from_logits", false), c.number("label_smoothing", 0));
            case "sparsecategoricalcrossentropy":
                c.requireUnset("ignore_class");
                return new SparseCategoricalCrossentropy(c.bool("from_logits", false));
            default:
                throw new IllegalArgumentException("compile: unknown loss. Expected one of mse, mae, huber, binary_crossentropy, "
                        + "categorical_crossentropy, sparse_categorical_crossentropy (or their Keras class names). Received: loss='" + name + "'");
        }
    }

    private static void checkAxis(Config c) {
        int axis = c.integer("axis", -1);
        if (axis != -1) throw new IllegalArgumentException("CategoricalCrossentropy: only axis=-1 is supported. Received: axis=" + axis);
    }
}
