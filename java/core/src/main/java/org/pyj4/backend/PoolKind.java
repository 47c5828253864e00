package org.pyj4.backend;

/**
 * The reductions of {@link Backend#pool} over each window's positions that lie inside the input
 * (padding never takes part, as TensorFlow's "same" pooling):
 * <ul>
 *   <li>{@code MAX}: the largest value; a NaN is larger than anything. The argmax output (optional)
 *   receives the first position holding it, in the window's row-major tap order.</li>
 *   <li>{@code AVG}: the sum of the values divided by how many there are.</li>
 * </ul>
 */
public enum PoolKind { MAX, AVG }
