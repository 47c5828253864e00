package org.pyj4.memory;

import java.util.concurrent.atomic.AtomicLong;

/** Live and peak bytes of native memory that pyj4 allocated (memory it only borrows is not counted). */
public final class MemoryStats {
    private static final AtomicLong allocated = new AtomicLong();
    private static final AtomicLong peak = new AtomicLong();

    private MemoryStats() {}

    public static long allocatedBytes() { return allocated.get(); }
    public static long peakBytes() { return peak.get(); }

    /** Sets the peak to what is live now, so a test or benchmark can measure its own peak. */
    public static void resetPeak() { peak.set(allocated.get()); }

    static void add(long bytes) {
        long now = allocated.addAndGet(bytes);
        if (now > peak.get()) peak.accumulateAndGet(now, Math::max);  // a read, not a CAS, when no new peak
    }

    static void subtract(long bytes) { allocated.addAndGet(-bytes); }
}
