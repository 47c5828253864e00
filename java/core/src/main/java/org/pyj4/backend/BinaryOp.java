package org.pyj4.backend;

/**
 * Elementwise binary primitives on two inputs of one dtype (the NDArray layer promotes first).
 * Comparisons write bool; the others write the input dtype. The Java reference backend defines each
 * one's meaning, following NumPy: FLOORDIV and MOD take the sign of the divisor; integer division by
 * zero gives 0; DIV is true division on floats only; AND/OR/XOR are bitwise on integers and logical
 * on bools. ADD_RELU and RELU_GRAD are fused steps of neural-network layers, on floats only:
 * ADD_RELU is relu(a + b) (a dense layer's bias and activation in one pass), RELU_GRAD is a where
 * b > 0, 0 where b <= 0 and NaN where b is NaN (relu's backward: a the output gradient, b relu's
 * output).
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, FLOORDIV, MOD, POW, MAXIMUM, MINIMUM,
    EQ, NE, LT, LE, GT, GE,
    AND, OR, XOR,
    ADD_RELU, RELU_GRAD;

    public boolean isComparison() { return ordinal() >= EQ.ordinal() && ordinal() <= GE.ordinal(); }

    public boolean isBitwise() { return this == AND || this == OR || this == XOR; }

    /** Defined on float dtypes only. */
    public boolean isFloatOnly() { return this == DIV || this == ADD_RELU || this == RELU_GRAD; }
}
