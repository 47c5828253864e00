package org.pyj4.nn.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

/**
 * Typed, validated reads from a Keras-style config object, with the Keras default when a key is
 * missing (or null) and an error naming the owner, the key and the value otherwise:
 * "Dense: expected 'units' to be an integer. Received: units="ten"".
 */
public final class Config {
    private final String owner;
    private final JsonObject json;

    public Config(String owner, JsonObject json) {
        this.owner = owner;
        this.json = json == null ? new JsonObject() : json;
    }

    /** Parses a JSON object, with an IllegalArgumentException naming what was being read if it is not one. */
    public static JsonObject parseObject(String what, String text) {
        if (text == null) throw new IllegalArgumentException(what + ": expected a JSON object. Received: null");
        try {
            JsonElement e = JsonParser.parseString(text);
            if (!e.isJsonObject()) throw new IllegalArgumentException(what + ": expected a JSON object. Received: " + abbreviate(e.toString()));
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(what + ": not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    public String owner() { return owner; }

    public JsonObject json() { return json; }

    public boolean has(String key) { return json.has(key) && !json.get(key).isJsonNull(); }

    public JsonElement get(String key) { return has(key) ? json.get(key) : null; }

    public String string(String key, String dflt) {
        JsonElement e = get(key);
        if (e == null) return dflt;
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw bad(key, "a string", e);
        return e.getAsString();
    }

    public boolean bool(String key, boolean dflt) {
        JsonElement e = get(key);
        if (e == null) return dflt;
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) throw bad(key, "true or false", e);
        return e.getAsBoolean();
    }

    public double number(String key, double dflt) {
        Double d = nullableNumber(key);
        return d == null ? dflt : d;
    }

    public Double nullableNumber(String key) {
        JsonElement e = get(key);
        if (e == null) return null;
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw bad(key, "a number", e);
        double d = e.getAsDouble();
        if (!Double.isFinite(d)) throw bad(key, "a finite number", e);
        return d;
    }

    public int integer(String key, int dflt) {
        Long v = nullableLong(key);
        if (v == null) return dflt;
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw bad(key, "an integer of at most 2^31 - 1", get(key));
        return (int) (long) v;
    }

    public Long nullableLong(String key) {
        JsonElement e = get(key);
        if (e == null) return null;
        return asLong(key, e);
    }

    /** A list of integers in which null (an unknown dimension) reads as -1. */
    public long[] dims(String key) {
        JsonElement e = get(key);
        if (e == null) return null;
        if (!e.isJsonArray()) throw bad(key, "a list of integers", e);
        JsonArray a = e.getAsJsonArray();
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).isJsonNull() ? -1 : asLong(key, a.get(i));
        return out;
    }

    public double[] numbers(String key) {
        JsonElement e = get(key);
        if (e == null) return null;
        if (!e.isJsonArray()) throw bad(key, "a list of numbers", e);
        JsonArray a = e.getAsJsonArray();
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            if (!a.get(i).isJsonPrimitive() || !a.get(i).getAsJsonPrimitive().isNumber()) throw bad(key, "a list of numbers", e);
            out[i] = a.get(i).getAsDouble();
        }
        return out;
    }

    /** Options pyj4 does not implement yet: accepted only when absent or null. */
    public void requireUnset(String... keys) {
        for (String k : keys) {
            if (has(k)) {
                throw new IllegalArgumentException(owner + ": option '" + k + "' is not supported yet (expected it absent or null). Received: "
                        + k + "=" + abbreviate(json.get(k).toString()));
            }
        }
    }

    private long asLong(String key, JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw bad(key, "an integer", e);
        double d = e.getAsDouble();
        if (d != Math.rint(d) || Math.abs(d) > 9.007199254740992E15) throw bad(key, "an integer", e);
        return e.getAsLong();
    }

    public IllegalArgumentException bad(String key, String expected, JsonElement received) {
        return new IllegalArgumentException(owner + ": expected '" + key + "' to be " + expected + ". Received: " + key + "="
                + (received == null ? "null" : abbreviate(received.toString())));
    }

    static String abbreviate(String s) { return s.length() > 200 ? s.substring(0, 200) + "..." : s; }

    // ------------------------------------------------------------------ writing

    /** {"class_name": name, "config": config}: how Keras serialises objects. */
    public static JsonObject classAndConfig(String className, JsonObject config) {
        JsonObject o = new JsonObject();
        o.addProperty("class_name", className);
        o.add("config", config);
        return o;
    }

    public static JsonElement nullable(Number n) { return n == null ? JsonNull.INSTANCE : new JsonPrimitive(n); }

    public static JsonArray dimsJson(long[] dims, boolean withBatch) {
        JsonArray a = new JsonArray();
        if (withBatch) a.add(JsonNull.INSTANCE);
        for (long d : dims) {
            if (d < 0) a.add(JsonNull.INSTANCE);
            else a.add(d);
        }
        return a;
    }

    /**
     * A serialised Keras object: a plain string ("relu", "glorot_uniform") gives its name and no
     * config; {"class_name": ..., "config": ...} gives both (Keras' "module" and "registered_name"
     * keys are ignored).
     */
    public static Object[] classNameAndConfig(String owner, String key, JsonElement e) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) return new Object[] {e.getAsString(), new JsonObject()};
        if (e.isJsonObject() && e.getAsJsonObject().has("class_name")) {
            JsonObject o = e.getAsJsonObject();
            JsonElement cfg = o.get("config");
            JsonObject config = cfg != null && cfg.isJsonObject() ? cfg.getAsJsonObject() : new JsonObject();
            // Keras serialises plain functions (activations) as {"class_name": "function", "config": "relu"}.
            if (cfg != null && cfg.isJsonPrimitive()) return new Object[] {cfg.getAsString(), new JsonObject()};
            return new Object[] {o.get("class_name").getAsString(), config};
        }
        throw new IllegalArgumentException(owner + ": expected '" + key + "' to be a name or {\"class_name\": ..., \"config\": {...}}. Received: "
                + key + "=" + abbreviate(e.toString()));
    }
}
