// Counter-based random numbers (org.pyj4.backend.RandomKind): element i (row-major) of a fill uses
// counter + i, so any split across threads, and every backend, gives the same values. The bits
// u(k) are identical to Java's; the double result goes through libm's log/cos (Java's Math may
// differ in the last bit of a double, which rounds away for the narrower dtypes). This file is
// compiled without FMA contraction so the double arithmetic matches Java's operation by operation.
#include <math.h>

#include "../common/half.h"
#include "checks.h"
#include "nd_iter.h"
#include "pyj4_cpu.h"

using namespace pj;
using namespace pj::cpu;

namespace {

inline uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

inline double uniform01(uint64_t seed, uint64_t k) {
    return (double)(mix64(seed + 0x9E3779B97F4A7C15ull * (k + 1)) >> 11) * 0x1.0p-53;
}

struct Fill {
    int kind;
    int dtype;
    uint64_t seed, counter;
    double a, b;

    double sample(uint64_t n) const {
        if (kind == PJ_UNIFORM) return a + (b - a) * uniform01(seed, n);
        double r = sqrt(-2.0 * log(1.0 - uniform01(seed, 2 * n)));
        return a + b * r * cos(2.0 * M_PI * uniform01(seed, 2 * n + 1));
    }
};

void fill_run(void* ctx, char* const* p, const int64_t* s, int64_t n, int64_t linear) {
    const Fill& f = *static_cast<Fill*>(ctx);
    char* out = p[0];
    for (int64_t i = 0; i < n; i++, out += s[0]) {
        double v = f.sample(f.counter + (uint64_t)(linear + i));
        switch (f.dtype) {
            case PJ_FLOAT64: *(double*)out = v; break;
            case PJ_FLOAT32: *(float*)out = (float)v; break;
            case PJ_FLOAT16: *(uint16_t*)out = pj_f64_to_f16(v); break;
            default: *(uint16_t*)out = pj_f64_to_bf16(v); break;
        }
    }
}

}  // namespace

extern "C" int pj_cpu_random(int32_t kind, int64_t seed, int64_t counter, double a, double b, const pj_tensor* out) {
    return guarded("random", [&] {
        if (kind < 0 || kind >= PJ_RANDOM_KIND_COUNT)
            fail(PJ_ERR_ARGUMENT, "random: expected kind 0 (UNIFORM) or 1 (NORMAL). Received: kind=" + std::to_string(kind));
        check_operands("random", {{"out", out, true}}, false);
        if (!is_float(out->dtype)) fail_dtype("random", "a float output", {{"out", out}});
        Fill f{kind, out->dtype, (uint64_t)seed, (uint64_t)counter, a, b};
        const pj_tensor* ts[1] = {out};
        run_nd(plan_nd(ts, 1, true), fill_run, &f, kind == PJ_NORMAL ? 4096 : kParallelElements);
    });
}
