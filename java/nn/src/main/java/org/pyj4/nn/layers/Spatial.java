package org.pyj4.nn.layers;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import java.util.Arrays;
import java.util.Locale;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.config.Config;

/**
 * Keras' conventions for convolution and pooling arguments: an int or a tuple per spatial axis,
 * "valid" / "same" (/ "causal") padding with TensorFlow's arithmetic, and data_format.
 */
final class Spatial {
    private Spatial() {}

    /** An int (repeated) or a list of {@code rank} positive ints; the default when missing. */
    static int[] tuple(Config c, String key, int rank, int[] dflt) {
        JsonElement e = c.get(key);
        if (e == null) return dflt == null ? null : dflt.clone();
        int[] out = new int[rank];
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            Arrays.fill(out, c.integer(key, 0));
        } else if (e.isJsonArray() && e.getAsJsonArray().size() == rank) {
            JsonArray a = e.getAsJsonArray();
            for (int i = 0; i < rank; i++) {
                if (!a.get(i).isJsonPrimitive() || !a.get(i).getAsJsonPrimitive().isNumber() || a.get(i).getAsDouble() != Math.rint(a.get(i).getAsDouble())) {
                    throw c.bad(key, "an integer or a list of " + rank + " integers", e);
                }
                out[i] = a.get(i).getAsInt();
            }
        } else {
            throw c.bad(key, "an integer or a list of " + rank + " integers", e);
        }
        for (int v : out) {
            if (v <= 0) throw new IllegalArgumentException(c.owner() + ": expected '" + key + "' > 0. Received: " + key + "=" + e);
        }
        return out;
    }

    static JsonArray tupleJson(int[] values) {
        JsonArray a = new JsonArray();
        for (int v : values) a.add(v);
        return a;
    }

    /** "valid", "same", or (where allowed) "causal", lower-cased. */
    static String padding(Config c, boolean allowCausal) {
        String p = c.string("padding", "valid").toLowerCase(Locale.ROOT);
        if (p.equals("valid") || p.equals("same") || (allowCausal && p.equals("causal"))) return p;
        throw new IllegalArgumentException(c.owner() + ": expected padding 'valid' or 'same'" + (allowCausal ? " or 'causal'" : "") + ". Received: padding='"
                + c.string("padding", null) + "'");
    }

    /** Whether data_format is "channels_first" (the default is "channels_last", as Keras' image_data_format). */
    static boolean channelsFirst(Config c) {
        String f = c.string("data_format", "channels_last").toLowerCase(Locale.ROOT);
        if (f.equals("channels_last")) return false;
        if (f.equals("channels_first")) return true;
        throw new IllegalArgumentException(c.owner() + ": expected data_format 'channels_last' or 'channels_first'. Received: data_format='"
                + c.string("data_format", null) + "'");
    }

    /** The output length along one axis (-1 for an unknown input length). */
    static long outputLength(String owner, long in, int kernel, int stride, int dilation, String padding) {
        if (in < 0) return -1;
        long extent = (long) (kernel - 1) * dilation + 1;
        long out;
        if (padding.equals("valid")) out = in >= extent ? (in - extent) / stride + 1 : 0;
        else out = (in + stride - 1) / stride;  // same and causal: ceil(in / stride)
        if (out <= 0) {
            throw new ShapeException(owner + ": the window (" + extent + " wide with dilation) does not fit the input of length " + in
                    + " with padding '" + padding + "' (the output would be empty)");
        }
        return out;
    }

    /** Padding before the first element along one axis: TensorFlow's SAME puts the smaller half first; causal puts it all first. */
    static int padBefore(long in, long out, int kernel, int stride, int dilation, String padding) {
        long extent = (long) (kernel - 1) * dilation + 1;
        switch (padding) {
            case "same": return (int) (Math.max((out - 1) * stride + extent - in, 0) / 2);
            case "causal": return (int) (extent - 1);
            default: return 0;
        }
    }
}
