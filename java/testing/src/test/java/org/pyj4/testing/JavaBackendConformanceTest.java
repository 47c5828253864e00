package org.pyj4.testing;

import org.pyj4.backend.Backend;
import org.pyj4.backend.reference.JavaBackend;

/**
 * The suite on the reference against itself: checks the harness (and that the reference is
 * deterministic, rejects what it must, and writes only inside its outputs' views).
 */
class JavaBackendConformanceTest extends BackendConformanceTest {
    @Override protected Backend backend() { return new JavaBackend(); }
}
