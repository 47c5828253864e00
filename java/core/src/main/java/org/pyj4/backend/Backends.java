package org.pyj4.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.pyj4.ndarray.Device;

/**
 * The registry of backends: providers found with ServiceLoader, ordered by rank, created lazily.
 * The default is the best available one, or the one named by -Dpyj4.backend / PYJ4_BACKEND.
 */
public final class Backends {
    private static final Map<String, BackendProvider> PROVIDERS = new LinkedHashMap<>();
    private static final Map<String, Backend> CREATED = new LinkedHashMap<>();
    private static volatile Backend defaultBackend;

    static {
        List<BackendProvider> found = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).forEach(found::add);
        found.sort(Comparator.comparingInt(BackendProvider::rank).reversed());
        for (BackendProvider p : found) PROVIDERS.putIfAbsent(p.name(), p);
    }

    private Backends() {}

    /** Names of the backends that can run in this process, best first. */
    public static synchronized List<String> available() {
        List<String> names = new ArrayList<>();
        for (BackendProvider p : PROVIDERS.values()) if (p.unavailableReason() == null) names.add(p.name());
        return names;
    }

    /** Names of every backend found on the class path, whether or not it can run here. */
    public static synchronized List<String> registered() { return new ArrayList<>(PROVIDERS.keySet()); }

    /** The backend named {@code name}; throws a BackendException that says what is missing. */
    public static synchronized Backend get(String name) {
        Backend b = CREATED.get(name);
        if (b != null) return b;
        BackendProvider p = PROVIDERS.get(name);
        if (p == null) {
            throw new BackendException("unknown backend '" + name + "': expected one of " + PROVIDERS.keySet()
                    + " (a backend joins by putting its jar on the class path)");
        }
        String why = p.unavailableReason();
        if (why != null) throw new BackendException("backend '" + name + "' is not available: " + why);
        b = p.create();
        CREATED.put(name, b);
        return b;
    }

    /** The default backend for new arrays and for ops on host arrays. */
    public static Backend getDefault() {
        Backend b = defaultBackend;
        if (b == null) {
            synchronized (Backends.class) {
                if (defaultBackend == null) defaultBackend = get(initialName());
                b = defaultBackend;
            }
        }
        return b;
    }

    public static synchronized void setDefault(String name) { defaultBackend = get(name); }

    /** The backend that runs ops on arrays of {@code device}: the default if it serves it, else the best that does. */
    public static Backend forDevice(Device device) {
        Backend d = getDefault();
        if (d.device().equals(device)) return d;
        synchronized (Backends.class) {
            for (String name : available()) {
                Backend b = get(name);
                if (b.device().equals(device)) return b;
            }
        }
        throw new BackendException("no backend serves device " + device + ": available backends are " + available());
    }

    private static String initialName() {
        String name = System.getProperty("pyj4.backend");
        if (name == null || name.isEmpty()) name = System.getenv("PYJ4_BACKEND");
        if (name != null && !name.isEmpty()) return name.trim();
        List<String> names = available();
        if (names.isEmpty()) throw new BackendException("no backend can run here: found " + PROVIDERS.keySet());
        return names.get(0);
    }
}
