// Helpers for the native tests: tensors over std::vector storage, ISA loops, ulp distances.
#pragma once

#include <gtest/gtest.h>
#include <math.h>
#include <string.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "pyj4_cpu.h"

namespace pjtest {

/** A descriptor over `data` with the given shape, strides (default: row-major) and offset. */
template <class T>
pj_tensor view(std::vector<T>& data, int dtype, std::vector<int64_t> shape, std::vector<int64_t> strides = {},
               int64_t offset = 0) {
    pj_tensor t;
    memset(&t, 0, sizeof t);
    t.data = data.data();
    t.byte_size = (int64_t)(data.size() * sizeof(T));
    t.dtype = dtype;
    t.rank = (int32_t)shape.size();
    t.offset = offset;
    int64_t acc = 1;
    for (int d = t.rank - 1; d >= 0; d--) {
        t.shape[d] = shape[d];
        t.strides[d] = strides.empty() ? acc : strides[d];
        acc *= shape[d];
    }
    return t;
}

/** Instruction sets this CPU runs, to repeat a test on each. */
inline std::vector<std::string> isas() {
    std::vector<std::string> out;
    for (const char* name : {"baseline", "avx2", "avx512"})
        if (pj_cpu_select_isa(name) == PJ_OK) out.push_back(name);
    pj_cpu_select_isa(out.back().c_str());
    return out;
}

/** Distance in units in the last place between two floats (0 for equal, NaN==NaN). */
inline int64_t ulps(float a, float b) {
    if (isnan(a) && isnan(b)) return 0;
    if (isnan(a) || isnan(b)) return INT64_MAX;
    if (a == b) return 0;
    int32_t ia, ib;
    memcpy(&ia, &a, 4);
    memcpy(&ib, &b, 4);
    int64_t x = ia < 0 ? (int64_t)INT32_MIN - ia : ia, y = ib < 0 ? (int64_t)INT32_MIN - ib : ib;
    return x > y ? x - y : y - x;
}


}  // namespace pjtest
