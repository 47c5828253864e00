package org.pyj4.ndarray;

/** An axis out of range for an array's rank (Python: numpy.exceptions.AxisError). */
public class AxisException extends IllegalArgumentException {
    public AxisException(String message) { super(message); }
}
