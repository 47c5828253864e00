package org.pyj4.arrow;

import java.util.ServiceLoader;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The Arrow allocator pyj4 uses when it imports Arrow data (from pyarrow through the C Data
 * Interface) or lends NDArray memory to Arrow vectors. One long-lived root: imported buffers may
 * outlive any call that made them (an NDArray keeps them), and Arrow refuses to close an allocator
 * that still has buffers out. {@link #allocatedBytes()} is its accounting, which tests check
 * returns to zero once every array and vector is closed.
 */
public final class ArrowMemory {
    private static volatile BufferAllocator root;

    private ArrowMemory() {}

    /** The shared root allocator (created on first use). */
    public static BufferAllocator root() {
        BufferAllocator r = root;
        if (r == null) {
            synchronized (ArrowMemory.class) {
                if (root == null) {
                    quietLogging();
                    root = new RootAllocator();
                }
                r = root;
            }
        }
        return r;
    }

    /** Bytes Arrow Java holds for pyj4 now: imported (foreign) buffers, lent NDArray memory, validity bitmaps. */
    public static long allocatedBytes() {
        BufferAllocator r = root;
        return r == null ? 0 : r.getAllocatedMemory();
    }

    /**
     * Arrow logs through SLF4J; with no SLF4J provider on the class path (the Python package ships
     * none) SLF4J prints a three-line warning on first use. Choosing its own no-op provider
     * explicitly is what SLF4J would do anyway, minus the warning. An application that brings a
     * provider, or sets {@code slf4j.provider}, is left alone.
     */
    private static void quietLogging() {
        if (System.getProperty("slf4j.provider") != null) return;
        try {
            Class<?> spi = Class.forName("org.slf4j.spi.SLF4JServiceProvider");
            if (ServiceLoader.load(spi).iterator().hasNext()) return;
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            if (System.getProperty("slf4j.internal.verbosity") == null) {
                System.setProperty("slf4j.internal.verbosity", "WARN"); // no "Attempting to load provider" note
            }
        } catch (ClassNotFoundException | LinkageError e) {
            // Not SLF4J 2: nothing to quieten.
        }
    }
}
