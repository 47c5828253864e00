package org.pyj4.backend.cpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Properties;

/**
 * Loads libpyj4cpu.so once per JVM: the copy inside this jar is extracted to a content-addressed
 * cache directory ({@code <cache>/native-<hash>/}; written to a temporary file, verified against
 * its SHA-256, then renamed atomically, so concurrent JVMs never see half a file) and
 * {@link System#load}ed; no LD_LIBRARY_PATH is needed. The OpenBLAS shipped beside it is handed to
 * the native side, which loads it at the first float matmul.
 *
 * <p>Overrides: {@code -Dpyj4.cpu.library=/path/libpyj4cpu.so} (or PYJ4_CPU_LIBRARY) loads that
 * file instead; {@code -Dpyj4.cpu.blas=/path/libopenblas.so} (or PYJ4_BLAS) picks the BLAS, "system"
 * meaning the system's libopenblas.so.0; {@code -Dpyj4.cache.dir} (or PYJ4_CACHE_DIR) moves the cache,
 * which defaults to $XDG_CACHE_HOME/pyj4 or ~/.cache/pyj4 (java.io.tmpdir if those are not writable).
 */
final class NativeLibrary {
    static final String RESOURCE_DIR = "/org/pyj4/backend/cpu/linux-x86_64/";
    static final String LIBRARY = "libpyj4cpu.so";
    static final String BLAS = "libscipy_openblas.so";

    private static String failure;
    private static boolean attempted;

    private NativeLibrary() {}

    /** Loads the library if not done yet; returns null on success, else why it cannot load (always the same answer). */
    static synchronized String load() {
        if (!attempted) {
            attempted = true;
            try {
                loadNow();
            } catch (Throwable t) {  // UnsatisfiedLinkError, IOException, SecurityException: report, never crash
                failure = "the native CPU library could not be loaded: " + t;
            }
        }
        return failure;
    }

    private static void loadNow() throws IOException {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String explicit = setting("pyj4.cpu.library", "PYJ4_CPU_LIBRARY");
        String blas = setting("pyj4.cpu.blas", "PYJ4_BLAS");
        if (explicit != null) {
            System.load(Paths.get(explicit).toAbsolutePath().toString());
        } else {
            if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
                throw new IOException("no native CPU library for " + os + "/" + arch + " in this jar (it ships linux-x86_64)");
            }
            Path dir = extract();
            System.load(dir.resolve(LIBRARY).toString());
            if (blas == null && Files.exists(dir.resolve(BLAS))) blas = dir.resolve(BLAS).toString();
        }
        if (blas != null) CpuNative.setBlasPath(blas.equals("system") ? null : blas);
    }

    private static String setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isEmpty()) v = System.getenv(env);
        return v == null || v.isEmpty() ? null : v;
    }

    /** Extracts the jar's native files into the cache; returns their directory. */
    private static Path extract() throws IOException {
        Properties manifest = new Properties();
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE_DIR + "native.properties")) {
            if (in == null) {
                throw new IOException("this jar has no native library (" + RESOURCE_DIR + "native.properties is missing): "
                        + "build it with native/build.sh before packaging backend-cpu");
            }
            manifest.load(in);
        }
        String id = manifest.getProperty("id");
        String files = manifest.getProperty("files", "");
        if (id == null || !id.matches("[0-9a-f]{8,64}") || files.isEmpty()) throw new IOException("malformed native.properties in the jar");
        Path dir = cacheRoot().resolve("native-" + id);
        Files.createDirectories(dir);
        for (String name : files.split(",")) {
            String sha = manifest.getProperty(name + ".sha256");
            if (!name.matches("[A-Za-z0-9._-]+") || sha == null) throw new IOException("malformed native.properties entry: " + name);
            Path target = dir.resolve(name);
            // Files only ever appear here whole and verified (atomic rename), in a directory named by
            // the content hash: the right size means the right file, without rehashing 25 MB per start.
            long size = Long.parseLong(manifest.getProperty(name + ".size", "-1"));
            if (!Files.isRegularFile(target) || Files.size(target) != size) copyVerified(RESOURCE_DIR + name, target, sha);
        }
        return dir;
    }

    private static void copyVerified(String resource, Path target, String sha) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".tmp");
        try {
            MessageDigest digest = sha256Digest();
            try (InputStream in = NativeLibrary.class.getResourceAsStream(resource); OutputStream out = Files.newOutputStream(tmp)) {
                if (in == null) throw new IOException("missing resource " + resource);
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    digest.update(buf, 0, n);
                    out.write(buf, 0, n);
                }
            }
            String got = HexFormat.of().formatHex(digest.digest());
            if (!got.equals(sha)) throw new IOException("corrupt resource " + resource + ": sha256 " + got + ", expected " + sha);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Path cacheRoot() {
        String explicit = setting("pyj4.cache.dir", "PYJ4_CACHE_DIR");
        if (explicit != null) return Paths.get(explicit);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path preferred = xdg != null && !xdg.isEmpty() ? Paths.get(xdg, "pyj4") : Paths.get(System.getProperty("user.home", "."), ".cache", "pyj4");
        try {
            Files.createDirectories(preferred);
            if (Files.isWritable(preferred)) return preferred;
        } catch (IOException | SecurityException e) {
            // fall through to the temporary directory
        }
        return Paths.get(System.getProperty("java.io.tmpdir"), "pyj4-" + System.getProperty("user.name", "user"));
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
