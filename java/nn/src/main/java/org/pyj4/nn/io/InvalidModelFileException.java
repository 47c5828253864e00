package org.pyj4.nn.io;

/**
 * A model file that cannot be loaded: not a zip archive, truncated, corrupt, oversized, unsafe
 * (path-traversing entry names), or inconsistent with its own architecture. The message names the
 * file and the problem. An IllegalArgumentException, so Python sees a ValueError.
 */
public final class InvalidModelFileException extends IllegalArgumentException {
    public InvalidModelFileException(String message) { super(message); }

    public InvalidModelFileException(String message, Throwable cause) { super(message, cause); }
}
