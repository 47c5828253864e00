package org.pyj4.ndarray;

/** An unsupported dtype, or a dtype an operation does not accept (Python: TypeError). */
public class DTypeException extends IllegalArgumentException {
    public DTypeException(String message) { super(message); }
}
