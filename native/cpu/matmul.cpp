// Batched matrix product. float32/float64 go to OpenBLAS when every matrix has a layout it takes
// (unit stride along rows or columns); other operands are first copied dense. float16/bfloat16 are
// computed in float32 through the same path and rounded once; integers and bools use exact
// wrapping int64 loops (bool: any a&b). Without a BLAS, floats use the built-in loops too.
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <memory>
#include <type_traits>

#include "blas.h"
#include "checks.h"
#include "kernels.h"
#include "nd_iter.h"
#include "pyj4_cpu.h"
#include "thread_pool.h"

using namespace pj;
using namespace pj::cpu;

namespace {

constexpr int64_t kIntMax = 0x7fffffff;

/** An owned dense (row-major) tensor. */
struct Dense {
    std::unique_ptr<char, decltype(&free)> memory{nullptr, &free};
    pj_tensor t{};

    /** Allocates a dense tensor of like's shape in `dtype`; copies `like` into it if fill. */
    Dense(const pj_tensor& like, int dtype, bool fill) {
        int64_t bytes = numel(like) * itemsize(dtype);
        memory.reset(static_cast<char*>(aligned_alloc(64, (bytes + 63) / 64 * 64 + 64)));
        if (!memory) throw std::bad_alloc();
        t = like;
        t.data = memory.get();
        t.byte_size = bytes;
        t.dtype = dtype;
        t.offset = 0;
        t.flags = 0;
        int64_t stride = 1;
        for (int i = like.rank - 1; i >= 0; i--) {
            t.strides[i] = stride;
            stride *= like.shape[i] > 0 ? like.shape[i] : 1;
        }
        if (fill) copy_tensor(like, t);
    }
};

/** How BLAS reads one operand: transposed or not, with a leading dimension. */
struct Layout {
    bool ok = false;
    bool trans = false;
    int64_t ld = 0;
};

/** A rows x cols matrix with element strides rs, cs, as BLAS takes it (row-major), if it can. */
Layout blas_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
    Layout l;
    if (rows > kIntMax || cols > kIntMax) return l;
    if ((cs == 1 || cols == 1) && (rows == 1 || rs >= cols) && rs >= 0) {
        l.ok = true;
        l.ld = rows == 1 ? (cols > 1 ? cols : 1) : rs;
    } else if ((rs == 1 || rows == 1) && (cols == 1 || cs >= rows) && cs >= 0) {
        l.ok = true;
        l.trans = true;
        l.ld = cols == 1 ? (rows > 1 ? rows : 1) : cs;
    }
    if (l.ld < 1 || l.ld > kIntMax) l.ok = false;
    if (l.ok && !l.trans && l.ld < cols) l.ok = false;
    if (l.ok && l.trans && l.ld < rows) l.ok = false;
    return l;
}

struct Batched {
    int rank;  // of the operands; batch dims are the first rank - 2
    int64_t m, n, k, batches;
    const pj_tensor* a;
    const pj_tensor* b;
    const pj_tensor* c;

    /** Element offsets of batch `index` in a, b and c. */
    void offsets(int64_t index, int64_t* oa, int64_t* ob, int64_t* oc) const {
        *oa = a->offset, *ob = b->offset, *oc = c->offset;
        for (int d = rank - 3; d >= 0; d--) {
            int64_t i = index % c->shape[d];
            index /= c->shape[d];
            *oa += i * a->strides[d], *ob += i * b->strides[d], *oc += i * c->strides[d];
        }
    }
};

/** One row-major product C[m, n] = op(A) @ op(B) as BLAS takes it (op transposes where ta / tb). */
template <class T>
struct Call {
    bool ta, tb;
    int64_t m, n, k;
    const T* A;
    int64_t lda;
    const T* B;
    int64_t ldb;
    T* C;
    int64_t ldc;

    /** The product restricted to rows [i0, i1) and columns [j0, j1) of C. */
    Call block(int64_t i0, int64_t i1, int64_t j0, int64_t j1) const {
        Call c = *this;
        c.m = i1 - i0, c.n = j1 - j0;
        c.A = ta ? A + i0 : A + i0 * lda;
        c.B = tb ? B + j0 * ldb : B + j0;
        c.C = C + i0 * ldc + j0;
        return c;
    }
};

