package org.pyj4.backend;

/**
 * Elementwise unary primitives. The Java reference backend defines each one's meaning.
 * FLOAT_ONLY ops take float inputs (the NDArray layer casts integers first, as NumPy does);
 * BOOL_RESULT ops write a bool output; the others keep the input dtype.
 */
public enum UnaryOp {
    NEG(Domain.ANY), ABS(Domain.ANY), SIGN(Domain.ANY), SQUARE(Domain.ANY),
    RELU(Domain.ANY), FLOOR(Domain.ANY), CEIL(Domain.ANY), ROUND(Domain.ANY),
    INVERT(Domain.INTEGRAL),           // ~x: bitwise not of integers, logical not of bools
    EXP(Domain.FLOAT_ONLY), EXPM1(Domain.FLOAT_ONLY), LOG(Domain.FLOAT_ONLY), LOG1P(Domain.FLOAT_ONLY),
    SQRT(Domain.FLOAT_ONLY), RECIPROCAL(Domain.FLOAT_ONLY),
    SIN(Domain.FLOAT_ONLY), COS(Domain.FLOAT_ONLY), TAN(Domain.FLOAT_ONLY),
    TANH(Domain.FLOAT_ONLY), SIGMOID(Domain.FLOAT_ONLY), ERF(Domain.FLOAT_ONLY),
    ISNAN(Domain.BOOL_RESULT), ISINF(Domain.BOOL_RESULT), ISFINITE(Domain.BOOL_RESULT);

    public enum Domain { ANY, INTEGRAL, FLOAT_ONLY, BOOL_RESULT }

    private final Domain domain;

    UnaryOp(Domain domain) { this.domain = domain; }

    public Domain domain() { return domain; }
}
