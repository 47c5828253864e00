package org.pyj4.nn.io;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.Model;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.config.Config;
import org.pyj4.nn.layers.Layer;
import org.pyj4.nn.optimizers.Optimizer;

/**
 * The model file (docs/model-format.md): one zip archive holding model.json (architecture, build
 * and compile config, format and pyj4 versions, training counters), weights.safetensors, and, for a
 * compiled model that has trained, optimizer.safetensors. Never Java serialization.
 *
 * <p>Saving writes a temporary file in the target's directory and moves it over the target, so a
 * reader never sees half a file. Loading never extracts anything to disk; it validates every entry
 * (names, sizes, the safetensors headers) before it allocates tensor memory, and reports any problem
 * as an {@link InvalidModelFileException} naming the file and what is wrong.
 */
public final class ModelFile {
    public static final String FORMAT = "pyj4.model";
    public static final int FORMAT_VERSION = 1;
    public static final String PYJ4_VERSION = "0.1.0";

    static final String MODEL_JSON = "model.json";
    static final String WEIGHTS = "weights.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final long MAX_JSON_BYTES = 64L << 20;
    static final int MAX_ENTRIES = 64;
    /** Deflate cannot expand data more than ~1032 times: a larger declared ratio is a zip bomb. */
    static final long MAX_COMPRESSION_RATIO = 1100;

    private ModelFile() {}

    // ------------------------------------------------------------------ save

    public static void save(Model model, Path file) {
        if (file == null) throw new IllegalArgumentException("save: expected a file path. Received: null");
        Path target = file.toAbsolutePath().normalize();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new UncheckedIOException(new NoSuchFileException(String.valueOf(dir), null, "save: the directory does not exist"));
        if (Files.isDirectory(target)) throw new IllegalArgumentException("save: " + target + " is a directory; expected a file path such as model.pyj4");
        if (!model.isBuilt() && model.inputShape() != null) model.ensureBuilt("save");
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (OutputStream os = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(os, 1 << 16))) {
                zip.setLevel(Deflater.DEFAULT_COMPRESSION);
                putEntry(zip, MODEL_JSON);
                zip.write(new GsonBuilder().serializeNulls().setPrettyPrinting().create().toJson(modelJson(model)).getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
                zip.setLevel(Deflater.NO_COMPRESSION); // weights hardly compress; store them for speed
                putEntry(zip, WEIGHTS);
                Map<String, NDArray> weights = new LinkedHashMap<>();
                for (Parameter p : model.parameters()) weights.put(p.name(), p.value());
                SafeTensors.write(zip, weights, Map.of("format", "pyj4"));
                zip.closeEntry();
                Map<String, NDArray> state = optimizerState(model);
                if (state != null) {
                    putEntry(zip, OPTIMIZER);
                    SafeTensors.write(zip, state, Map.of("format", "pyj4"));
                    zip.closeEntry();
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("save: could not write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is the one to report
                }
            }
        }
    }

