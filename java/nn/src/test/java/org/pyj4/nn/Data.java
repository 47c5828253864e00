package org.pyj4.nn;

import org.pyj4.ndarray.NDArray;

/** Synthetic datasets for the tests, deterministic from a seed. */
public final class Data {
    private Data() {}

    /** {x float32[n, dims], y int64[n]}: a mixture of Gaussians, one per class, centers well apart. */
    public static NDArray[] gaussianMixture(int n, int dims, int classes, long seed) {
        java.util.Random r = new java.util.Random(seed);
        double[][] centers = new double[classes][dims];
        for (double[] c : centers) for (int d = 0; d < dims; d++) c[d] = r.nextGaussian() * 2.5;
        float[] x = new float[n * dims];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(classes);
            y[i] = k;
            for (int d = 0; d < dims; d++) x[i * dims + d] = (float) (centers[k][d] + r.nextGaussian() * 0.8);
        }
        return new NDArray[] {NDArray.create(x, n, dims), NDArray.create(y, n)};
    }

    /** The architecture JSON of an MLP: inputs -> hidden relu layers -> classes softmax, with seeded initializers. */
    public static String mlpJson(int inputs, int[] hidden, int classes, String outputActivation, Double dropout) {
        StringBuilder s = new StringBuilder("{\"class_name\": \"Sequential\", \"config\": {\"name\": \"mlp\", \"layers\": [");
        s.append("{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"input\", \"batch_shape\": [null, ").append(inputs).append("], \"dtype\": \"float32\"}}");
        int seed = 1;
        for (int h : hidden) {
            s.append(", {\"class_name\": \"Dense\", \"config\": {\"units\": ").append(h).append(", \"activation\": \"relu\", ")
                    .append("\"kernel_initializer\": {\"class_name\": \"GlorotUniform\", \"config\": {\"seed\": ").append(seed++).append("}}}}");
            if (dropout != null) s.append(", {\"class_name\": \"Dropout\", \"config\": {\"rate\": ").append(dropout).append(", \"seed\": 7}}");
        }
        s.append(", {\"class_name\": \"Dense\", \"config\": {\"units\": ").append(classes).append(", \"activation\": \"").append(outputActivation)
                .append("\", \"kernel_initializer\": {\"class_name\": \"GlorotUniform\", \"config\": {\"seed\": ").append(seed).append("}}}}");
        return s.append("]}}").toString();
    }

    public static String adam(double lr, String loss, String... metrics) {
        StringBuilder m = new StringBuilder();
        for (String x : metrics) m.append(m.length() > 0 ? ", " : "").append('"').append(x).append('"');
        return "{\"optimizer\": {\"class_name\": \"Adam\", \"config\": {\"learning_rate\": " + lr + "}}, \"loss\": \"" + loss
                + "\", \"metrics\": [" + m + "]}";
    }
}
