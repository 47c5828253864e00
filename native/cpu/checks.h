// Validation shared by the op drivers: every entry point checks its descriptors, shapes and
// dtypes here before any memory is touched, and fails with a message naming the op, the operands'
// shapes and dtypes, and what was expected ("expected X. Received: ...").
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "../common/error.h"
#include "../common/tensor.h"

namespace pj::cpu {

const char* unary_name(int op);
const char* binary_name(int op);
const char* reduce_name(int op);

/** A named operand of an op. */
struct Operand {
    const char* name;
    const pj_tensor* t;
    bool written = false;
};

/** Checks each descriptor (see check_tensor), then that all have one shape (same rank and dims). */
void check_operands(const std::string& op, std::initializer_list<Operand> operands, bool same_shape);

/** "a=float32[2, 3], b=int64[3]" */
std::string received(std::initializer_list<Operand> operands);

[[noreturn]] void fail_dtype(const std::string& op, const std::string& expected, std::initializer_list<Operand> operands);
[[noreturn]] void fail_shape(const std::string& op, const std::string& expected, std::initializer_list<Operand> operands);

}  // namespace pj::cpu
