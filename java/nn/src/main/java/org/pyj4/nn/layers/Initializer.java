package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;

/** Makes a weight's starting values; serialises as Keras' {"class_name", "config"}. */
public interface Initializer {
    NDArray create(long[] shape, DType dtype);

    String className();

    JsonObject config();

    /** Keras' compute_fans: {fan_in, fan_out}, with a receptive field for kernels of rank > 2. */
    static double[] fans(long[] shape) {
        if (shape.length == 0) return new double[] {1, 1};
        if (shape.length == 1) return new double[] {shape[0], shape[0]};
        if (shape.length == 2) return new double[] {shape[0], shape[1]};
        double receptive = 1;
        for (int i = 0; i < shape.length - 2; i++) receptive *= shape[i];
        return new double[] {shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive};
    }
}
