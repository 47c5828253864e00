package org.pyj4.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.pyj4.ndarray.Device;

/** Reference counting, accounting and the cleaner safety net of Buffer and HostBuffer. */
class BufferTest {
    /**
     * Waits until no cleaner is freeing memory leaked by earlier tests, so that exact accounting
     * assertions measure only this test.
     */
    static long settledAllocatedBytes() throws InterruptedException {
        long last = -1;
        for (int i = 0; i < 50; i++) {
            System.gc();
            Thread.sleep(10);
            long now = MemoryStats.allocatedBytes();
            if (now == last) return now;
            last = now;
        }
        return last;
    }

    @Test void allocationIsAccountedAndReturnsToBaseline() throws InterruptedException {
        long before = settledAllocatedBytes();
        HostBuffer a = HostBuffer.allocate(1000);
        HostBuffer b = HostBuffer.allocate(24);
        assertEquals(before + 1024, MemoryStats.allocatedBytes());
        assertTrue(MemoryStats.peakBytes() >= before + 1024);
        a.release();
        assertEquals(before + 24, MemoryStats.allocatedBytes());
        b.release();
        assertEquals(before, MemoryStats.allocatedBytes());
    }

    @Test void peakCanBeReset() throws InterruptedException {
        long before = settledAllocatedBytes();
        HostBuffer a = HostBuffer.allocate(4096);
        a.release();
        assertTrue(MemoryStats.peakBytes() >= before + 4096);
        MemoryStats.resetPeak();
        assertEquals(MemoryStats.allocatedBytes(), MemoryStats.peakBytes());
    }

    @Test void allocatedMemoryIsZeroed() {
        HostBuffer b = HostBuffer.allocate(64);
        try {
            for (int i = 0; i < 64; i++) assertEquals(0, NativeMemory.getByte(b.address() + i));
            assertEquals(Device.CPU, b.device());
            assertEquals(64, b.byteSize());
            assertTrue(b.isWritable());
        } finally {
            b.release();
        }
        HostBuffer empty = HostBuffer.allocate(0);
        assertEquals(0, empty.byteSize());
        empty.release();
    }

    @Test void lastReleaseFrees() throws InterruptedException {
        long before = settledAllocatedBytes();
        HostBuffer b = HostBuffer.allocate(100);
        assertSame(b, b.retain());
        b.release();
        assertFalse(b.isReleased());
        assertEquals(before + 100, MemoryStats.allocatedBytes());
        b.release();
        assertTrue(b.isReleased());
        assertEquals(before, MemoryStats.allocatedBytes());
    }

    @Test void doubleReleaseThrows() {
        HostBuffer b = HostBuffer.allocate(8);
        b.release();
        assertThrows(IllegalStateException.class, b::release);
    }

    @Test void retainAfterReleaseThrows() {
        HostBuffer b = HostBuffer.allocate(8);
        b.release();
        assertThrows(IllegalStateException.class, b::retain);
        assertThrows(IllegalStateException.class, b::address);
    }

    @Test void rejectsBadSizes() {
        assertThrows(IllegalArgumentException.class, () -> HostBuffer.allocate(-1));
        assertThrows(IllegalArgumentException.class, () -> HostBuffer.wrap(0, 8, true, null, null));
    }

    @Test void wrappedMemoryIsBorrowedNotCounted() throws InterruptedException {
        long before = settledAllocatedBytes();
        long address = NativeMemory.allocate(32);
        Object owner = new Object();
        AtomicInteger released = new AtomicInteger();
        try {
            HostBuffer w = HostBuffer.wrap(address, 32, false, owner, released::incrementAndGet);
            assertEquals(before, MemoryStats.allocatedBytes());
            assertEquals(address, w.address());
            assertSame(owner, w.owner());
            assertFalse(w.isWritable());
            w.retain();
            w.release();
            assertEquals(0, released.get());
            w.release();
            assertEquals(1, released.get(), "onRelease runs once, at the last release");
            assertThrows(IllegalStateException.class, w::release);
            assertEquals(1, released.get());
            assertEquals(before, MemoryStats.allocatedBytes());
        } finally {
            NativeMemory.free(address);
        }
    }

    @Test void retainAndReleaseAreThreadSafe() throws InterruptedException {
        long before = settledAllocatedBytes();
        HostBuffer b = HostBuffer.allocate(128);
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    b.retain();
                    b.release();
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) t.join();
        assertFalse(b.isReleased());
        b.release();
        assertTrue(b.isReleased());
        assertEquals(before, MemoryStats.allocatedBytes());
    }

    /** The safety net: a buffer nobody releases is freed (and un-counted) once it is unreachable. */
    @Test void cleanerFreesUnreachableBuffers() throws InterruptedException {
        long before = settledAllocatedBytes();
        allocateAndDrop();
        long deadline = System.currentTimeMillis() + 10_000;
        while (MemoryStats.allocatedBytes() != before && System.currentTimeMillis() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(before, MemoryStats.allocatedBytes());
    }

    private static void allocateAndDrop() { HostBuffer.allocate(1 << 20); }
}
