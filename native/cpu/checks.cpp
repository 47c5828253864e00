#include "checks.h"

namespace pj::cpu {

namespace {
const char* const kUnary[PJ_UNARY_OP_COUNT] = {"NEG", "ABS", "SIGN", "SQUARE", "RELU", "FLOOR", "CEIL", "ROUND",
                                               "INVERT", "EXP", "EXPM1", "LOG", "LOG1P", "SQRT", "RECIPROCAL",
                                               "SIN", "COS", "TAN", "TANH", "SIGMOID", "ERF", "ISNAN", "ISINF",
                                               "ISFINITE"};
const char* const kBinary[PJ_BINARY_OP_COUNT] = {"ADD", "SUB", "MUL", "DIV", "FLOORDIV", "MOD", "POW",
                                                 "MAXIMUM", "MINIMUM", "EQ", "NE", "LT", "LE", "GT", "GE",
                                                 "AND", "OR", "XOR", "ADD_RELU", "RELU_GRAD"};
const char* const kReduce[PJ_REDUCE_OP_COUNT] = {"SUM", "PROD", "MAX", "MIN", "ARGMAX", "ARGMIN", "ANY", "ALL"};
}  // namespace

const char* unary_name(int op) { return op >= 0 && op < PJ_UNARY_OP_COUNT ? kUnary[op] : "?"; }
const char* binary_name(int op) { return op >= 0 && op < PJ_BINARY_OP_COUNT ? kBinary[op] : "?"; }
const char* reduce_name(int op) { return op >= 0 && op < PJ_REDUCE_OP_COUNT ? kReduce[op] : "?"; }

std::string received(std::initializer_list<Operand> operands) {
    std::string s;
    for (const Operand& o : operands) {
        if (!s.empty()) s += ", ";
        s += std::string(o.name) + "=" + (o.t ? describe(*o.t) : std::string("null"));
    }
    return s;
}

void check_operands(const std::string& op, std::initializer_list<Operand> operands, bool one_shape) {
    for (const Operand& o : operands) check_tensor(op.c_str(), o.name, o.t, o.written);
    if (!one_shape) return;
    const pj_tensor* first = operands.begin()->t;
    for (const Operand& o : operands) {
        if (!same_shape(*first, *o.t)) {
            std::string names;
            for (const Operand& n : operands) names += (names.empty() ? "" : ", ") + std::string(n.name);
            fail(PJ_ERR_SHAPE, op + ": expected " + names + " of one shape (inputs already broadcast). Received: " +
                                   received(operands));
        }
    }
}

void fail_dtype(const std::string& op, const std::string& expected, std::initializer_list<Operand> operands) {
    fail(PJ_ERR_DTYPE, op + ": expected " + expected + ". Received: " + received(operands));
}

void fail_shape(const std::string& op, const std::string& expected, std::initializer_list<Operand> operands) {
    fail(PJ_ERR_SHAPE, op + ": expected " + expected + ". Received: " + received(operands));
}

}  // namespace pj::cpu
