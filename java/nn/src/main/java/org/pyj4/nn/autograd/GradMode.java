package org.pyj4.nn.autograd;

/**
 * Whether ops on this thread record nodes for backpropagation (on by default). Inference turns it
 * off, so that predict builds no graph and never touches training state:
 * <pre>
 * try (GradMode.Off off = GradMode.off()) { ... }
 * </pre>
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    public static boolean isEnabled() { return ENABLED.get()[0]; }

    /** Turns recording off until the returned handle is closed (then restores the previous state). */
    public static Off off() {
        boolean[] flag = ENABLED.get();
        Off handle = new Off(flag, flag[0]);
        flag[0] = false;
        return handle;
    }

    /** Restores the recording state it replaced. */
    public static final class Off implements AutoCloseable {
        private final boolean[] flag;
        private final boolean previous;

        private Off(boolean[] flag, boolean previous) {
            this.flag = flag;
            this.previous = previous;
        }

        @Override public void close() { flag[0] = previous; }
    }
}
