package org.pyj4.memory;

import org.pyj4.ndarray.Device;

/**
 * Host memory at a fixed address: either allocated by pyj4 (accounted, freed on last release) or
 * borrowed from an outside owner (a NumPy array, an Arrow buffer) that is kept reachable until the
 * last release, then told to let go.
 */
public final class HostBuffer extends Buffer {
    private final long address;
    private final boolean writable;
    private volatile Object owner; // keeps borrowed memory's owner alive; cleared on release

    private HostBuffer(long address, long byteSize, Runnable free, boolean accounted, boolean writable, Object owner) {
        super(Device.CPU, byteSize, free, accounted);
        this.address = address;
        this.writable = writable;
        this.owner = owner;
    }

    /** Allocates zeroed host memory. */
    public static HostBuffer allocate(long byteSize) {
        if (byteSize < 0) throw new IllegalArgumentException("buffer size must be >= 0. Received: " + byteSize);
        long address = NativeMemory.allocate(byteSize);
        NativeMemory.zero(address, Math.max(byteSize, 1));
        return new HostBuffer(address, byteSize, () -> NativeMemory.free(address), true, true, null);
    }

    /**
     * Takes ownership of host memory that a backend allocated itself (aligned, say): counted in
     * {@link MemoryStats} like {@link #allocate}, writable, and freed by {@code free} (which must not
     * refer to the buffer) when the last reference is dropped.
     */
    public static HostBuffer adopt(long address, long byteSize, Runnable free) {
        if (byteSize < 0) throw new IllegalArgumentException("buffer size must be >= 0. Received: " + byteSize);
        if (address == 0) throw new IllegalArgumentException("cannot adopt a null address of " + byteSize + " bytes");
        if (free == null) throw new IllegalArgumentException("adopt: expected a free action. Received: null");
        return new HostBuffer(address, byteSize, free, true, true, null);
    }

    /**
     * Borrows memory owned elsewhere. {@code owner} stays reachable while the buffer lives;
     * {@code onRelease} (may be null) runs once when the last reference is dropped.
     */
    public static HostBuffer wrap(long address, long byteSize, boolean writable, Object owner, Runnable onRelease) {
        if (address == 0 && byteSize > 0) throw new IllegalArgumentException("cannot wrap a null address of " + byteSize + " bytes");
        Runnable free = onRelease == null ? () -> {} : onRelease;
        return new HostBuffer(address, byteSize, free, false, writable, owner);
    }

    public long address() {
        if (isReleased()) throw new IllegalStateException("host buffer was already released");
        return address;
    }

    public boolean isWritable() { return writable; }

    public Object owner() { return owner; }
}
