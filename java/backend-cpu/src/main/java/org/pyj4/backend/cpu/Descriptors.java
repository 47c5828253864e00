package org.pyj4.backend.cpu;

import org.pyj4.backend.Tensor;
import org.pyj4.memory.Buffer;
import org.pyj4.memory.HostBuffer;

/**
 * Packs tensors for the JNI entry points: per tensor {@code [address, byteSize, dtype, rank, offset,
 * flags, shape..., strides...]}. Holds a reference on every buffer while the native call runs, so a
 * concurrent release cannot free memory under a kernel: use it in try-with-resources.
 *
 * <p>Every primitive call packs one, so each thread reuses its own (the arrays, one per length,
 * since the native side takes the exact length): a training step or a prediction then allocates
 * nothing here. A thread that packs a second set before closing the first gets fresh arrays.
 */
final class Descriptors implements AutoCloseable {
    static final int READ_ONLY = 1;
    private static final int HEADER = 6;
    private static final int MAX_REUSED_WORDS = 256;  // longer (many tensors of high rank): allocated
    private static final ThreadLocal<Descriptors> MINE = ThreadLocal.withInitial(Descriptors::new);

    long[] words;
    private final long[][] byLength;  // this thread's arrays, by length; null for a one-off
    private Buffer[] held = new Buffer[4];
    private int count;
    private boolean open;

    private Descriptors() { this.byLength = new long[MAX_REUSED_WORDS + 1][]; }

    private Descriptors(int words) {
        this.byLength = null;
        this.words = new long[words];
    }

    /** Packs the tensors (already checked by org.pyj4.backend.Checks) and retains their buffers. */
    static Descriptors of(Tensor... tensors) {
        int size = 0;
        for (Tensor t : tensors) size += HEADER + 2 * t.rank();
        Descriptors d = MINE.get();
        if (d.open || size > MAX_REUSED_WORDS) {
            d = new Descriptors(size);
        } else {
            long[] w = d.byLength[size];
            d.words = w != null ? w : (d.byLength[size] = new long[size]);
        }
        d.open = true;
        if (d.held.length < tensors.length) d.held = new Buffer[tensors.length];
        int at = 0;
        try {
            for (Tensor t : tensors) at = d.put(t, at);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    /**
     * Retains the tensors' buffers, packing nothing: for a call that passes them as scalars (the
     * dense entry points). Use it in try-with-resources, as {@link #of}.
     */
    static Descriptors hold(Tensor... tensors) {
        Descriptors d = MINE.get();
        if (d.open) d = new Descriptors(0);
        d.open = true;
        if (d.held.length < tensors.length) d.held = new Buffer[tensors.length];
        try {
            for (Tensor t : tensors) d.retain(t);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    static int flags(HostBuffer b) { return b.isWritable() ? 0 : READ_ONLY; }

    private HostBuffer retain(Tensor t) {
        HostBuffer buffer = (HostBuffer) t.buffer();
        buffer.retain();  // throws IllegalStateException if it was released meanwhile
        held[count++] = buffer;
        return buffer;
    }

    private int put(Tensor t, int at) {
        HostBuffer buffer = retain(t);
        words[at] = buffer.address();
        words[at + 1] = buffer.byteSize();
        words[at + 2] = t.dtype().ordinal();
        words[at + 3] = t.rank();
        words[at + 4] = t.offset();
        words[at + 5] = flags(buffer);
        int r = t.rank();
        System.arraycopy(t.shape(), 0, words, at + HEADER, r);
        System.arraycopy(t.strides(), 0, words, at + HEADER + r, r);
        return at + HEADER + 2 * r;
    }

    @Override public void close() {
        for (int i = 0; i < count; i++) {
            held[i].release();
            held[i] = null;
        }
        count = 0;
        open = false;
    }
}
