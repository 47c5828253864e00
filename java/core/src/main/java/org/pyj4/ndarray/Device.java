package org.pyj4.ndarray;

/** Where a buffer lives: "cpu" (host memory) or an accelerator such as "cuda:0". */
public record Device(String type, int index) {
    public static final Device CPU = new Device("cpu", 0);

    public boolean isHost() { return type.equals("cpu"); }

    @Override public String toString() { return isHost() ? type : type + ":" + index; }
}
