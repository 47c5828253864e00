package org.pyj4.arrow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Arrow's canonical {@code arrow.fixed_shape_tensor} extension type: a FixedSizeList column whose
 * field metadata names the extension and gives each element's shape as JSON, e.g.
 * {@code {"shape":[2,3]}}. Arrow Java 19 has no class for it, so pyj4 reads and writes the field
 * metadata itself (the C Data Interface carries field metadata both ways, and pyarrow turns it into
 * a {@code FixedShapeTensorArray}).
 *
 * <p>{@code shape} is the physical (row-major) shape of one element. An optional
 * {@code permutation} says that logical dimension i is physical dimension permutation[i]; the
 * logical element is then a transposed view, which costs no copy. {@code dim_names} is ignored.
 */
public final class FixedShapeTensor {
    public static final String EXTENSION_NAME_KEY = "ARROW:extension:name";
    public static final String EXTENSION_METADATA_KEY = "ARROW:extension:metadata";
    public static final String EXTENSION_NAME = "arrow.fixed_shape_tensor";

    private static final ObjectMapper JSON = new ObjectMapper();

    private FixedShapeTensor() {}

    /** One element's layout: physical shape and the permutation to its logical shape (null: identity). */
    public record Layout(long[] shape, int[] permutation) {
        /** The shape a user sees: shape[permutation[i]]. */
        public long[] logicalShape() {
            if (permutation == null) return shape.clone();
            long[] out = new long[shape.length];
            for (int i = 0; i < out.length; i++) out[i] = shape[permutation[i]];
            return out;
        }

        public long elementSize() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    /** Whether the field is marked as an arrow.fixed_shape_tensor. */
    public static boolean isTensor(Field field) {
        Map<String, String> m = field.getMetadata();
        return m != null && EXTENSION_NAME.equals(m.get(EXTENSION_NAME_KEY));
    }

    /** The layout a tensor field's metadata declares. */
    public static Layout layout(Field field) {
        String json = field.getMetadata().get(EXTENSION_METADATA_KEY);
        if (json == null) {
            throw new IllegalArgumentException("column '" + field.getName() + "': an arrow.fixed_shape_tensor field must carry "
                    + EXTENSION_METADATA_KEY + " with its shape. Received: metadata=" + field.getMetadata());
        }
        return parse(field.getName(), json);
    }

    /** Parses {"shape":[...], "permutation":[...], "dim_names":[...]}, checking what it can. */
    static Layout parse(String column, String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("column '" + column + "': fixed_shape_tensor metadata is not valid JSON. Received: " + json);
        }
        JsonNode shapeNode = root == null ? null : root.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new IllegalArgumentException("column '" + column + "': fixed_shape_tensor metadata needs a \"shape\" array. Received: " + json);
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw new IllegalArgumentException("column '" + column + "': fixed_shape_tensor shape must hold non-negative integers. Received: " + json);
            }
            shape[i] = d.asLong();
        }
        int[] permutation = null;
        JsonNode permNode = root.get("permutation");
        if (permNode != null && !permNode.isNull()) {
            permutation = new int[permNode.size()];
            boolean[] seen = new boolean[shape.length];
            boolean valid = permNode.isArray() && permutation.length == shape.length;
            for (int i = 0; valid && i < permutation.length; i++) {
                int p = permNode.get(i).asInt(-1);
                valid = permNode.get(i).isIntegralNumber() && p >= 0 && p < shape.length && !seen[p];
                if (valid) {
                    seen[p] = true;
                    permutation[i] = p;
                }
            }
            if (!valid) {
                throw new IllegalArgumentException("column '" + column + "': fixed_shape_tensor permutation must be a permutation of 0.."
                        + (shape.length - 1) + ". Received: " + json);
            }
            if (isIdentity(permutation)) permutation = null;
        }
        return new Layout(shape, permutation);
    }

    /** The metadata JSON for an element shape (no permutation: pyj4 writes row-major elements). */
    public static String toJson(long[] shape) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode s = root.putArray("shape");
        for (long d : shape) s.add(d);
        return root.toString();
    }

    /** Field metadata marking a FixedSizeList field as a tensor of this element shape. */
    public static Map<String, String> metadata(long[] shape) {
        Map<String, String> m = new HashMap<>();
        m.put(EXTENSION_NAME_KEY, EXTENSION_NAME);
        m.put(EXTENSION_METADATA_KEY, toJson(shape));
        return m;
    }

    private static boolean isIdentity(int[] p) {
        for (int i = 0; i < p.length; i++) if (p[i] != i) return false;
        return true;
    }
}
