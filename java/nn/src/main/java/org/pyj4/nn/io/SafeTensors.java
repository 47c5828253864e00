package org.pyj4.nn.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pyj4.backend.Backend;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;

/**
 * The safetensors layout (https://github.com/huggingface/safetensors): an unsigned 64-bit
 * little-endian header length N, N bytes of UTF-8 JSON {name: {"dtype": "F32", "shape": [..],
 * "data_offsets": [begin, end]}, "__metadata__": {string: string}}, then the raw little-endian
 * tensor bytes, offsets counted from the end of the header. Reading trusts nothing: the header is
 * capped at 100 MB, every tensor's byte size must equal its shape times its item size, and the
 * tensors must tile the data section exactly, before any tensor memory is touched.
 */
public final class SafeTensors {
    /** The largest header accepted (the reference implementation's limit). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final int CHUNK = 1 << 20;

    private SafeTensors() {}

    /** One tensor's header entry. */
    public record Entry(String name, DType dtype, long[] shape, long begin, long end) {
        long bytes() { return end - begin; }
    }

    /** A validated header: tensors in data order, metadata, and the data section's size. */
    public record Header(Map<String, Entry> tensors, Map<String, String> metadata, long dataBytes) {}

    // ------------------------------------------------------------------ writing

    /** Writes the tensors (any layout; copied to contiguous bytes chunk by chunk) in map order. */
    @SuppressWarnings("try")
    public static void write(OutputStream out, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
        checkLittleEndianHost();
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            metadata.forEach(m::addProperty);
            header.add("__metadata__", m);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray t = e.getValue();
            long bytes = t.size() * t.dtype().itemSize();
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", code(t.dtype()));
            JsonArray shape = new JsonArray();
            for (long d : t.shape()) shape.add(d);
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes);
            entry.add("data_offsets", offsets);
            header.add(e.getKey(), entry);
            offset += bytes;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // keeps the data 8-byte aligned, as the reference writer does
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(len.array());
        out.write(json);
        for (int i = json.length; i < padded; i++) out.write(' ');
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        for (NDArray t : tensors.values()) {
            try (MemoryScope scope = MemoryScope.open()) {
                NDArray c = t.contiguous();
                Backend be = c.backend();
                long base = c.offset() * c.dtype().itemSize(), total = c.size() * c.dtype().itemSize();
                for (long done = 0; done < total; ) {
                    int n = (int) Math.min(CHUNK, total - done);
                    chunk.clear().limit(n);
                    be.read(c.tensor().buffer(), base + done, chunk);
                    out.write(chunk.array(), 0, n);
                    done += n;
                }
            }
        }
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads and validates the header. {@code entryBytes} is the size of the whole safetensors
     * content when known (-1 when not): then the data section must be exactly what the header describes.
     */
    public static Header readHeader(InputStream in, long entryBytes, String where) throws IOException {
        byte[] lenBytes = in.readNBytes(8);
        if (lenBytes.length < 8) throw invalid(where, "truncated: " + lenBytes.length + " bytes, too short for the 8-byte header length");
        long n = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 0 || n > MAX_HEADER_BYTES) throw invalid(where, "header length " + Long.toUnsignedString(n) + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        if (n < 2) throw invalid(where, "header length " + n + " is too short for a JSON object");
        if (entryBytes >= 0 && 8 + n > entryBytes) {
            throw invalid(where, "header length " + n + " is larger than the " + entryBytes + "-byte content (truncated or corrupt)");
        }
        byte[] json = in.readNBytes((int) n);
        if (json.length < n) throw invalid(where, "truncated: the header needs " + n + " bytes, found " + json.length);
        JsonObject header;
        try {
            JsonElement e = JsonParser.parseString(new String(json, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) throw invalid(where, "the header is not a JSON object");
            header = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw invalid(where, "the header is not valid JSON (" + e.getMessage() + ")");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                if (!e.getValue().isJsonObject()) throw invalid(where, "__metadata__ must map strings to strings");
                for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
                    if (!m.getValue().isJsonPrimitive() || !m.getValue().getAsJsonPrimitive().isString()) {
                        throw invalid(where, "__metadata__ must map strings to strings; '" + m.getKey() + "' is not a string");
                    }
                    metadata.put(m.getKey(), m.getValue().getAsString());
                }
                continue;
            }
            entries.add(entry(where, e.getKey(), e.getValue()));
        }
        entries.sort(Comparator.comparingLong(Entry::begin));
        long expected = 0;
        Map<String, Entry> ordered = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (e.begin() != expected) {
                throw invalid(where, "tensor '" + e.name() + "' starts at byte " + e.begin() + " but the previous one ends at " + expected
                        + " (tensors must tile the data without gaps or overlaps)");
            }
            expected = e.end();
            ordered.put(e.name(), e);
        }
        if (entryBytes >= 0 && expected != entryBytes - 8 - n) {
            throw invalid(where, "the header describes " + expected + " bytes of tensor data but the content holds " + (entryBytes - 8 - n)
                    + (expected > entryBytes - 8 - n ? " (truncated)" : " (trailing bytes)"));
        }
        return new Header(ordered, metadata, expected);
    }

    private static Entry entry(String where, String name, JsonElement v) {
        if (!v.isJsonObject()) throw invalid(where, "tensor '" + name + "': expected {dtype, shape, data_offsets}");
        JsonObject o = v.getAsJsonObject();
        DType dtype = dtypeOf(where, name, o.get("dtype"));
        long[] shape = longs(where, name, "shape", o.get("shape"), -1);
        long[] offsets = longs(where, name, "data_offsets", o.get("data_offsets"), 2);
        long begin = offsets[0], end = offsets[1];
        if (begin > end) throw invalid(where, "tensor '" + name + "': data_offsets [" + begin + ", " + end + "] run backwards");
        long elements = 1;
        try {
            for (long d : shape) elements = Math.multiplyExact(elements, d);
            long bytes = Math.multiplyExact(elements, (long) dtype.itemSize());
            if (bytes != end - begin) {
                throw invalid(where, "tensor '" + name + "': shape " + java.util.Arrays.toString(shape) + " of " + code(dtype) + " needs " + bytes
                        + " bytes but data_offsets give " + (end - begin));
            }
        } catch (ArithmeticException e) {
            throw invalid(where, "tensor '" + name + "': shape " + java.util.Arrays.toString(shape) + " overflows");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long[] longs(String where, String name, String key, JsonElement e, int length) {
        if (e == null || !e.isJsonArray()) throw invalid(where, "tensor '" + name + "': expected '" + key + "' to be a list of integers");
        JsonArray a = e.getAsJsonArray();
        if (length >= 0 && a.size() != length) throw invalid(where, "tensor '" + name + "': expected " + length + " values in '" + key + "'");
        if (a.size() > 64) throw invalid(where, "tensor '" + name + "': '" + key + "' has " + a.size() + " entries");
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement x = a.get(i);
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) throw invalid(where, "tensor '" + name + "': '" + key + "' holds a non-number");
            try {
                out[i] = x.getAsBigDecimal().longValueExact(); // throws for fractions and for values beyond int64
            } catch (ArithmeticException | NumberFormatException ex) {
                out[i] = -1;
            }
            if (out[i] < 0) throw invalid(where, "tensor '" + name + "': '" + key + "' holds " + x + ", not a non-negative integer");
        }
        return out;
    }

    /**
     * Reads the data section into {@code targets} (contiguous arrays of the header's shapes and dtypes,
     * by name), in file order, chunk by chunk, then checks that nothing follows.
     */
    public static void readData(InputStream in, Header header, Map<String, NDArray> targets, String where) throws IOException {
        checkLittleEndianHost();
        byte[] chunk = new byte[CHUNK];
        for (Entry e : header.tensors().values()) {
            NDArray target = targets.get(e.name());
            long remaining = e.bytes();
            long at = target == null ? 0 : target.offset() * target.dtype().itemSize();
            while (remaining > 0) {
                int n = (int) Math.min(chunk.length, remaining);
                int got = in.readNBytes(chunk, 0, n);
                if (got < n) throw invalid(where, "truncated inside tensor '" + e.name() + "'");
                if (target != null) target.backend().write(target.tensor().buffer(), at, ByteBuffer.wrap(chunk, 0, n));
                at += n;
                remaining -= n;
            }
        }
        if (in.read() != -1) throw invalid(where, "trailing bytes after the last tensor");
    }

    static InvalidModelFileException invalid(String where, String problem) { return new InvalidModelFileException(where + ": " + problem); }

    static String code(DType t) {
        switch (t) {
            case FLOAT64: return "F64";
            case FLOAT32: return "F32";
            case FLOAT16: return "F16";
            case BFLOAT16: return "BF16";
            case INT64: return "I64";
            case INT32: return "I32";
            case INT16: return "I16";
            case INT8: return "I8";
            case UINT8: return "U8";
            default: return "BOOL";
        }
    }

    private static DType dtypeOf(String where, String name, JsonElement e) {
        String s = e != null && e.isJsonPrimitive() ? e.getAsString() : String.valueOf(e);
        for (DType t : DType.values()) if (code(t).equals(s)) return t;
        throw invalid(where, "tensor '" + name + "': unknown dtype " + s + " (expected F64, F32, F16, BF16, I64, I32, I16, I8, U8 or BOOL)");
    }

    private static void checkLittleEndianHost() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("safetensors I/O needs a little-endian host (arrays are kept in native order)");
        }
    }
}