template <class T>
void blas_gemm(const Blas& b, int ta, int tb, int m, int n, int k, const T* A, int lda, const T* B, int ldb, T* C, int ldc) {
    if constexpr (std::is_same<T, float>::value) b.sgemm(kRowMajor, ta, tb, m, n, k, 1.0f, A, lda, B, ldb, 0.0f, C, ldc);
    else b.dgemm(kRowMajor, ta, tb, m, n, k, 1.0, A, lda, B, ldb, 0.0, C, ldc);
}

template <class T>
void blas_gemv(const Blas& b, int trans, int m, int n, const T* A, int lda, const T* x, int incx, T* y, int incy) {
    if constexpr (std::is_same<T, float>::value) b.sgemv(kRowMajor, trans, m, n, 1.0f, A, lda, x, incx, 0.0f, y, incy);
    else b.dgemv(kRowMajor, trans, m, n, 1.0, A, lda, x, incx, 0.0, y, incy);
}

template <class T>
bool has_gemv(const Blas& b) {
    if constexpr (std::is_same<T, float>::value) return b.sgemv != nullptr;
    else return b.dgemv != nullptr;
}

/**
 * Computes one call (a block of a product). A single row or column goes to gemv, which reads the
 * matrix once instead of packing it as gemm does (batch-1 inference is all such products).
 */
template <class T>
void compute_call(const Blas& b, const Call<T>& c) {
    const int N = kNoTrans, Tr = kTrans;
    if (c.m == 1 && has_gemv<T>(b)) {  // c[j] = sum_p a[p] * opB[p][j]
        const int incx = c.ta ? (int)c.lda : 1;
        if (!c.tb) blas_gemv<T>(b, Tr, (int)c.k, (int)c.n, c.B, (int)c.ldb, c.A, incx, c.C, 1);
        else blas_gemv<T>(b, N, (int)c.n, (int)c.k, c.B, (int)c.ldb, c.A, incx, c.C, 1);
    } else if (c.n == 1 && has_gemv<T>(b)) {  // c[i] = sum_p opA[i][p] * b[p]
        const int incx = c.tb ? 1 : (int)c.ldb;
        if (!c.ta) blas_gemv<T>(b, N, (int)c.m, (int)c.k, c.A, (int)c.lda, c.B, incx, c.C, (int)c.ldc);
        else blas_gemv<T>(b, Tr, (int)c.k, (int)c.m, c.A, (int)c.lda, c.B, incx, c.C, (int)c.ldc);
    } else {
        blas_gemm<T>(b, c.ta ? Tr : N, c.tb ? Tr : N, (int)c.m, (int)c.n, (int)c.k, c.A, (int)c.lda, c.B, (int)c.ldb, c.C,
                     (int)c.ldc);
    }
}

/** Whether any of the rows x cols values at c (row stride ld) is inf or NaN: a vectorisable scan. */
bool any_non_finite(const float* c, int64_t rows, int64_t cols, int64_t ld) {
    uint32_t any = 0;
    for (int64_t i = 0; i < rows; i++) {
        const float* row = c + i * ld;
        for (int64_t j = 0; j < cols; j++) {
            uint32_t bits;
            memcpy(&bits, row + j, 4);
            any |= (bits & 0x7f800000u) + 0x00800000u;  // sets bit 31 exactly when the exponent is all ones
        }
    }
    return (any & 0x80000000u) != 0;
}

/**
 * float32 products whose terms overflow float (huge inputs) give inf or NaN where a double
 * accumulation, as the reference does, gives a finite value or a definite infinity. Such elements
 * (rare, and only with extreme inputs) are recomputed in double after the BLAS call; a quick scan
 * of the block, still in cache, finds whether there are any.
 */
