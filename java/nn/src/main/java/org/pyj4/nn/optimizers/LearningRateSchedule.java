package org.pyj4.nn.optimizers;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.pyj4.nn.config.Config;

/** The learning rate as a function of the optimizer's step count (0 for the first update), as Keras' schedules. */
public interface LearningRateSchedule {
    double at(long step);

    String className();

    JsonObject config();

    /** A fixed learning rate. */
    static LearningRateSchedule constant(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("optimizer: expected learning_rate >= 0. Received: learning_rate=" + lr);
        return new LearningRateSchedule() {
            @Override public double at(long step) { return lr; }
            @Override public String className() { return null; }
            @Override public JsonObject config() { return null; }
        };
    }

    /** A number, or {"class_name": "ExponentialDecay" | "CosineDecay" | "PiecewiseConstantDecay", "config": {...}}. */
    static LearningRateSchedule fromJson(String owner, JsonElement e, double dflt) {
        if (e == null || e.isJsonNull()) return constant(dflt);
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) return constant(e.getAsDouble());
        Object[] nc = Config.classNameAndConfig(owner, "learning_rate", e);
        Config c = new Config((String) nc[0], (JsonObject) nc[1]);
        switch ((String) nc[0]) {
            case "ExponentialDecay": return new ExponentialDecay(c);
            case "CosineDecay": return new CosineDecay(c);
            case "PiecewiseConstantDecay": return new PiecewiseConstantDecay(c);
            default:
                throw new IllegalArgumentException(owner + ": unknown learning rate schedule. Expected ExponentialDecay, CosineDecay or "
                        + "PiecewiseConstantDecay. Received: '" + nc[0] + "'");
        }
    }

    /** A number for a constant, else {"class_name", "config"}. */
    static JsonElement toJson(LearningRateSchedule s, long step) {
        if (s.className() == null) return new com.google.gson.JsonPrimitive(s.at(step));
        return Config.classAndConfig(s.className(), s.config());
    }

    static double require(Config c, String key) {
        Double v = c.nullableNumber(key);
        if (v == null) throw new IllegalArgumentException(c.owner() + ": expected '" + key + "'. Received: none");
        return v;
    }
}
