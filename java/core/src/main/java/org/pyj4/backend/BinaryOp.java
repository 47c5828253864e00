package org.pyj4.backend;

/**
 * Elementwise binary primitives on two inputs of one dtype (the NDArray layer promotes first).
 * Comparisons write bool; the others write the input dtype. The Java reference backend defines each
 * one's meaning, following NumPy: FLOORDIV and MOD take the sign of the divisor; integer division by
 * zero gives 0; DIV is true division on floats only; AND/OR/XOR are bitwise on integers and logical
 * on bools.
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, FLOORDIV, MOD, POW, MAXIMUM, MINIMUM,
    EQ, NE, LT, LE, GT, GE,
    AND, OR, XOR;

    public boolean isComparison() { return ordinal() >= EQ.ordinal() && ordinal() <= GE.ordinal(); }

    public boolean isBitwise() { return this == AND || this == OR || this == XOR; }
}