void redo_non_finite(const Call<float>& c) {
    if (!any_non_finite(c.C, c.m, c.n, c.ldc)) return;
    for (int64_t i = 0; i < c.m; i++)
        for (int64_t j = 0; j < c.n; j++) {
            float& out = c.C[i * c.ldc + j];
            if (__builtin_isfinite(out)) continue;
            double s = 0;
            for (int64_t p = 0; p < c.k; p++) {
                double a = c.ta ? c.A[p * c.lda + i] : c.A[i * c.lda + p];
                double b = c.tb ? c.B[j * c.ldb + p] : c.B[p * c.ldb + j];
                s += a * b;
            }
            out = (float)s;
        }
}

template <class T>
void compute_block(const Blas& b, const Call<T>& c) {
    compute_call(b, c);
    if constexpr (std::is_same<T, float>::value) redo_non_finite(c);
}

// Products below this many multiply-adds are one BLAS call on one thread; larger ones are cut into
// tiles that our pool shares out. OpenBLAS itself is kept single-threaded (blas.cpp): its threads
// busy-wait for each other, so on a loaded machine one descheduled thread stalls all of them, while
// our pool's tiles are claimed dynamically by whoever is running. A tile that a descheduled worker
// holds still stalls the caller, so small products (a few tens of microseconds, where a second
// thread saves little) stay on the calling thread: gemm from 2^20 multiply-adds, gemv (one row or
// column: memory-bound, one multiply-add per matrix element) from a 2^16-element matrix (256 KiB of
// float32; measured on 2 cores: batch-1 inference's 784x512 layer 47 -> 24 us, its 512x256 layer
// 10 -> 7 us).
constexpr int64_t kParallelMulAdds = (int64_t)1 << 20;
constexpr int64_t kParallelGemv = (int64_t)1 << 16;
// gemm tiles: one per 2^23 multiply-adds (about 0.1 ms on one core), at least 2 and at most
// kMaxTiles, each at least kBlockAlign rows and columns. Every tile re-packs its share of both
// operands, so more tiles cost more (measured on 2 cores: 2 or 4 tiles beat 8 at n = 256..2048);
// 4 still lets the pool balance a little when a thread is descheduled.
constexpr int64_t kTileMulAdds = (int64_t)1 << 23;
constexpr int64_t kMaxTiles = 4;
// gemv blocks are about this many rows or columns of C; all sizes are multiples of kBlockAlign
// (OpenBLAS' unrolls).
constexpr int64_t kBlockTarget = 128;
constexpr int64_t kBlockAlign = 16;

/** Part size for cutting `extent` into `parts` pieces: rounded up to kBlockAlign. */
inline int64_t part_size(int64_t extent, int64_t parts) {
    return ((extent + parts - 1) / parts + kBlockAlign - 1) / kBlockAlign * kBlockAlign;
}

/**
 * One product, cut into tiles of C that the pool shares out. The tiles depend only on the
 * product's shape, never on the thread count, so every element is computed by the same kernel
 * path with any number of threads: results do not change with it.
 *
 * gemm packs both operands per call: a tile re-packs the rows of A and the columns of B it needs, so
 * cutting C into rp x cp tiles packs A cp times and B rp times. The tiles are grown by halving
 * whichever side of the tile is longer (square tiles pack least) until there are about work / 2^23
 * of them (2 to kMaxTiles). gemv (a single row or column) reads the matrix once per block, so it
 * is cut along its long side only.
 */
