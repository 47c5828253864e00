package org.pyj4.nn.optimizers;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Locale;
import org.pyj4.nn.config.Config;

/** Optimizers by Keras string ("adam") or class ({"class_name": "Adam", "config": {...}}), with Keras' defaults. */
public final class Optimizers {
    private Optimizers() {}

    public static Optimizer fromJson(JsonElement e) {
        if (e == null || e.isJsonNull()) return new RMSprop(new Config("RMSprop", new JsonObject())); // Keras' compile default
        Object[] nc = Config.classNameAndConfig("compile", "optimizer", e);
        String name = (String) nc[0];
        JsonObject cfg = (JsonObject) nc[1];
        switch (name.toLowerCase(Locale.ROOT)) {
            case "sgd": return new SGD(new Config("SGD", cfg));
            case "adam": return new Adam(new Config("Adam", cfg));
            case "adamw": return new AdamW(new Config("AdamW", cfg));
            case "rmsprop": return new RMSprop(new Config("RMSprop", cfg));
            case "adagrad": return new Adagrad(new Config("Adagrad", cfg));
            default:
                throw new IllegalArgumentException("compile: unknown optimizer. Expected one of SGD, Adam, AdamW, RMSprop, Adagrad. Received: optimizer='"
                        + name + "'");
        }
    }

    /** A config from key/value pairs, for the Java constructors. */
    static Config config(String owner, double learningRate, Object... keyValues) {
        JsonObject o = new JsonObject();
        o.addProperty("learning_rate", learningRate);
        for (int i = 0; i < keyValues.length; i += 2) {
            Object v = keyValues[i + 1];
            if (v instanceof Boolean) o.addProperty((String) keyValues[i], (Boolean) v);
            else o.addProperty((String) keyValues[i], (Number) v);
        }
        return new Config(owner, o);
    }
}
