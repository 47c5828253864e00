package org.pyj4.backend;

/** A backend is missing, failed to load, or failed inside a kernel (Python: pj.BackendError). */
public class BackendException extends RuntimeException {
    public BackendException(String message) { super(message); }
    public BackendException(String message, Throwable cause) { super(message, cause); }
}