    private static void putEntry(ZipOutputStream zip, String name) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(0); // reproducible files: same model, same bytes
        zip.putNextEntry(e);
    }

    /** The optimizer's slots, when the model is compiled and has trained; else null. */
    private static Map<String, NDArray> optimizerState(Model model) {
        if (!model.isCompiled()) return null;
        Optimizer o = model.optimizer();
        if (o.iterations() == 0) return null;
        return o.stateTensors();
    }

    static JsonObject modelJson(Model model) {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("format_version", FORMAT_VERSION);
        o.addProperty("pyj4_version", PYJ4_VERSION);
        JsonObject arch = model.architecture();
        o.add("class_name", arch.get("class_name"));
        o.add("config", arch.get("config"));
        if (model.inputShape() != null && model.isBuilt()) {
            JsonObject build = new JsonObject();
            build.add("input_shape", Config.dimsJson(model.inputShape(), true));
            o.add("build_config", build);
        } else if (model instanceof org.pyj4.nn.Functional && model.isBuilt()) {  // several inputs
            com.google.gson.JsonArray shapes = new com.google.gson.JsonArray();
            for (long[] s : ((org.pyj4.nn.Functional) model).inputShapes()) shapes.add(Config.dimsJson(s, true));
            JsonObject build = new JsonObject();
            build.add("input_shapes", shapes);
            o.add("build_config", build);
        }
        if (model.isCompiled()) o.add("compile_config", model.compiled("save").toJson());
        JsonObject state = new JsonObject();
        if (model.isCompiled()) state.addProperty("optimizer_iterations", model.optimizer().iterations());
        JsonObject layers = new JsonObject();
        for (Layer l : model.layers()) {
            JsonObject s = l.getState();
            if (s != null) layers.add(l.name(), s);
        }
        state.add("layers", layers);
        o.add("training_state", state);
        return o;
    }

    // ------------------------------------------------------------------ load

    public static Model load(Path file) {
        if (file == null) throw new IllegalArgumentException("Model.load: expected a file path. Received: null");
        String where = "model file " + file;
        if (!Files.exists(file)) throw new UncheckedIOException(new NoSuchFileException(file.toString(), null, "Model.load: no such model file"));
        if (Files.isDirectory(file)) throw new InvalidModelFileException(where + ": is a directory, not a model file");
        Model model = null;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Map<String, ZipEntry> entries = entries(zip, where);
            ZipEntry json = entries.get(MODEL_JSON);
            if (json == null) throw new InvalidModelFileException(where + ": no " + MODEL_JSON + " entry (not a pyj4 model file)");
            JsonObject meta = Config.parseObject(where + " " + MODEL_JSON, new String(readCapped(zip, json, MAX_JSON_BYTES, where), StandardCharsets.UTF_8));
            checkFormat(meta, where);
            model = build(meta, where);
            ZipEntry w = entries.get(WEIGHTS);
            if (w == null) throw new InvalidModelFileException(where + ": no " + WEIGHTS + " entry");
            Map<String, NDArray> weights = new LinkedHashMap<>();
            for (Parameter p : model.parameters()) weights.put(p.name(), p.value());
            readTensors(zip, w, weights, where + " " + WEIGHTS);
            restoreTraining(model, meta, entries, zip, where);
            Model loaded = model;
            model = null;
            return loaded;
        } catch (ZipException e) {
            throw new InvalidModelFileException(where + ": not a valid zip archive (truncated or corrupt): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(where + ": could not be read: " + e.getMessage(), e);
        } catch (InvalidModelFileException | UncheckedIOException e) {
            throw e;
        } catch (RuntimeException | OutOfMemoryError e) {
            // A config the layers or the optimizer reject, JSON of the wrong shape, or an architecture
            // too large to allocate: all of them say the file is unusable; the cause is kept.
            throw new InvalidModelFileException(where + ": " + e.getMessage(), e);
        } finally {
            if (model != null) model.close();
        }
    }

    /** Entries by name, after refusing unsafe names, duplicates and absurd counts or sizes. */
    private static Map<String, ZipEntry> entries(ZipFile zip, String where) {
        Map<String, ZipEntry> out = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        int count = 0;
        for (java.util.Enumeration<? extends ZipEntry> all = zip.entries(); all.hasMoreElements(); ) {
            ZipEntry e = all.nextElement();
            if (++count > MAX_ENTRIES) throw new InvalidModelFileException(where + ": more than " + MAX_ENTRIES + " entries");
            String name = e.getName();
            if (!isSafeName(name)) throw new InvalidModelFileException(where + ": unsafe entry name '" + name + "' (absolute or path-traversing)");
            if (!seen.add(name)) throw new InvalidModelFileException(where + ": duplicate entry '" + name + "'");
            long size = e.getSize(), compressed = e.getCompressedSize();
            if (size >= 0 && compressed >= 0 && size > (compressed + 1024) * MAX_COMPRESSION_RATIO) {
                throw new InvalidModelFileException(where + ": entry '" + name + "' claims " + size + " bytes from " + compressed + " compressed (a zip bomb?)");
            }
            out.put(name, e);
        }
        return out;
    }

    /** Relative, forward-slash names without "..", ".", empty segments, drive letters or control characters. */
    static boolean isSafeName(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains(":")) return false;
        for (char c : name.toCharArray()) if (c < 0x20) return false;
        for (String part : name.split("/", -1)) {
            if (part.equals("..") || part.equals(".")) return false;
        }
        return !name.contains("//");
    }

    private static byte[] readCapped(ZipFile zip, ZipEntry e, long cap, String where) throws IOException {
        if (e.getSize() > cap) throw new InvalidModelFileException(where + ": " + e.getName() + " is " + e.getSize() + " bytes, over the limit of " + cap);
        try (InputStream in = zip.getInputStream(e)) {
            byte[] data = in.readNBytes((int) cap + 1);
            if (data.length > cap) throw new InvalidModelFileException(where + ": " + e.getName() + " is over the limit of " + cap + " bytes");
            return data;
        }
    }

    private static void checkFormat(JsonObject meta, String where) {
        Config c = new Config(where + " " + MODEL_JSON, meta);
        String format = c.string("format", null);
        if (!FORMAT.equals(format)) {
            throw new InvalidModelFileException(where + ": " + MODEL_JSON + " has format " + (format == null ? "missing" : "'" + format + "'")
                    + ", expected '" + FORMAT + "'");
        }
        int version = c.integer("format_version", -1);
        if (version < 1) throw new InvalidModelFileException(where + ": " + MODEL_JSON + " has no valid format_version");
        if (version > FORMAT_VERSION) {
            throw new InvalidModelFileException(where + ": format version " + version + " was written by a newer pyj4 ("
                    + c.string("pyj4_version", "unknown") + "); this pyj4 (" + PYJ4_VERSION + ") reads up to version " + FORMAT_VERSION);
        }
    }

    /** The architecture, built for its saved input shape. */
    private static Model build(JsonObject meta, String where) {
        JsonObject arch = new JsonObject();
        arch.add("class_name", meta.get("class_name"));
        arch.add("config", meta.get("config"));
        Model model = Model.fromJson(arch.toString());
        try {
            JsonElement build = meta.get("build_config");
            long[] shape = null;
            JsonElement shapes = null;
            if (build != null && build.isJsonObject()) {
                shape = new Config(where + " build_config", build.getAsJsonObject()).dims("input_shape");
                shapes = build.getAsJsonObject().get("input_shapes");
            }
            if (shape != null && shape.length > 0) {
                model.build(Arrays.copyOfRange(shape, 1, shape.length));
            } else if (shapes != null && shapes.isJsonArray() && model instanceof org.pyj4.nn.Functional) {
                java.util.List<long[]> list = new java.util.ArrayList<>();
                for (JsonElement e : shapes.getAsJsonArray()) {
                    JsonObject holder = new JsonObject();
                    holder.add("s", e);
                    long[] s = new Config(where + " build_config.input_shapes", holder).dims("s");
                    if (s == null || s.length == 0) throw new InvalidModelFileException(where + ": build_config.input_shapes holds a shape without a batch axis");
                    list.add(Arrays.copyOfRange(s, 1, s.length));
                }
                ((org.pyj4.nn.Functional) model).buildAll(list);
            } else if (model.inputShape() != null) {
                model.ensureBuilt("load");
            } else {
                model.buildIfShapeKnown();
            }
            return model;
        } catch (RuntimeException | OutOfMemoryError e) {
            model.close();
            throw e;
        }
    }

    /** Reads one safetensors entry into exactly these arrays (same names, shapes, dtypes). */
    private static void readTensors(ZipFile zip, ZipEntry e, Map<String, NDArray> targets, String where) throws IOException {
        try (InputStream in = zip.getInputStream(e)) {
            SafeTensors.Header header = SafeTensors.readHeader(in, e.getSize(), where);
            for (Map.Entry<String, NDArray> t : targets.entrySet()) {
                SafeTensors.Entry found = header.tensors().get(t.getKey());
                NDArray a = t.getValue();
                if (found == null) throw new InvalidModelFileException(where + ": missing tensor '" + t.getKey() + "' (" + a.describe() + ")");
                if (found.dtype() != a.dtype() || !Arrays.equals(found.shape(), a.shape())) {
                    throw new InvalidModelFileException(where + ": tensor '" + t.getKey() + "' is " + found.dtype() + Arrays.toString(found.shape())
                            + " but the architecture needs " + a.describe());
                }
            }
            for (String name : header.tensors().keySet()) {
                if (!targets.containsKey(name)) throw new InvalidModelFileException(where + ": unexpected tensor '" + name + "' (not a weight of this architecture)");
            }
            SafeTensors.readData(in, header, targets, where);
        }
    }

    /** Compile config, optimizer slots and counters, layer states: what a resumed fit needs. */
    private static void restoreTraining(Model model, JsonObject meta, Map<String, ZipEntry> entries, ZipFile zip, String where) throws IOException {
        JsonElement compile = meta.get("compile_config");
        JsonObject state = meta.has("training_state") && meta.get("training_state").isJsonObject() ? meta.getAsJsonObject("training_state") : new JsonObject();
        if (compile != null && compile.isJsonObject()) {
            model.compile(compile.toString());
            Long iterations = new Config(where + " training_state", state).nullableLong("optimizer_iterations");
            ZipEntry o = entries.get(OPTIMIZER);
            if (o != null) {
                Optimizer opt = model.optimizer();
                opt.build(model.trainableParameters());
                readTensors(zip, o, opt.stateTensors(), where + " " + OPTIMIZER);
            }
            if (iterations != null) model.optimizer().setIterations(iterations);
        }
        JsonElement layers = state.get("layers");
        if (layers != null && layers.isJsonObject()) {
            Map<String, Layer> byName = new LinkedHashMap<>();
            for (Layer l : model.layers()) byName.put(l.name(), l);
            for (Map.Entry<String, JsonElement> e : layers.getAsJsonObject().entrySet()) {
                Layer l = byName.get(e.getKey());
                if (l == null || !e.getValue().isJsonObject()) throw new InvalidModelFileException(where + ": training state for unknown layer '" + e.getKey() + "'");
                l.setState(e.getValue().getAsJsonObject());
            }
        }
    }

    /** Lists the entries of a model file, for tools and tests. */
    public static List<String> entryNames(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return zip.stream().map(ZipEntry::getName).toList();
        }
    }
}
