package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.autograd.ReductionOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/** What GlobalAveragePooling2D and GlobalMaxPooling2D share: a reduction over rows and columns; data_format, keepdims. */
abstract class GlobalPooling2D extends Layer {
    private final boolean max;
    private final boolean channelsFirst;
    private final boolean keepdims;

    GlobalPooling2D(Config c, boolean max) {
        super(c);
        this.max = max;
        this.channelsFirst = Spatial.channelsFirst(c);
        this.keepdims = c.bool("keepdims", false);
    }

    private int[] spatialAxes() { return channelsFirst ? new int[] {2, 3} : new int[] {1, 2}; }

    @Override public long[] outputShape(long[] in) {
        if (in.length != 3) throw new ShapeException(className() + " '" + name() + "': expected inputs of rank 4. Received: input_shape=" + BaseConv.withBatch(in));
        long c = channelsFirst ? in[0] : in[2];
        if (!keepdims) return new long[] {c};
        return channelsFirst ? new long[] {c, 1, 1} : new long[] {1, 1, c};
    }

    @Override protected Variable call(Variable x, boolean training) {
        if (x.ndim() != 4) throw new ShapeException(className() + " '" + name() + "': expected inputs of rank 4. Received: " + x.value().describe());
        return max ? ReductionOps.max(x, spatialAxes(), keepdims) : ReductionOps.mean(x, spatialAxes(), keepdims);
    }

    @Override protected void addConfig(JsonObject c) {
        c.addProperty("data_format", channelsFirst ? "channels_first" : "channels_last");
        c.addProperty("keepdims", keepdims);
    }
}
