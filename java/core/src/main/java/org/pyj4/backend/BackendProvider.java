package org.pyj4.backend;

/**
 * Found with {@link java.util.ServiceLoader} (META-INF/services/org.pyj4.backend.BackendProvider).
 * The available provider of highest rank becomes the default, unless PYJ4_BACKEND or -Dpyj4.backend
 * names another.
 */
public interface BackendProvider {
    String name();

    /** Higher is preferred: java = 0, cpu = 100, cuda = 200. */
    int rank();

    /** Why this backend cannot run here, or null when it can (for example: native library not loadable). */
    String unavailableReason();

    /** Creates the backend; called once, only when {@link #unavailableReason()} is null. */
    Backend create();
}
