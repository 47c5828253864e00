#include "tensor.h"

#include <string>

#include "error.h"

namespace pj {

namespace {
const int kItemSize[PJ_DTYPE_COUNT] = {1, 1, 1, 2, 4, 8, 2, 2, 4, 8};
const char* const kDtypeName[PJ_DTYPE_COUNT] = {"bool",    "uint8",    "int8",    "int16",   "int32",
                                                "int64",   "float16",  "bfloat16", "float32", "float64"};

std::string list_str(const int64_t* v, int n) {
    std::string s = "[";
    for (int i = 0; i < n; i++) {
        if (i) s += ", ";
        s += std::to_string(v[i]);
    }
    return s + "]";
}

bool valid_dtype(int32_t dt) { return dt >= 0 && dt < PJ_DTYPE_COUNT; }
bool valid_rank(int32_t r) { return r >= 0 && r <= PJ_MAX_RANK; }
}  // namespace

int itemsize(int32_t dtype) { return valid_dtype(dtype) ? kItemSize[dtype] : 0; }

const char* dtype_name(int32_t dtype) { return valid_dtype(dtype) ? kDtypeName[dtype] : "invalid-dtype"; }

std::string shape_str(const pj_tensor& t) {
    std::string dt = valid_dtype(t.dtype) ? kDtypeName[t.dtype] : "dtype#" + std::to_string(t.dtype);
    if (!valid_rank(t.rank)) return dt + "[rank " + std::to_string(t.rank) + "]";
    return dt + list_str(t.shape, t.rank);
}

std::string describe(const pj_tensor& t) {
    std::string s = shape_str(t);
    if (valid_rank(t.rank)) s += " (strides " + list_str(t.strides, t.rank) + ", offset " + std::to_string(t.offset) + ")";
    return s;
}

namespace {
/** Throws PJ_ERR_ARGUMENT "op: expected <what>. Received: role=<tensor>": built only on failure. */
[[noreturn]] void bad_tensor(const char* op, const char* role, const pj_tensor& t, const std::string& what) {
    fail(PJ_ERR_ARGUMENT, std::string(op) + ": expected " + what + ". Received: " + role + "=" + describe(t));
}
}  // namespace

void check_tensor(const char* op, const char* role, const pj_tensor* t, bool written) {
    if (t == nullptr) fail(PJ_ERR_ARGUMENT, std::string(op) + ": expected a tensor descriptor. Received: " + role + "=null");
    if (!valid_dtype(t->dtype)) bad_tensor(op, role, *t, "a dtype code in [0, " + std::to_string(PJ_DTYPE_COUNT) + ")");
    if (!valid_rank(t->rank)) bad_tensor(op, role, *t, "a rank in [0, " + std::to_string(PJ_MAX_RANK) + "]");
    if (t->byte_size < 0) bad_tensor(op, role, *t, "a buffer size >= 0");
    int64_t n = 1;
    for (int d = 0; d < t->rank; d++) {
        if (t->shape[d] < 0) bad_tensor(op, role, *t, "non-negative dimensions");
        if (__builtin_mul_overflow(n, t->shape[d], &n)) bad_tensor(op, role, *t, "an element count below 2^63");
    }
    if (written && (t->flags & PJ_TENSOR_READONLY)) bad_tensor(op, role, *t, "a writable output, but its buffer is read-only");
    if (n == 0) return;  // nothing is read or written: offset and strides do not matter
    if (written)
        for (int d = 0; d < t->rank; d++)
            if (t->strides[d] == 0 && t->shape[d] > 1)
                bad_tensor(op, role, *t, "an output that writes each element once, not a broadcast view (stride 0 along axis " +
                                             std::to_string(d) + ")");
    const int size = kItemSize[t->dtype];
    if (t->data == nullptr) bad_tensor(op, role, *t, "a buffer address, not null");
    if (reinterpret_cast<uintptr_t>(t->data) % size != 0)
        bad_tensor(op, role, *t, "a buffer aligned to " + std::to_string(size) + " bytes");
    int64_t lo = t->offset, hi = t->offset;
    for (int d = 0; d < t->rank; d++) {
        int64_t extent;
        bool overflow = __builtin_mul_overflow(t->shape[d] - 1, t->strides[d], &extent);
        overflow = overflow || (extent > 0 ? __builtin_add_overflow(hi, extent, &hi) : __builtin_add_overflow(lo, extent, &lo));
        if (overflow) bad_tensor(op, role, *t, "strides whose reach fits in 64 bits");
    }
    int64_t end_bytes;
    if (lo < 0 || __builtin_add_overflow(hi, 1, &end_bytes) || __builtin_mul_overflow(end_bytes, (int64_t)size, &end_bytes) ||
        end_bytes > t->byte_size) {
        bad_tensor(op, role, *t, "every element inside the buffer of " + std::to_string(t->byte_size) +
                                     " bytes, but the view reaches elements " + std::to_string(lo) + " to " + std::to_string(hi));
    }
}

int64_t numel(const pj_tensor& t) {
    int64_t n = 1;
    for (int d = 0; d < t.rank; d++) n *= t.shape[d];
    return n;
}

bool same_shape(const pj_tensor& a, const pj_tensor& b) {
    if (a.rank != b.rank) return false;
    for (int d = 0; d < a.rank; d++)
        if (a.shape[d] != b.shape[d]) return false;
    return true;
}

void element_range(const pj_tensor& t, int64_t* lo, int64_t* hi) {
    *lo = *hi = t.offset;
    for (int d = 0; d < t.rank; d++) {
        int64_t extent = (t.shape[d] - 1) * t.strides[d];
        if (extent > 0) *hi += extent;
        else *lo += extent;
    }
}

bool ranges_intersect(const pj_tensor& a, const pj_tensor& b) {
    int64_t alo, ahi, blo, bhi;
    element_range(a, &alo, &ahi);
    element_range(b, &blo, &bhi);
    const char* a0 = static_cast<const char*>(a.data) + alo * itemsize(a.dtype);
    const char* a1 = static_cast<const char*>(a.data) + (ahi + 1) * itemsize(a.dtype);
    const char* b0 = static_cast<const char*>(b.data) + blo * itemsize(b.dtype);
    const char* b1 = static_cast<const char*>(b.data) + (bhi + 1) * itemsize(b.dtype);
    return a0 < b1 && b0 < a1;
}

}  // namespace pj
