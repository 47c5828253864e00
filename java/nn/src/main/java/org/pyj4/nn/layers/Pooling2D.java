package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import org.pyj4.backend.PoolKind;
import org.pyj4.backend.Window;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.autograd.PoolOps;
import org.pyj4.nn.autograd.ShapeOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/**
 * What MaxPooling2D and AveragePooling2D share: pool_size (default 2x2), strides (default: the pool
 * size), padding "valid" / "same" (padding positions never count: they are skipped, as
 * TensorFlow does), data_format.
 */
abstract class Pooling2D extends Layer {
    private final PoolKind kind;
    private final int[] poolSize;
    private final int[] strides;
    private final String padding;
    private final boolean channelsFirst;

    Pooling2D(Config c, PoolKind kind) {
        super(c);
        this.kind = kind;
        this.poolSize = Spatial.tuple(c, "pool_size", 2, new int[] {2, 2});
        this.strides = Spatial.tuple(c, "strides", 2, poolSize);
        this.padding = Spatial.padding(c, false);
        this.channelsFirst = Spatial.channelsFirst(c);
    }

    static Config javaConfig(String owner, int[] poolSize, int[] strides, String padding) {
        Config c = named(owner, null, null);
        c.json().add("pool_size", Spatial.tupleJson(poolSize));
        if (strides != null) c.json().add("strides", Spatial.tupleJson(strides));
        if (padding != null) c.json().addProperty("padding", padding);
        return c;
    }

    @Override public long[] outputShape(long[] in) {
        if (in.length != 3) throw new ShapeException(className() + " '" + name() + "': expected inputs of rank 4. Received: input_shape=" + BaseConv.withBatch(in));
        String owner = className() + " '" + name() + "'";
        int h = channelsFirst ? 1 : 0;
        long[] out = in.clone();
        out[h] = Spatial.outputLength(owner, in[h], poolSize[0], strides[0], 1, padding);
        out[h + 1] = Spatial.outputLength(owner, in[h + 1], poolSize[1], strides[1], 1, padding);
        return out;
    }

    @Override protected Variable call(Variable x, boolean training) {
        if (x.ndim() != 4) throw new ShapeException(className() + " '" + name() + "': expected inputs of rank 4. Received: " + x.value().describe());
        Variable nhwc = channelsFirst ? ShapeOps.transpose(x, 0, 2, 3, 1) : x;
        long[] s = nhwc.shape();
        String owner = className() + " '" + name() + "'";
        long oh = Spatial.outputLength(owner, s[1], poolSize[0], strides[0], 1, padding);
        long ow = Spatial.outputLength(owner, s[2], poolSize[1], strides[1], 1, padding);
        Window w = new Window(poolSize[0], poolSize[1], strides[0], strides[1], 1, 1,
                Spatial.padBefore(s[1], oh, poolSize[0], strides[0], 1, padding), Spatial.padBefore(s[2], ow, poolSize[1], strides[1], 1, padding));
        Variable y = kind == PoolKind.MAX ? PoolOps.maxPool(nhwc, w, oh, ow) : PoolOps.avgPool(nhwc, w, oh, ow);
        return channelsFirst ? ShapeOps.transpose(y, 0, 3, 1, 2) : y;
    }

    @Override protected void addConfig(JsonObject c) {
        c.add("pool_size", Spatial.tupleJson(poolSize));
        c.add("strides", Spatial.tupleJson(strides));
        c.addProperty("padding", padding);
        c.addProperty("data_format", channelsFirst ? "channels_first" : "channels_last");
    }
}
