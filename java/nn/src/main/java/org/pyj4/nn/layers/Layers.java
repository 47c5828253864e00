package org.pyj4.nn.layers;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.pyj4.nn.config.Config;

/** The layer registry: Keras class_name to constructor, for building models from JSON. */
public final class Layers {
    private static final Map<String, Function<Config, Layer>> REGISTRY = new ConcurrentHashMap<>();

    static {
        register("InputLayer", InputLayer::new);
        register("Dense", Dense::new);
        register("Activation", Activation::new);
        register("Dropout", Dropout::new);
        register("Flatten", Flatten::new);
        register("Reshape", Reshape::new);
        register("Conv1D", Conv1D::new);
        register("Conv2D", Conv2D::new);
        register("MaxPooling2D", MaxPooling2D::new);
        register("AveragePooling2D", AveragePooling2D::new);
        register("GlobalAveragePooling2D", GlobalAveragePooling2D::new);
        register("GlobalMaxPooling2D", GlobalMaxPooling2D::new);
        register("BatchNormalization", BatchNormalization::new);
        register("LayerNormalization", LayerNormalization::new);
        register("Embedding", Embedding::new);
        register("LSTM", LSTM::new);
        register("GRU", GRU::new);
        register("MultiHeadAttention", MultiHeadAttention::new);
        register("Add", Add::new);
        register("Multiply", Multiply::new);
        register("Concatenate", Concatenate::new);
        // Keras' aliases
        register("Convolution1D", Conv1D::new);
        register("Convolution2D", Conv2D::new);
        register("MaxPool2D", MaxPooling2D::new);
        register("AvgPool2D", AveragePooling2D::new);
        register("GlobalAvgPool2D", GlobalAveragePooling2D::new);
        register("GlobalMaxPool2D", GlobalMaxPooling2D::new);
    }

    private Layers() {}

    /** Adds (or replaces) a layer type; its config keys are its own business. */
    public static void register(String className, Function<Config, Layer> factory) { REGISTRY.put(className, factory); }

    /** A layer from {"class_name": ..., "config": {...}}. */
    public static Layer fromJson(JsonElement e) {
        if (e == null || !e.isJsonObject() || !e.getAsJsonObject().has("class_name")) {
            throw new IllegalArgumentException("layer: expected {\"class_name\": ..., \"config\": {...}}. Received: " + e);
        }
        JsonObject o = e.getAsJsonObject();
        String className = o.get("class_name").getAsString();
        Function<Config, Layer> factory = REGISTRY.get(className);
        if (factory == null) {
            throw new IllegalArgumentException("layer: unknown class_name. Expected one of " + new java.util.TreeSet<>(REGISTRY.keySet())
                    + ". Received: class_name='" + className + "'");
        }
        JsonElement cfg = o.get("config");
        if (cfg != null && !cfg.isJsonNull() && !cfg.isJsonObject()) {
            throw new IllegalArgumentException(className + ": expected 'config' to be an object. Received: " + cfg);
        }
        return factory.apply(new Config(className, cfg == null || cfg.isJsonNull() ? new JsonObject() : cfg.getAsJsonObject()));
    }
}
