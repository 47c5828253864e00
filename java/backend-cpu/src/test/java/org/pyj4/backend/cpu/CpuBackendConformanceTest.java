package org.pyj4.backend.cpu;

import org.pyj4.backend.Backend;
import org.pyj4.backend.Backends;
import org.pyj4.testing.BackendConformanceTest;

/** Every primitive of the native CPU backend against the Java reference, per op and dtype (java/testing). */
class CpuBackendConformanceTest extends BackendConformanceTest {
    @Override protected Backend backend() { return Backends.get("cpu"); }
}
