// scatterAdd: dst[index[i]] += values[i] with repeated indices adding up (the backward of gather,
// of an embedding lookup, of max pooling). Every index is checked before the first write; the adds
// then run on one thread in the index's row-major order, so the sums are the reference's, bit for
// bit, whatever the thread count.
#include "checks.h"
#include "pyj4_cpu_layers.h"

using namespace pj;
using namespace pj::cpu;

namespace {

/** Element `linear` (row-major position) of a checked tensor, as an element offset from its data. */
struct Positions {
    const pj_tensor& t;
    bool contiguous = true;

    explicit Positions(const pj_tensor& tensor) : t(tensor) {
        int64_t expected = 1;
        for (int d = t.rank - 1; d >= 0; d--) {
            if (t.shape[d] != 1 && t.strides[d] != expected) contiguous = false;
            expected *= t.shape[d];
        }
    }

    int64_t at(int64_t linear) const {
        if (contiguous) return t.offset + linear;
        int64_t off = t.offset;
        for (int d = t.rank - 1; d >= 0; d--) {
            off += (linear % t.shape[d]) * t.strides[d];
            linear /= t.shape[d];
        }
        return off;
    }
};

template <class T>
void scatter_add(const pj_tensor& dst, const pj_tensor& index, const pj_tensor& values) {
    const Positions d(dst), ix(index), v(values);
    T* out = (T*)dst.data;
    const int64_t* idx = (const int64_t*)index.data;
    const T* val = (const T*)values.data;
    const int64_t n = numel(index);
    if (d.contiguous && ix.contiguous && v.contiguous) {  // the usual case (max pooling's backward): plain pointers
        T* __restrict o = out + dst.offset;
        const int64_t* __restrict at = idx + index.offset;
        const T* __restrict from = val + values.offset;
        for (int64_t i = 0; i < n; i++) o[at[i]] += from[i];
        return;
    }
    for (int64_t i = 0; i < n; i++) out[d.at(idx[ix.at(i)])] += val[v.at(i)];
}

void validate(const pj_tensor* dst, const pj_tensor* index, const pj_tensor* values) {
    const std::string op = "scatterAdd";
    check_operands(op, {{"dst", dst, true}, {"index", index, false}, {"values", values, false}}, false);
    std::initializer_list<Operand> all = {{"dst", dst}, {"index", index}, {"values", values}};
    if (!same_shape(*index, *values)) fail_shape(op, "index and values of one shape", all);
    if (index->dtype != PJ_INT64) fail_dtype(op, "an int64 index", all);
    if ((dst->dtype != PJ_FLOAT32 && dst->dtype != PJ_FLOAT64) || values->dtype != dst->dtype)
        fail_dtype(op, "dst and values of one dtype, float32 or float64", all);
    if (numel(*dst) > 0 && numel(*index) > 0 && (ranges_intersect(*dst, *index) || ranges_intersect(*dst, *values)))
        fail(PJ_ERR_ARGUMENT, op + ": expected dst apart from index and values (an output must not share memory with another operand). Received: " +
                                  received(all));
    const Positions ix(*index);
    const int64_t* idx = (const int64_t*)index->data;
    const int64_t size = numel(*dst), n = numel(*index);
    if (ix.contiguous) {
        // A branch-free sweep (it vectorises) finds whether any index is out of bounds; only then is
        // the first one looked for, for the message.
        const int64_t* __restrict at = idx + index->offset;
        uint64_t worst = 0;
        for (int64_t i = 0; i < n; i++) worst |= (uint64_t)at[i] >= (uint64_t)size ? 1 : 0;
        if (worst == 0) return;
    }
    for (int64_t i = 0; i < n; i++) {
        const int64_t at = idx[ix.at(i)];
        if (at < 0 || at >= size)
            fail(PJ_ERR_INDEX, op + ": index " + std::to_string(at) + " is out of bounds for dst with " + std::to_string(size) +
                                   " elements (expected 0 <= index < " + std::to_string(size) + "); nothing was written");
    }
}

}  // namespace

extern "C" int pj_cpu_scatter_add(const pj_tensor* dst, const pj_tensor* index, const pj_tensor* values) {
    return guarded("scatterAdd", [&] {
        validate(dst, index, values);
        if (numel(*index) == 0) return;
        if (dst->dtype == PJ_FLOAT32) scatter_add<float>(*dst, *index, *values);
        else scatter_add<double>(*dst, *index, *values);
    });
}
