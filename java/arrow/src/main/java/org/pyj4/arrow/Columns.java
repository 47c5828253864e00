package org.pyj4.arrow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.pyj4.data.BatchSource.Batch;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;

/**
 * Which columns of a record batch are the features and which is the label, and how they become
 * arrays.
 *
 * <ul>
 *   <li>Features: a single tensor column (fixed_shape_tensor / fixed-size list) is shared as
 *       [rows, *shape] without a copy; otherwise every feature column contributes its values per
 *       row ([rows] -> 1, [rows, *shape] -> product of shape) to a [rows, width] matrix. Tables
 *       store columns, batches are rows, so gathering several columns is one copy per record
 *       batch. The matrix's dtype is {@code featureType}, or NumPy's promotion of the columns'
 *       dtypes when null.</li>
 *   <li>Label: one column, shared as [rows] or [rows, *shape] with its own dtype; may be absent.</li>
 * </ul>
 */
public record Columns(List<String> features, String label, DType featureType) {
    public Columns {
        if (features == null || features.isEmpty()) {
            throw new IllegalArgumentException("features: expected at least one feature column. Received: features=" + features);
        }
        features = List.copyOf(features);
        if (label != null && features.contains(label)) {
            throw new IllegalArgumentException("label column '" + label + "' is also listed as a feature. Received: features=" + features);
        }
    }

    public static Columns of(String label, String... features) { return new Columns(List.of(features), label, null); }

    /** The feature array of a record batch. */
    public NDArray features(VectorSchemaRoot root) {
        int rows = root.getRowCount();
        List<NDArray> parts = new ArrayList<>();
        try {
            for (String name : features) parts.add(ArrowTensors.toNDArray(vector(root, name, rows)));
            if (parts.size() == 1 && parts.get(0).ndim() > 1) return castIfNeeded(parts.get(0));
            NDArray[] columns = new NDArray[parts.size()];
            try {
                for (int i = 0; i < columns.length; i++) columns[i] = parts.get(i).reshape(rows, width(parts.get(i)));
                if (columns.length == 1) return castIfNeeded(columns[0]);
                try (NDArray matrix = NDArray.concatenate(columns, 1)) {
                    return castIfNeeded(matrix);
                }
            } finally {
                for (NDArray c : columns) if (c != null) c.close();
            }
        } finally {
            for (NDArray p : parts) p.close();
        }
    }

    /** The label array of a record batch, or null when there is no label column. */
    public NDArray labels(VectorSchemaRoot root) {
        return label == null ? null : ArrowTensors.toNDArray(vector(root, label, root.getRowCount()));
    }

    /** Features and labels of every record batch a reader yields, joined (zero-copy when there is one batch). */
    public Batch readAll(ArrowReader reader) {
        List<Batch> chunks = new ArrayList<>();
        try {
            while (reader.loadNextBatch()) chunks.add(new Batch(features(reader.getVectorSchemaRoot()), labels(reader.getVectorSchemaRoot())));
            if (chunks.isEmpty()) return new Batch(features(reader.getVectorSchemaRoot()), labels(reader.getVectorSchemaRoot()));
            if (chunks.size() == 1) return chunks.remove(0);
            return Rebatcher.join(chunks);
        } catch (IOException e) {
            throw new UncheckedIOException("reading Arrow record batches failed: " + e.getMessage(), e);
        } finally {
            for (Batch c : chunks) c.close();
        }
    }

    private NDArray castIfNeeded(NDArray x) {
        if (featureType == null || x.dtype() == featureType) return x.slice(0, null, null, null); // a new reference to the same memory
        return x.astype(featureType);
    }

    private static long width(NDArray column) {
        long w = 1;
        for (int d = 1; d < column.ndim(); d++) w *= column.shape()[d];
        return w;
    }

    private static FieldVector vector(VectorSchemaRoot root, String name, int rows) {
        FieldVector v = root.getVector(name);
        if (v == null) {
            List<String> names = new ArrayList<>();
            for (Field f : root.getSchema().getFields()) names.add(f.getName());
            throw new IllegalArgumentException("column '" + name + "' not found. Available columns: " + names);
        }
        if (v.getValueCount() != rows) {
            throw new IllegalStateException("column '" + name + "' has " + v.getValueCount() + " values but the batch has " + rows + " rows");
        }
        return v;
    }
}
