package org.pyj4.backend;

/**
 * Reductions over a set of axes. SUM and PROD accumulate in the output's dtype (which may be wider
 * than the input's); MAX/MIN propagate NaN; ARGMAX/ARGMIN take exactly one axis, write int64 and
 * return the first index of the extreme (NaN counts as the extreme); ANY/ALL write bool.
 */
public enum ReduceOp { SUM, PROD, MAX, MIN, ARGMAX, ARGMIN, ANY, ALL }
