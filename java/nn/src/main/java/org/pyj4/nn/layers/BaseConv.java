package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import java.util.Arrays;
import org.pyj4.backend.Window;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.autograd.ConvOps;
import org.pyj4.nn.autograd.MatrixOps;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.autograd.ShapeOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/**
 * What Conv1D and Conv2D share (Keras' BaseConv): filters, kernel_size, strides, padding,
 * data_format, dilation_rate, groups, activation, use_bias and the initializers; the kernel is
 * [*kernel_size, channels / groups, filters], the bias [filters]. Both run as a 2-D convolution
 * ({@link ConvOps#conv2d}); Conv1D is one with a height of 1.
 */
abstract class BaseConv extends Layer implements OutputActivationLayer {
    final int rank;
    final int filters;
    final int[] kernelSize;
    final int[] strides;
    final String padding;
    final boolean channelsFirst;
    final int[] dilation;
    final int groups;
    final ActivationFunction activation;
    final boolean useBias;
    final Initializer kernelInitializer;
    final Initializer biasInitializer;
    Parameter kernel;
    Parameter bias;

    BaseConv(Config c, int rank) {
        super(c);
        this.rank = rank;
        String owner = c.owner();
        this.filters = c.integer("filters", 0);
        if (filters <= 0) throw new IllegalArgumentException(owner + ": expected filters > 0. Received: filters=" + (c.has("filters") ? c.get("filters") : "missing"));
        this.kernelSize = Spatial.tuple(c, "kernel_size", rank, null);
        if (kernelSize == null) throw new IllegalArgumentException(owner + ": expected a 'kernel_size'. Received: none");
        int[] ones = new int[rank];
        Arrays.fill(ones, 1);
        this.strides = Spatial.tuple(c, "strides", rank, ones);
        this.dilation = Spatial.tuple(c, "dilation_rate", rank, ones);
        this.padding = Spatial.padding(c, rank == 1);
        this.channelsFirst = Spatial.channelsFirst(c);
        this.groups = c.integer("groups", 1);
        if (groups <= 0 || filters % groups != 0) {
            throw new IllegalArgumentException(owner + ": expected groups > 0 dividing filters. Received: groups=" + groups + ", filters=" + filters);
        }
        this.activation = ActivationFunction.of(owner, c.has("activation") ? Dense.activationName(c) : null);
        this.useBias = c.bool("use_bias", true);
        this.kernelInitializer = Initializers.fromJson(owner, "kernel_initializer", c.json().get("kernel_initializer"), VarianceScaling.glorotUniform(null));
        this.biasInitializer = Initializers.fromJson(owner, "bias_initializer", c.json().get("bias_initializer"), SimpleInitializer.zeros());
        c.requireUnset("kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint", "lora_rank");
    }

    /** A config for layers made in Java. */
    static Config javaConfig(String owner, int filters, int[] kernelSize, String padding, String activation) {
        Config c = named(owner, null, null);
        c.json().addProperty("filters", filters);
        c.json().add("kernel_size", Spatial.tupleJson(kernelSize));
        if (padding != null) c.json().addProperty("padding", padding);
        if (activation != null) c.json().addProperty("activation", activation);
        return c;
    }

    @Override public ActivationFunction activation() { return activation; }

    public int filters() { return filters; }

    /** The channel axis of a sample shape (without batch). */
    private int channelAxis(long[] inputShape) { return channelsFirst ? 0 : inputShape.length - 1; }

    @Override protected void createWeights(long[] inputShape) {
        if (inputShape.length != rank + 1) {
            throw new ShapeException(className() + " '" + name() + "': expected inputs of rank " + (rank + 2) + " (batch, " + (rank == 2 ? "rows, cols" : "steps")
                    + ", channels). Received: input_shape=" + withBatch(inputShape));
        }
        long channels = inputShape[channelAxis(inputShape)];
        if (channels <= 0 || channels % groups != 0) {
            throw new IllegalArgumentException(className() + " '" + name() + "': expected a known number of input channels divisible by groups=" + groups
                    + ". Received: input_shape=" + withBatch(inputShape));
        }
        long[] shape = new long[rank + 2];
        for (int i = 0; i < rank; i++) shape[i] = kernelSize[i];
        shape[rank] = channels / groups;
        shape[rank + 1] = filters;
        kernel = addWeight("kernel", shape, kernelInitializer);
        if (useBias) bias = addWeight("bias", new long[] {filters}, biasInitializer);
    }

