package org.pyj4.backend.reference;

import org.pyj4.backend.Backend;
import org.pyj4.backend.BackendProvider;

/** Registers the reference backend as "java": lowest rank, always available (it needs nothing but the JDK). */
public final class JavaBackendProvider implements BackendProvider {
    @Override public String name() { return "java"; }

    @Override public int rank() { return 0; }

    @Override public String unavailableReason() { return null; }

    @Override public Backend create() { return new JavaBackend(); }
}
