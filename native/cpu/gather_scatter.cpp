// gather (out[i] = x[index[i]]) and scatter (dst[index[i]] = values[i]); indices count elements
// of x / dst in row-major order. Every index is checked before the first write. Scatter writes in
// the index's row-major order, so with repeated indices the last value wins, deterministically.
#include <string.h>

#include "checks.h"
#include "kernels.h"
#include "nd_iter.h"
#include "pyj4_cpu.h"

using namespace pj;
using namespace pj::cpu;

namespace {

/** Where element `linear` (row-major) of a checked tensor lives. */
struct Locator {
    char* base;
    int size;
    bool contiguous;
    int rank;
    const int64_t* shape;
    const int64_t* strides;

    explicit Locator(const pj_tensor& t)
        : base((char*)t.data + t.offset * itemsize(t.dtype)), size(itemsize(t.dtype)), contiguous(true), rank(t.rank),
          shape(t.shape), strides(t.strides) {
        int64_t expected = 1;
        for (int d = t.rank - 1; d >= 0; d--) {
            if (t.shape[d] != 1 && t.strides[d] != expected) contiguous = false;
            expected *= t.shape[d];
        }
    }

    char* at(int64_t linear) const {
        if (contiguous) return base + linear * size;
        int64_t off = 0;
        for (int d = rank - 1; d >= 0; d--) {
            off += (linear % shape[d]) * strides[d];
            linear /= shape[d];
        }
        return base + off * size;
    }
};

struct RangeCheck {
    int64_t limit;
    bool bad = false;
    int64_t value = 0, position = 0;
};

void check_run(void* ctx, char* const* p, const int64_t* s, int64_t n, int64_t linear) {
    RangeCheck* c = static_cast<RangeCheck*>(ctx);
    if (c->bad) return;
    for (int64_t i = 0; i < n; i++) {
        int64_t v;
        memcpy(&v, p[0] + i * s[0], 8);
        if (v < 0 || v >= c->limit) {
            c->bad = true, c->value = v, c->position = linear + i;
            return;
        }
    }
}

/** Fails with PJ_ERR_INDEX naming the first index outside [0, limit). */
void check_indices(const std::string& op, const pj_tensor* index, int64_t limit, const char* target,
                   std::initializer_list<Operand> operands) {
    RangeCheck c;
    c.limit = limit;
    const pj_tensor* ts[1] = {index};
    run_nd(plan_nd(ts, 1, true), check_run, &c, INT64_MAX);  // single-threaded: reports the first bad one
    if (c.bad)
        fail(PJ_ERR_INDEX, op + ": expected indices in [0, " + std::to_string(limit) + ") (the element count of " + target +
                               "). Received: index " + std::to_string(c.value) + " at row-major position " +
                               std::to_string(c.position) + "; " + received(operands));
}

/** Moves one element; bools are stored as 0/1 whatever nonzero byte they held (as the reference). */
inline void move_element(char* to, const char* from, int size, bool is_bool) {
    if (is_bool) *to = *from != 0;
    else memcpy(to, from, size);
}

struct GatherJob {
    Locator x;
    bool is_bool;
};

void gather_run(void* ctx, char* const* p, const int64_t* s, int64_t n, int64_t) {
    const GatherJob& job = *static_cast<GatherJob*>(ctx);
    for (int64_t i = 0; i < n; i++) {
        int64_t v;
        memcpy(&v, p[0] + i * s[0], 8);
        move_element(p[1] + i * s[1], job.x.at(v), job.x.size, job.is_bool);
    }
}

void scatter_run(void* ctx, char* const* p, const int64_t* s, int64_t n, int64_t) {
    const GatherJob& job = *static_cast<GatherJob*>(ctx);
    for (int64_t i = 0; i < n; i++) {
        int64_t v;
        memcpy(&v, p[0] + i * s[0], 8);
        move_element(job.x.at(v), p[1] + i * s[1], job.x.size, job.is_bool);
    }
}

}  // namespace

extern "C" int pj_cpu_gather(const pj_tensor* x, const pj_tensor* index, const pj_tensor* out) {
    return guarded("gather", [&] {
        check_operands("gather", {{"x", x, false}, {"index", index, false}, {"out", out, true}}, false);
        std::initializer_list<Operand> all = {{"x", x}, {"index", index}, {"out", out}};
        if (!same_shape(*index, *out)) fail_shape("gather", "index and out of one shape", all);
        if (index->dtype != PJ_INT64) fail_dtype("gather", "an int64 index", all);
        if (x->dtype != out->dtype) fail_dtype("gather", "x and out of one dtype", all);
        if (numel(*out) == 0) return;
        check_indices("gather", index, numel(*x), "x", all);
        GatherJob job{Locator(*x), x->dtype == PJ_BOOL};
        const pj_tensor* ts[2] = {index, out};
        run_nd(plan_nd(ts, 2, false), gather_run, &job, kParallelElements);
    });
}

extern "C" int pj_cpu_scatter(const pj_tensor* dst, const pj_tensor* index, const pj_tensor* values) {
    return guarded("scatter", [&] {
        check_operands("scatter", {{"dst", dst, true}, {"index", index, false}, {"values", values, false}}, false);
        std::initializer_list<Operand> all = {{"dst", dst}, {"index", index}, {"values", values}};
        if (!same_shape(*index, *values)) fail_shape("scatter", "index and values of one shape", all);
        if (index->dtype != PJ_INT64) fail_dtype("scatter", "an int64 index", all);
        if (values->dtype != dst->dtype) fail_dtype("scatter", "values of dst's dtype", all);
        if (numel(*index) == 0) return;
        check_indices("scatter", index, numel(*dst), "dst", all);
        GatherJob target{Locator(*dst), dst->dtype == PJ_BOOL};
        const pj_tensor* ts[2] = {index, values};
        run_nd(plan_nd(ts, 2, true), scatter_run, &target, INT64_MAX);  // in order: the last write wins
    });
}

