package org.pyj4.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import org.pyj4.ndarray.Device;

/**
 * A block of memory on one device, reference counted: every NDArray (or view, or outside holder such
 * as a NumPy array) that uses it holds one reference, and the memory is freed when the last one is
 * released. The cleaner frees what escapes that discipline; it is the safety net, not the plan.
 * The buffer is an opaque handle: only the backend of its device knows how to reach its bytes.
 */
public abstract class Buffer {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Device device;
    private final long byteSize;
    private volatile int refs = 1;  // updated through REFS: no AtomicInteger object per buffer
    private static final VarHandle REFS;

    static {
        try {
            REFS = MethodHandles.lookup().findVarHandle(Buffer.class, "refs", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private final Cleaner.Cleanable cleanable;

    /**
     * @param free releases the memory; it must not refer to this Buffer (the cleaner runs it after
     *             the Buffer is unreachable). It runs exactly once.
     * @param accounted whether pyj4 allocated these bytes (counted in {@link MemoryStats})
     */
    protected Buffer(Device device, long byteSize, Runnable free, boolean accounted) {
        this.device = device;
        this.byteSize = byteSize;
        if (accounted) MemoryStats.add(byteSize);
        this.cleanable = CLEANER.register(this, new Release(free, accounted ? byteSize : 0));
    }

    public final Device device() { return device; }
    public final long byteSize() { return byteSize; }
    public final boolean isReleased() { return refs <= 0; }

    /** Adds a reference; fails if the buffer was already freed. */
    public final Buffer retain() {
        while (true) {
            int n = refs;
            if (n <= 0) throw new IllegalStateException("buffer was already released: it cannot be used again");
            if (REFS.compareAndSet(this, n, n + 1)) return this;
        }
    }

    /** Drops a reference; the memory is freed when the last one goes. */
    public final void release() {
        int n = (int) REFS.getAndAdd(this, -1) - 1;
        if (n == 0) cleanable.clean();
        else if (n < 0) throw new IllegalStateException("buffer released more often than retained");
    }

    private static final class Release implements Runnable {
        private final Runnable free;
        private final long accountedBytes;

        Release(Runnable free, long accountedBytes) {
            this.free = free;
            this.accountedBytes = accountedBytes;
        }

        @Override public void run() {
            try {
                free.run();
            } finally {
                if (accountedBytes != 0) MemoryStats.subtract(accountedBytes);
            }
        }
    }
}