    static String withBatch(long[] s) {
        StringBuilder b = new StringBuilder("(None");
        for (long d : s) b.append(", ").append(d < 0 ? "None" : Long.toString(d));
        return b.append(")").toString();
    }

    @Override public long[] outputShape(long[] inputShape) {
        if (inputShape.length != rank + 1) {
            throw new ShapeException(className() + " '" + name() + "': expected inputs of rank " + (rank + 2) + ". Received: input_shape="
                    + withBatch(inputShape));
        }
        long[] out = new long[rank + 1];
        int first = channelsFirst ? 1 : 0;
        for (int i = 0; i < rank; i++) {
            out[first + i] = Spatial.outputLength(className() + " '" + name() + "'", inputShape[first + i], kernelSize[i], strides[i], dilation[i], padding);
        }
        out[channelsFirst ? 0 : rank] = filters;
        return out;
    }

    @Override protected Variable call(Variable x, boolean training) {
        Variable y = convolve(x, activation.fused() != null ? activation.fused() : MatrixOps.OutputActivation.LINEAR);
        return activation.fused() != null ? y : activation.apply(y);
    }

    @Override public Variable applyWithoutActivation(Variable x, boolean training) {
        return convolve(prepare(x), MatrixOps.OutputActivation.LINEAR);
    }

    /** The convolution on x (batch included) in this layer's data format, then the fused activation. */
    private Variable convolve(Variable x, MatrixOps.OutputActivation fused) {
        if (x.ndim() != rank + 2) {
            throw new ShapeException(className() + " '" + name() + "': expected inputs of rank " + (rank + 2) + ". Received: " + x.value().describe());
        }
        // To [N, H, W, C] (a view where possible): channels_first moves the channel axis last; 1-D gains H = 1.
        Variable nhwc = channelsFirst ? ShapeOps.transpose(x, channelsLastOrder(rank + 2)) : x;
        if (rank == 1) nhwc = ShapeOps.expandDims(nhwc, 1);
        long[] s = nhwc.shape();
        int kh = rank == 2 ? kernelSize[0] : 1, kw = kernelSize[rank - 1];
        int sh = rank == 2 ? strides[0] : 1, sw = strides[rank - 1];
        int dh = rank == 2 ? dilation[0] : 1, dw = dilation[rank - 1];
        String owner = className() + " '" + name() + "'";
        long oh = rank == 2 ? Spatial.outputLength(owner, s[1], kh, sh, dh, padding) : 1;
        long ow = Spatial.outputLength(owner, s[2], kw, sw, dw, padding);
        Window window = new Window(kh, kw, sh, sw, dh, dw, Spatial.padBefore(s[1], oh, kh, sh, dh, padding), Spatial.padBefore(s[2], ow, kw, sw, dw, padding));
        Variable k4 = rank == 2 ? kernel : ShapeOps.expandDims(kernel, 0);
        Variable y = ConvOps.conv2d(nhwc, k4, bias, window, groups, oh, ow, fused);
        if (rank == 1) y = ShapeOps.squeeze(y, 1);
        return channelsFirst ? ShapeOps.transpose(y, channelsFirstOrder(rank + 2)) : y;
    }

    /** Axis order taking [N, C, spatial...] to [N, spatial..., C]. */
    static int[] channelsLastOrder(int r) {
        int[] p = new int[r];
        p[0] = 0;
        for (int i = 1; i < r - 1; i++) p[i] = i + 1;
        p[r - 1] = 1;
        return p;
    }

    /** Axis order taking [N, spatial..., C] to [N, C, spatial...]. */
    static int[] channelsFirstOrder(int r) {
        int[] p = new int[r];
        p[0] = 0;
        p[1] = r - 1;
        for (int i = 2; i < r; i++) p[i] = i - 1;
        return p;
    }

    @Override protected void addConfig(JsonObject c) {
        c.addProperty("filters", filters);
        c.add("kernel_size", Spatial.tupleJson(kernelSize));
        c.add("strides", Spatial.tupleJson(strides));
        c.addProperty("padding", padding);
        c.addProperty("data_format", channelsFirst ? "channels_first" : "channels_last");
        c.add("dilation_rate", Spatial.tupleJson(dilation));
        c.addProperty("groups", groups);
        c.addProperty("activation", activation.kerasName());
        c.addProperty("use_bias", useBias);
        c.add("kernel_initializer", Initializers.toJson(kernelInitializer));
        c.add("bias_initializer", Initializers.toJson(biasInitializer));
    }
}