template <class T>
void run_call(const Blas& b, const Call<T>& c) {
    const int64_t work = c.m * c.n * c.k;
    const bool vector = c.m == 1 || c.n == 1;
    if (work < (vector ? kParallelGemv : kParallelMulAdds)) {
        compute_block(b, c);
        return;
    }
    int64_t rp = 1, cp = 1;  // row parts, column parts
    if (vector) {
        (c.m == 1 ? cp : rp) = ((c.m == 1 ? c.n : c.m) + kBlockTarget - 1) / kBlockTarget;
    } else {
        const int64_t want = std::max<int64_t>(2, std::min(kMaxTiles, work / kTileMulAdds));
        while (rp * cp < want) {
            const int64_t rows = part_size(c.m, rp), cols = part_size(c.n, cp);
            const bool can_rows = rows >= 2 * kBlockAlign, can_cols = cols >= 2 * kBlockAlign;
            if (can_rows && (rows > cols || !can_cols)) rp *= 2;
            else if (can_cols) cp *= 2;
            else break;
        }
    }
    const int64_t rsize = part_size(c.m, rp), csize = part_size(c.n, cp);
    rp = (c.m + rsize - 1) / rsize, cp = (c.n + csize - 1) / csize;  // no empty parts after rounding
    if (rp * cp < 2) {
        compute_block(b, c);
        return;
    }
    auto body = [&](int64_t begin, int64_t end) {
        for (int64_t tile = begin; tile < end; tile++) {
            const int64_t i0 = tile / cp * rsize, j0 = tile % cp * csize;
            compute_block(b, c.block(i0, std::min(c.m, i0 + rsize), j0, std::min(c.n, j0 + csize)));
        }
    };
    parallel_for(rp * cp, 1, body);
}

/** C = A @ B per batch through BLAS; every operand's layout was checked with blas_layout. */
template <class T>
void blas_batches(const Blas& blas, const Batched& job) {
    const int64_t m = job.m, n = job.n, k = job.k;
    const int r = job.rank;
    Layout la = blas_layout(m, k, job.a->strides[r - 2], job.a->strides[r - 1]);
    Layout lb = blas_layout(k, n, job.b->strides[r - 2], job.b->strides[r - 1]);
    Layout lc = blas_layout(m, n, job.c->strides[r - 2], job.c->strides[r - 1]);
    auto call_for = [&](int64_t batch) {
        int64_t oa, ob, oc;
        job.offsets(batch, &oa, &ob, &oc);
        const T* A = static_cast<const T*>(job.a->data) + oa;
        const T* B = static_cast<const T*>(job.b->data) + ob;
        T* C = static_cast<T*>(job.c->data) + oc;
        if (!lc.trans) return Call<T>{la.trans, lb.trans, m, n, k, A, la.ld, B, lb.ld, C, lc.ld};
        // C is column-major: compute C^T = B^T A^T into it.
        return Call<T>{!lb.trans, !la.trans, n, m, k, B, lb.ld, A, la.ld, C, lc.ld};
    };
    // Many small products: spread whole products over the threads; large ones are split inside.
    const bool small = m * n * k < (int64_t)1 << 18;
    if (job.batches > 1 && small) {
        auto body = [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; i++) compute_block(blas, call_for(i));
        };
        parallel_for(job.batches, 1, body);
    } else {
        for (int64_t i = 0; i < job.batches; i++) run_call(blas, call_for(i));
    }
}

/** Built-in C = A @ B for dense row-major operands, accumulating in T (int64 wraps). */
template <class T>
void loop_batches(const Batched& job) {
    const int64_t m = job.m, n = job.n, k = job.k;
    auto body = [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; row++) {
            int64_t batch = row / m, i = row % m, oa, ob, oc;
            job.offsets(batch, &oa, &ob, &oc);
            const T* A = static_cast<const T*>(job.a->data) + oa + i * k;
            const T* B = static_cast<const T*>(job.b->data) + ob;
            T* C = static_cast<T*>(job.c->data) + oc + i * n;
            for (int64_t j = 0; j < n; j++) C[j] = 0;
            for (int64_t p = 0; p < k; p++) {
                const T a = A[p];
                const T* Bp = B + p * n;
                if constexpr (std::is_integral<T>::value) {  // int64: wrap modulo 2^64
                    for (int64_t j = 0; j < n; j++) C[j] = (T)((uint64_t)C[j] + (uint64_t)a * (uint64_t)Bp[j]);
                } else {
                    for (int64_t j = 0; j < n; j++) C[j] += a * Bp[j];
                }
            }
        }
    };
    int64_t rows = job.batches * m;
    int64_t per_row = n * k > 0 ? n * k : 1;
    parallel_for(rows, kParallelElements / per_row > 0 ? kParallelElements / per_row : 1, body);
}

