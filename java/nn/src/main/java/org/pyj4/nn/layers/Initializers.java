package org.pyj4.nn.layers;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Locale;
import org.pyj4.nn.config.Config;

/** Initializers by Keras name ("glorot_uniform") or serialised form ({"class_name": "GlorotUniform", "config": {"seed": 1}}). */
public final class Initializers {
    private Initializers() {}

    public static Initializer fromJson(String owner, String key, JsonElement e, Initializer dflt) {
        if (e == null || e.isJsonNull()) return dflt;
        Object[] nc = Config.classNameAndConfig(owner, key, e);
        return byName(owner, (String) nc[0], new Config(owner + " " + key, (JsonObject) nc[1]));
    }

    public static Initializer byName(String owner, String name, Config c) {
        Long seed = c.nullableLong("seed");
        switch (name.replace("_", "").toLowerCase(Locale.ROOT)) {
            case "glorotuniform": return VarianceScaling.glorotUniform(seed);
            case "glorotnormal": return VarianceScaling.glorotNormal(seed);
            case "heuniform": return VarianceScaling.heUniform(seed);
            case "henormal": return VarianceScaling.heNormal(seed);
            case "zeros": return SimpleInitializer.zeros();
            case "ones": return SimpleInitializer.ones();
            case "randomnormal": return SimpleInitializer.randomNormal(c.number("mean", 0.0), c.number("stddev", 0.05), seed);
            case "randomuniform": case "uniform": return SimpleInitializer.randomUniform(c.number("minval", -0.05), c.number("maxval", 0.05), seed);
            case "orthogonal": return new Orthogonal(c.number("gain", 1.0), seed);
            default:
                throw new IllegalArgumentException(owner + ": unknown initializer. Expected one of GlorotUniform, GlorotNormal, HeNormal, HeUniform, "
                        + "Zeros, Ones, RandomNormal, RandomUniform, Orthogonal. Received: '" + name + "'");
        }
    }

    public static JsonObject toJson(Initializer init) { return Config.classAndConfig(init.className(), init.config()); }
}
