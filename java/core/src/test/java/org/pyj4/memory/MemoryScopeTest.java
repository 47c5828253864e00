package org.pyj4.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** MemoryScope closes what was created in it, innermost scope first, unless detached. */
@SuppressWarnings("try")  // scopes opened only for their effect
class MemoryScopeTest {
    /** A resource that holds one buffer reference, like an NDArray, and records its closing. */
    static final class Holder implements AutoCloseable {
        final HostBuffer buffer;
        final String name;
        final List<String> log;
        boolean closed;

        Holder(String name, List<String> log, long bytes) {
            this.buffer = HostBuffer.allocate(bytes);
            this.name = name;
            this.log = log;
            MemoryScope.track(this);
        }

        @Override public void close() {
            if (closed) return;
            closed = true;
            buffer.release();
            log.add(name);
        }
    }

    @Test void closingAScopeReleasesEverythingInReverseOrder() throws InterruptedException {
        long before = BufferTest.settledAllocatedBytes();
        List<String> log = new ArrayList<>();
        try (MemoryScope scope = MemoryScope.open()) {
            new Holder("a", log, 100);
            new Holder("b", log, 200);
            assertEquals(before + 300, MemoryStats.allocatedBytes());
        }
        assertEquals(List.of("b", "a"), log);
        assertEquals(before, MemoryStats.allocatedBytes());
    }

    @Test void nestedScopesCloseOnlyTheirOwn() {
        List<String> log = new ArrayList<>();
        try (MemoryScope outer = MemoryScope.open()) {
            Holder a = new Holder("outer", log, 8);
            try (MemoryScope inner = MemoryScope.open()) {
                new Holder("inner", log, 8);
            }
            assertEquals(List.of("inner"), log);
            assertFalse(a.closed);
        }
        assertEquals(List.of("inner", "outer"), log);
    }

    @Test void detachedResourcesMoveToTheEnclosingScope() {
        List<String> log = new ArrayList<>();
        Holder kept;
        try (MemoryScope outer = MemoryScope.open()) {
            try (MemoryScope inner = MemoryScope.open()) {
                kept = inner.detach(new Holder("kept", log, 8));
                new Holder("temp", log, 8);
            }
            assertEquals(List.of("temp"), log);
            assertFalse(kept.closed);
        }
        assertTrue(kept.closed, "the enclosing scope owns it now");
    }

    @Test void detachedFromTheOutermostScopeSurvivesIt() {
        List<String> log = new ArrayList<>();
        Holder kept;
        try (MemoryScope scope = MemoryScope.open()) {
            kept = scope.detach(new Holder("kept", log, 8));
        }
        assertFalse(kept.closed);
        kept.close();
    }

    @Test void untrackedResourcesOutliveTheirScope() {
        List<String> log = new ArrayList<>();
        Holder h;
        try (MemoryScope scope = MemoryScope.open()) {
            h = new Holder("h", log, 8);
            MemoryScope.untrack(h);
        }
        assertFalse(h.closed);
        h.close();
    }

    @Test void withoutAScopeNothingIsTracked() {
        Holder h = new Holder("free", new ArrayList<>(), 8);
        try (MemoryScope scope = MemoryScope.open()) {
            // h was created before: the scope does not own it
        }
        assertFalse(h.closed);
        h.close();
    }

    @Test void closeIsIdempotent() {
        List<String> log = new ArrayList<>();
        MemoryScope scope = MemoryScope.open();
        new Holder("x", log, 8);
        scope.close();
        scope.close();
        assertEquals(List.of("x"), log);
    }

    @Test void closingOnAnotherThreadFails() throws InterruptedException {
        MemoryScope scope = MemoryScope.open();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                scope.close();
            } catch (Throwable e) {
                error.set(e);
            }
        });
        t.start();
        t.join();
        assertTrue(error.get() instanceof IllegalStateException, String.valueOf(error.get()));
        scope.close();
    }

    @Test void aFailingCloseStillClosesTheRestAndReports() {
        List<String> log = new ArrayList<>();
        MemoryScope scope = MemoryScope.open();
        new Holder("first", log, 8);
        RuntimeException boom = new RuntimeException("boom");
        MemoryScope.track(() -> { throw boom; });
        new Holder("last", log, 8);
        IllegalStateException e = assertThrows(IllegalStateException.class, scope::close);
        assertSame(boom, e.getCause());
        assertEquals(List.of("last", "first"), log);
    }
}