void validate(const pj_tensor* a, const pj_tensor* b, const pj_tensor* out) {
    check_operands("matmul", {{"a", a, false}, {"b", b, false}, {"out", out, true}}, false);
    std::initializer_list<Operand> all = {{"a", a}, {"b", b}, {"out", out}};
    if (a->dtype != b->dtype || a->dtype != out->dtype) fail_dtype("matmul", "a, b and out of one dtype", all);
    const int r = out->rank;
    if (r < 2 || a->rank != r || b->rank != r)
        fail_shape("matmul", "a [..., m, k], b [..., k, n] and out [..., m, n] of one rank >= 2", all);
    bool ok = a->shape[r - 2] == out->shape[r - 2] && b->shape[r - 1] == out->shape[r - 1] &&
              a->shape[r - 1] == b->shape[r - 2];
    for (int d = 0; ok && d < r - 2; d++) ok = a->shape[d] == out->shape[d] && b->shape[d] == out->shape[d];
    if (!ok) fail_shape("matmul", "a [..., m, k], b [..., k, n] and out [..., m, n] with batch dims broadcast to out's", all);
}

template <class T>
void float_matmul(const pj_tensor& a, const pj_tensor& b, const pj_tensor& c, const Blas* blas) {
    const int r = c.rank;
    Batched job{r, c.shape[r - 2], c.shape[r - 1], a.shape[r - 1], numel(c) / (c.shape[r - 2] * c.shape[r - 1]), &a, &b, &c};
    if (blas == nullptr) {
        loop_batches<T>(job);  // callers pass dense operands when there is no BLAS
        return;
    }
    blas_batches<T>(*blas, job);
}

void compute(const pj_tensor* a, const pj_tensor* b, const pj_tensor* out) {
    const int r = out->rank;
    const int64_t m = out->shape[r - 2], n = out->shape[r - 1], k = a->shape[r - 1];
    if (numel(*out) == 0) return;
    const int dt = out->dtype;
    const bool use_float32 = dt == PJ_FLOAT16 || dt == PJ_BFLOAT16 || dt == PJ_FLOAT32;
    const int work = use_float32 ? PJ_FLOAT32 : dt == PJ_FLOAT64 ? PJ_FLOAT64 : PJ_INT64;
    const Blas* lib = is_float(dt) ? blas() : nullptr;
    auto fits = [&](const pj_tensor& t, int64_t rows, int64_t cols) {
        return lib != nullptr && t.dtype == work && blas_layout(rows, cols, t.strides[r - 2], t.strides[r - 1]).ok;
    };
    if (k == 0) {  // empty sum: zeros
        int64_t zero = 0;
        pj_tensor z = *out;
        z.data = &zero, z.byte_size = 8, z.dtype = PJ_INT64, z.offset = 0;
        for (int d = 0; d < r; d++) z.strides[d] = 0;
        copy_tensor(z, *out);
        return;
    }
    // Operands BLAS cannot read as they are (or any, for the built-in loops) become dense copies.
    std::unique_ptr<Dense> da, db, dc;
    const pj_tensor* A = a;
    const pj_tensor* B = b;
    const pj_tensor* C = out;
    if (!fits(*a, m, k)) da.reset(new Dense(*a, work, true)), A = &da->t;
    if (!fits(*b, k, n)) db.reset(new Dense(*b, work, true)), B = &db->t;
    const bool overlaps = ranges_intersect(*out, *a) || ranges_intersect(*out, *b);
    if (overlaps || !fits(*out, m, n)) dc.reset(new Dense(*out, work, false)), C = &dc->t;
    if (work == PJ_FLOAT32) float_matmul<float>(*A, *B, *C, lib);
    else if (work == PJ_FLOAT64) float_matmul<double>(*A, *B, *C, lib);
    else {
        Batched job{r, m, n, k, numel(*C) / (m * n), A, B, C};
        loop_batches<int64_t>(job);
    }
    if (dc) copy_tensor(*C, *out);  // int64 -> bool gives "any a&b"; other integers wrap
}

}  // namespace

extern "C" int pj_cpu_matmul(const pj_tensor* a, const pj_tensor* b, const pj_tensor* out) {
    return guarded("matmul", [&] {
        validate(a, b, out);
        compute(a, b, out);
    });
}
