package org.pyj4.ndarray;

/** Shapes that do not fit an operation: broadcasting, reshape, matmul (Python: ValueError). */
public class ShapeException extends IllegalArgumentException {
    public ShapeException(String message) { super(message); }
}
