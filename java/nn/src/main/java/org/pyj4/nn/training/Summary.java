package org.pyj4.nn.training;

import java.util.Locale;
import org.pyj4.nn.Model;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.layers.InputLayer;
import org.pyj4.nn.layers.Layer;

/** Keras' model.summary() table, in plain ASCII. */
public final class Summary {
    private Summary() {}

    public static String of(Model model) {
        String rule = "_".repeat(77) + "\n", thick = "=".repeat(77) + "\n";
        StringBuilder s = new StringBuilder();
        s.append("Model: \"").append(model.name()).append("\"\n").append(rule);
        s.append(String.format(Locale.ROOT, " %-34s %-26s %13s%n", "Layer (type)", "Output Shape", "Param #"));
        s.append(thick);
        java.util.Map<Layer, long[]> shapes = model.layerOutputShapes();
        boolean first = true;
        for (Layer l : model.layers()) {
            long[] shape = shapes.get(l);
            if (l instanceof InputLayer) continue;
            if (!first) s.append("\n");
            first = false;
            String out = shape == null ? "?" : Inputs.withBatch(shape);
            String params = l.isBuilt() ? String.format(Locale.ROOT, "%,d", l.countParams()) : "0 (unbuilt)";
            s.append(String.format(Locale.ROOT, " %-34s %-26s %13s%n", l.name() + " (" + l.className() + ")", out, params));
        }
        s.append(thick);
        long total = 0, trainable = 0, bytes = 0, trainableBytes = 0;
        for (Parameter p : model.parameters()) {
            long b = p.size() * p.dtype().itemSize();
            total += p.size();
            bytes += b;
            if (p.requiresGrad()) {
                trainable += p.size();
                trainableBytes += b;
            }
        }
        s.append(String.format(Locale.ROOT, " Total params: %,d (%s)%n", total, bytes(bytes)));
        s.append(String.format(Locale.ROOT, " Trainable params: %,d (%s)%n", trainable, bytes(trainableBytes)));
        s.append(String.format(Locale.ROOT, " Non-trainable params: %,d (%s)%n", total - trainable, bytes(bytes - trainableBytes)));
        return s.append(rule).toString();
    }

    private static String bytes(long b) {
        if (b < 1024) return String.format(Locale.ROOT, "%.2f B", (double) b);
        if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.2f KB", b / 1024.0);
        if (b < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.2f MB", b / 1048576.0);
        return String.format(Locale.ROOT, "%.2f GB", b / 1073741824.0);
    }
}
