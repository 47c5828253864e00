package org.pyj4.memory;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/**
 * Raw host memory through sun.misc.Unsafe (module jdk.unsupported, open on Java 17 without flags):
 * malloc/free that the GC does not own, typed reads and writes at an address, and the address of a
 * direct ByteBuffer (how NumPy memory arrives from JPype). Callers check bounds; this class does not.
 */
public final class NativeMemory {
    private static final sun.misc.Unsafe U;
    private static final long BUFFER_ADDRESS;

    static {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            U = (sun.misc.Unsafe) f.get(null);
            BUFFER_ADDRESS = U.objectFieldOffset(java.nio.Buffer.class.getDeclaredField("address"));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private NativeMemory() {}

    public static long allocate(long bytes) {
        try {
            return U.allocateMemory(Math.max(bytes, 1));
        } catch (OutOfMemoryError e) {
            throw new OutOfMemoryError("could not allocate " + bytes + " bytes of native memory");
        }
    }

    public static void free(long address) { U.freeMemory(address); }
    public static void zero(long address, long bytes) { U.setMemory(address, bytes, (byte) 0); }
    public static void copy(long from, long to, long bytes) { U.copyMemory(from, to, bytes); }

    /** Address of a direct buffer's first byte (its position is ignored). */
    public static long addressOf(ByteBuffer direct) {
        if (!direct.isDirect()) throw new IllegalArgumentException("expected a direct ByteBuffer. Received: a heap buffer");
        return U.getLong(direct, BUFFER_ADDRESS);
    }

    public static byte getByte(long a) { return U.getByte(a); }
    public static short getShort(long a) { return U.getShort(a); }
    public static int getInt(long a) { return U.getInt(a); }
    public static long getLong(long a) { return U.getLong(a); }
    public static float getFloat(long a) { return U.getFloat(a); }
    public static double getDouble(long a) { return U.getDouble(a); }
    public static void putByte(long a, byte v) { U.putByte(a, v); }
    public static void putShort(long a, short v) { U.putShort(a, v); }
    public static void putInt(long a, int v) { U.putInt(a, v); }
    public static void putLong(long a, long v) { U.putLong(a, v); }
    public static void putFloat(long a, float v) { U.putFloat(a, v); }
    public static void putDouble(long a, double v) { U.putDouble(a, v); }

    /** Copies between host memory and a Java array (heap or direct buffer via its address). */
    public static void copyToArray(long from, Object array, long arrayBaseOffsetBytes, long bytes) {
        U.copyMemory(null, from, array, U.arrayBaseOffset(array.getClass()) + arrayBaseOffsetBytes, bytes);
    }

    public static void copyFromArray(Object array, long arrayOffsetBytes, long to, long bytes) {
        U.copyMemory(array, U.arrayBaseOffset(array.getClass()) + arrayOffsetBytes, null, to, bytes);
    }
}
