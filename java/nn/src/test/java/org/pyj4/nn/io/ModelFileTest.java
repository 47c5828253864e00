package org.pyj4.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.Data;
import org.pyj4.nn.FitOptions;
import org.pyj4.nn.History;
import org.pyj4.nn.Model;

/** The model file: round trips, resumed training, and every kind of bad file failing clearly. */
class ModelFileTest {
    @TempDir Path dir;

    private static Model trainedModel(int epochs) {
        NDArray[] d = Data.gaussianMixture(120, 5, 3, 9);
        Model m = Model.fromJson(Data.mlpJson(5, new int[] {8}, 3, "softmax", 0.2));
        m.compile(Data.adam(0.01, "sparse_categorical_crossentropy", "accuracy"));
        if (epochs > 0) m.fit(d[0], d[1], new FitOptions().batchSize(16).epochs(epochs).seed(5L).verbose(0), List.of());
        return m;
    }

    @Test void roundTripGivesIdenticalPredictionsAndConfigs() {
        Path file = dir.resolve("model.pyj4");
        NDArray x = Data.gaussianMixture(10, 5, 3, 2)[0];
        try (Model m = trainedModel(1)) {
            m.save(file);
            try (Model back = Model.load(file)) {
                assertArrayEquals(m.predict(x).toFloatArray(), back.predict(x).toFloatArray());
                assertEquals(m.toJson(), back.toJson());
                assertEquals(m.compiled("test").toJson(), back.compiled("test").toJson());
                assertEquals(m.optimizer().iterations(), back.optimizer().iterations());
            }
        }
        assertEquals(List.of("model.pyj4"), Arrays.asList(dir.toFile().list()), "no temporary files left behind");
    }

    @Test void trainingResumesExactlyWhereItStopped() {
        NDArray[] d = Data.gaussianMixture(120, 5, 3, 9);
        Path file = dir.resolve("half.pyj4");
        History whole;
        try (Model m = trainedModel(0)) {
            whole = m.fit(d[0], d[1], new FitOptions().batchSize(16).epochs(4).seed(5L).verbose(0), List.of());
        }
        try (Model m = trainedModel(0)) {
            m.fit(d[0], d[1], new FitOptions().batchSize(16).epochs(2).seed(5L).verbose(0), List.of());
            m.save(file);
        }
        try (Model resumed = Model.load(file)) {
            History rest = resumed.fit(d[0], d[1], new FitOptions().batchSize(16).epochs(4).initialEpoch(2).seed(5L).verbose(0), List.of());
            assertEquals(whole.history().get("loss").subList(2, 4), rest.history().get("loss"));
            assertEquals(List.of(2, 3), rest.epochs());
        }
    }

    @Test void uncompiledAndUnbuiltModelsSaveToo() {
        Path file = dir.resolve("plain.pyj4");
        try (Model m = Model.fromJson(Data.mlpJson(3, new int[] {4}, 2, "sigmoid", null))) {
            m.save(file);
            try (Model back = Model.load(file)) {
                assertEquals(m.countParams(), back.countParams());
                assertTrue(!back.isCompiled());
            }
        }
    }

