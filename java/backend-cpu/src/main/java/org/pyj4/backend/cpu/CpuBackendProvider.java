package org.pyj4.backend.cpu;

import org.pyj4.backend.Backend;
import org.pyj4.backend.BackendProvider;

/** Registers the native CPU backend as "cpu", rank 100: preferred over the reference backend when its library loads. */
public final class CpuBackendProvider implements BackendProvider {
    @Override public String name() { return "cpu"; }

    @Override public int rank() { return 100; }

    @Override public String unavailableReason() { return NativeLibrary.load(); }

    @Override public Backend create() {
        String why = NativeLibrary.load();
        if (why != null) throw new org.pyj4.backend.BackendException("backend 'cpu' is not available: " + why);
        return new CpuBackend();
    }
}
