// copy (with dtype conversion), unary, binary and where: validate, then walk the operands with
// the N-d iterator and the kernel table's inner loops.
#include "checks.h"
#include "kernels.h"
#include "nd_iter.h"
#include "pyj4_cpu.h"

using namespace pj;
using namespace pj::cpu;

namespace {

/** Math-heavy loops pay for threads sooner than memory-bound ones. */
constexpr int64_t kParallelMath = 8192;

void run(std::initializer_list<const pj_tensor*> tensors, Loop loop, int64_t min_parallel) {
    const pj_tensor* ts[kMaxOperands];
    int n = 0;
    for (const pj_tensor* t : tensors) ts[n++] = t;
    run_loop(plan_nd(ts, n, false), loop, min_parallel);
}

bool unary_float_only(int op) { return op >= PJ_EXP && op <= PJ_ERF; }

}  // namespace

extern "C" int pj_cpu_copy(const pj_tensor* src, const pj_tensor* dst) {
    return guarded("copy", [&] {
        check_operands("copy", {{"src", src, false}, {"dst", dst, true}}, true);
        run({src, dst}, kernels().cast[src->dtype][dst->dtype], kParallelElements);
    });
}

extern "C" int pj_cpu_unary(int32_t op, const pj_tensor* x, const pj_tensor* out) {
    return guarded("unary", [&] {
        if (op < 0 || op >= PJ_UNARY_OP_COUNT)
            fail(PJ_ERR_ARGUMENT, "unary: expected an op code in [0, " + std::to_string(PJ_UNARY_OP_COUNT) +
                                      "). Received: op=" + std::to_string(op));
        const std::string name = std::string("unary ") + unary_name(op);
        check_operands(name, {{"x", x, false}, {"out", out, true}}, true);
        const bool bool_result = op >= PJ_ISNAN;
        if (bool_result ? out->dtype != PJ_BOOL : out->dtype != x->dtype)
            fail_dtype(name, bool_result ? "a bool output" : "an output of the input's dtype", {{"x", x}, {"out", out}});
        if (unary_float_only(op) && !is_float(x->dtype))
            fail_dtype(name, "a float input (cast integers first)", {{"x", x}, {"out", out}});
        if (op == PJ_INVERT && is_float(x->dtype)) fail_dtype(name, "an integer or bool input", {{"x", x}, {"out", out}});
        Loop loop = kernels().unary[op][x->dtype];
        if (loop == nullptr) fail_dtype(name, "a dtype this op takes", {{"x", x}, {"out", out}});
        run({x, out}, loop, unary_float_only(op) ? kParallelMath : kParallelElements);
    });
}

extern "C" int pj_cpu_binary(int32_t op, const pj_tensor* a, const pj_tensor* b, const pj_tensor* out) {
    return guarded("binary", [&] {
        if (op < 0 || op >= PJ_BINARY_OP_COUNT)
            fail(PJ_ERR_ARGUMENT, "binary: expected an op code in [0, " + std::to_string(PJ_BINARY_OP_COUNT) +
                                      "). Received: op=" + std::to_string(op));
        const std::string name = std::string("binary ") + binary_name(op);
        check_operands(name, {{"a", a, false}, {"b", b, false}, {"out", out, true}}, true);
        const bool comparison = op >= PJ_EQ && op <= PJ_GE;
        if (a->dtype != b->dtype) fail_dtype(name, "a and b of one dtype (promote first)", {{"a", a}, {"b", b}});
        if (comparison ? out->dtype != PJ_BOOL : out->dtype != a->dtype)
            fail_dtype(name, comparison ? "a bool output" : "an output of the inputs' dtype", {{"a", a}, {"out", out}});
        if (op == PJ_DIV && !is_float(a->dtype)) fail_dtype(name, "float inputs (true division)", {{"a", a}, {"b", b}});
        if ((op == PJ_ADD_RELU || op == PJ_RELU_GRAD) && !is_float(a->dtype)) fail_dtype(name, "float inputs", {{"a", a}, {"b", b}});
        if (op >= PJ_AND && op <= PJ_XOR && is_float(a->dtype)) fail_dtype(name, "integer or bool inputs", {{"a", a}, {"b", b}});
        Loop loop = kernels().binary[op][a->dtype];
        if (loop == nullptr) fail_dtype(name, "a dtype this op takes", {{"a", a}, {"b", b}});
        bool heavy = op == PJ_POW || op == PJ_FLOORDIV || op == PJ_MOD;
        run({a, b, out}, loop, heavy ? kParallelMath : kParallelElements);
    });
}

extern "C" int pj_cpu_where(const pj_tensor* cond, const pj_tensor* a, const pj_tensor* b, const pj_tensor* out) {
    return guarded("where", [&] {
        check_operands("where", {{"cond", cond, false}, {"a", a, false}, {"b", b, false}, {"out", out, true}}, true);
        if (cond->dtype != PJ_BOOL) fail_dtype("where", "a bool cond", {{"cond", cond}});
        if (a->dtype != b->dtype || a->dtype != out->dtype)
            fail_dtype("where", "a, b and out of one dtype", {{"a", a}, {"b", b}, {"out", out}});
        const KernelTable& k = kernels();
        Loop loop = a->dtype == PJ_BOOL ? k.where_bool : k.where[__builtin_ctz(itemsize(a->dtype))];
        run({cond, a, b, out}, loop, kParallelElements);
    });
}