    private Path writeZip(String name, Map<String, byte[]> entries) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream os = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return p;
    }

    /** The entries of a valid saved model, for tampering with. */
    private Map<String, byte[]> validEntries() throws IOException {
        Path file = dir.resolve("valid.pyj4");
        try (Model m = trainedModel(1)) {
            m.save(file);
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(file.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) out.put(e.getName(), z.getInputStream(e).readAllBytes());
        }
        return out;
    }

    private static String loadError(Path p) {
        return assertThrows(InvalidModelFileException.class, () -> Model.load(p)).getMessage();
    }

    @Test void truncatedFile() throws IOException {
        Path good = dir.resolve("good.pyj4");
        try (Model m = trainedModel(1)) {
            m.save(good);
        }
        byte[] all = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.pyj4");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        assertTrue(loadError(cut).contains("not a valid zip archive (truncated or corrupt)"));
    }

    @Test void randomBytes() throws IOException {
        byte[] noise = new byte[4096];
        new java.util.Random(1).nextBytes(noise);
        Path p = dir.resolve("noise.pyj4");
        Files.write(p, noise);
        assertTrue(loadError(p).contains("not a valid zip archive"));
    }

    @Test void pathTraversingEntryIsRejected() throws IOException {
        Map<String, byte[]> e = validEntries();
        e.put("../evil", "x".getBytes(StandardCharsets.UTF_8));
        String msg = loadError(writeZip("evil.pyj4", e));
        assertTrue(msg.contains("unsafe entry name '../evil'"), msg);
        Map<String, byte[]> abs = validEntries();
        abs.put("/etc/passwd", new byte[1]);
        assertTrue(loadError(writeZip("abs.pyj4", abs)).contains("unsafe entry name '/etc/passwd'"));
        assertTrue(!Files.exists(dir.getParent().resolve("evil")), "nothing written outside");
    }

    @Test void oversizedHeader() throws IOException {
        Map<String, byte[]> e = validEntries();
        byte[] w = e.get("weights.safetensors").clone();
        ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 200_000_000L);
        e.put("weights.safetensors", w);
        String msg = loadError(writeZip("big.pyj4", e));
        assertTrue(msg.contains("header length 200000000 exceeds the limit of 100000000 bytes"), msg);
    }

    @Test void shapeDisagreeingWithBytes() throws IOException {
        Map<String, byte[]> e = validEntries();
        String w = new String(e.get("weights.safetensors"), StandardCharsets.ISO_8859_1);
        // The first Dense kernel is 5 x 8; claim 5 x 9 for the same bytes.
        String tampered = w.replaceFirst("\"shape\":\\[5,8\\]", "\"shape\":[5,9]");
        assertTrue(!tampered.equals(w));
        e.put("weights.safetensors", tampered.getBytes(StandardCharsets.ISO_8859_1));
        String msg = loadError(writeZip("shape.pyj4", e));
        assertTrue(msg.contains("shape [5, 9] of F32 needs 180 bytes but data_offsets give 160"), msg);
    }

    @Test void truncatedTensorData() throws IOException {
        Map<String, byte[]> e = validEntries();
        byte[] w = e.get("weights.safetensors");
        e.put("weights.safetensors", Arrays.copyOf(w, w.length - 12));
        String msg = loadError(writeZip("short.pyj4", e));
        assertTrue(msg.contains("truncated"), msg);
    }

    @Test void missingWeightsOrWrongFormat() throws IOException {
        Map<String, byte[]> e = validEntries();
        e.remove("weights.safetensors");
        assertTrue(loadError(writeZip("noweights.pyj4", e)).contains("no weights.safetensors entry"));
        Map<String, byte[]> f = validEntries();
        String json = new String(f.get("model.json"), StandardCharsets.UTF_8).replace("\"format_version\": 1", "\"format_version\": 7");
        f.put("model.json", json.getBytes(StandardCharsets.UTF_8));
        assertTrue(loadError(writeZip("newer.pyj4", f)).contains("format version 7 was written by a newer pyj4"));
        Map<String, byte[]> g = validEntries();
        g.put("model.json", "{not json".getBytes(StandardCharsets.UTF_8));
        assertTrue(loadError(writeZip("badjson.pyj4", g)).contains("not valid JSON"));
    }

    /** Random damage inside valid zip entries: every outcome is a clear exception or a model that loads, never anything else. */
    @Test void fuzzedEntriesFailCleanly() throws IOException {
        Map<String, byte[]> valid = validEntries();
        java.util.Random r = new java.util.Random(12);
        int refused = 0;
        for (int round = 0; round < 60; round++) {
            Map<String, byte[]> e = new LinkedHashMap<>(valid);
            String victim = new ArrayList<>(e.keySet()).get(r.nextInt(e.size()));
            byte[] b = e.get(victim).clone();
            int at = r.nextInt(Math.min(b.length, round % 2 == 0 ? 400 : b.length)); // half the rounds hit the headers
            switch (round % 3) {
                case 0: b[at] = (byte) r.nextInt(256); break;
                case 1: b = Arrays.copyOf(b, at); break;
                default: b[at] ^= 0x10;
            }
            e.put(victim, b);
            Path p = writeZip("fuzz" + round + ".pyj4", e);
            try (Model m = Model.load(p)) {
                assertEquals(3, m.predict(NDArray.zeros(org.pyj4.ndarray.DType.FLOAT32, 1, 5)).shape()[1]);
            } catch (InvalidModelFileException expected) {
                refused++;
            }
            Files.delete(p);
        }
        assertTrue(refused > 20, "most damage is detected: " + refused);
    }

    @Test void missingFile() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Model.load(dir.resolve("nope.pyj4")));
        assertTrue(e.getMessage().contains("no such model file"), e.getMessage());
    }

    @Test void safetensorsLayoutIsTheStandardOne() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("a", NDArray.create(new float[] {1, 2, 3, 4}, 2, 2));
        t.put("b", NDArray.create(new double[] {5}, 1));
        SafeTensors.write(out, t, Map.of());
        byte[] bytes = out.toByteArray();
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8).trim();
        assertEquals("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[16,24]}}", header);
        ByteBuffer data = ByteBuffer.wrap(bytes, 8 + (int) n, 24).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1f, data.getFloat());
        data.position(8 + (int) n + 16);
        assertEquals(5.0, data.getDouble());
    }
}
