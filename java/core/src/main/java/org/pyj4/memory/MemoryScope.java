package org.pyj4.memory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deterministic release: every NDArray created on this thread while a scope is open belongs to the
 * innermost scope and is closed with it, unless it was detached or closed before.
 * <pre>
 * try (MemoryScope scope = MemoryScope.open()) { ... }   // all temporaries freed here
 * </pre>
 */
public final class MemoryScope implements AutoCloseable {
    private static final ThreadLocal<Deque<MemoryScope>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);
    // Scopes open on all threads: while there are none (a Python session, say), track and untrack,
    // which run for every array, skip the thread-local lookup. A scope only ever owns arrays of its
    // own thread, so another thread's scope opening meanwhile changes nothing for this thread's.
    private static final AtomicInteger OPEN_COUNT = new AtomicInteger();

    private final List<AutoCloseable> owned = new ArrayList<>();
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private MemoryScope() {}

    public static MemoryScope open() {
        MemoryScope s = new MemoryScope();
        OPEN.get().push(s);
        OPEN_COUNT.incrementAndGet();
        return s;
    }

    /** Registers a resource with the innermost open scope of this thread, if any. */
    public static void track(AutoCloseable resource) {
        if (OPEN_COUNT.get() == 0) return;
        MemoryScope s = OPEN.get().peek();
        if (s != null) s.owned.add(resource);
    }

    /** Removes a resource from this thread's scopes so that it outlives them. */
    public static void untrack(AutoCloseable resource) {
        if (OPEN_COUNT.get() == 0) return;
        for (MemoryScope s : OPEN.get()) {
            // From the end: what is closed early (views, temporaries) was usually tracked last, so
            // this stays O(1) in a scope that owns thousands of arrays (a training step).
            int i = s.owned.lastIndexOf(resource);
            if (i >= 0) {
                s.owned.remove(i);
                return;
            }
        }
    }

    /** Moves a resource out of this scope to the enclosing one (or to none): it survives this close. */
    public <T extends AutoCloseable> T detach(T resource) {
        if (owned.remove(resource)) {
            MemoryScope outer = enclosing();
            if (outer != null) outer.owned.add(resource);
        }
        return resource;
    }

    private MemoryScope enclosing() {
        boolean seen = false;
        for (MemoryScope s : OPEN.get()) {
            if (seen) return s;
            if (s == this) seen = true;
        }
        return null;
    }

    @Override public void close() {
        if (closed) return;
        if (Thread.currentThread() != thread) throw new IllegalStateException("a MemoryScope must be closed on the thread that opened it");
        closed = true;
        OPEN.get().remove(this);
        OPEN_COUNT.decrementAndGet();
        RuntimeException first = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                if (first == null) first = new IllegalStateException("closing a scoped resource failed", e);
            }
        }
        owned.clear();
        if (first != null) throw first;
    }
}
