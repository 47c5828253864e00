// Reductions. The reduced dims and the kept dims are each merged as far as strides allow, then:
//  - row strategy: every output folds its reduced elements run by run (a contiguous innermost run
//    goes to the vector kernels); a long reduction is cut into fixed blocks folded in parallel and
//    combined in order, so results do not depend on the thread count;
//  - column strategy (innermost kept dim contiguous, reduced runs not): each reduced row folds into
//    a tile of accumulators, vectorised across the kept dim.
#include <stdlib.h>
#include <string.h>

#include <vector>

#include "checks.h"
#include "kernels.h"
#include "nd_iter.h"
#include "pyj4_cpu.h"
#include "thread_pool.h"

using namespace pj;
using namespace pj::cpu;

namespace {

constexpr int64_t kBlock = 65536;      // reduced elements per block of one long reduction
constexpr int64_t kColumnTile = 512;   // kept elements per accumulator tile (column strategy)

/** A set of dims walked in row-major order, with x's and out's strides in bytes. */
struct Dims {
    int n = 0;
    int64_t shape[PJ_MAX_RANK];
    int64_t xs[PJ_MAX_RANK];
    int64_t os[PJ_MAX_RANK];
    int64_t count = 1;

    void add(int64_t size, int64_t x_stride, int64_t o_stride) {
        shape[n] = size;
        xs[n] = x_stride;
        os[n] = o_stride;
        n++;
        count *= size;
    }

    /** Merges neighbours that step as one (outer stride = inner stride * inner size, for x and out). */
    void merge() {
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (m > 0 && xs[m - 1] == xs[i] * shape[i] && os[m - 1] == os[i] * shape[i]) {
                shape[m - 1] *= shape[i];
                xs[m - 1] = xs[i];
                os[m - 1] = os[i];
                continue;
            }
            shape[m] = shape[i];
            xs[m] = xs[i];
            os[m] = os[i];
            m++;
        }
        n = m;
    }

    /** Sorts dims by |x stride|, largest first (so the innermost is the densest). */
    void sort_by_x_stride() {
        for (int i = 1; i < n; i++)
            for (int j = i; j > 0 && llabs(xs[j - 1]) < llabs(xs[j]); j--) {
                int64_t t;
                t = shape[j], shape[j] = shape[j - 1], shape[j - 1] = t;
                t = xs[j], xs[j] = xs[j - 1], xs[j - 1] = t;
                t = os[j], os[j] = os[j - 1], os[j - 1] = t;
            }
    }

    /** Byte offsets in x and out of the element with row-major index t over the first `upto` dims. */
    void offsets(int64_t t, int upto, int64_t* x_off, int64_t* o_off) const {
        int64_t xo = 0, oo = 0;
        for (int d = upto - 1; d >= 0; d--) {
            int64_t i = t % shape[d];
            t /= shape[d];
            xo += i * xs[d];
            oo += i * os[d];
        }
        *x_off = xo;
        if (o_off) *o_off = oo;
    }
};

int acc_class(int op, const pj_tensor& x, const pj_tensor& out) {
    if (op == PJ_SUM || op == PJ_PROD) return is_float(out.dtype) ? ACC_DOUBLE : ACC_INT;
    if (op == PJ_ANY || op == PJ_ALL) return ACC_INT;
    return is_float(x.dtype) ? ACC_DOUBLE : ACC_INT;
}

Acc identity(int op) {
    Acc a{0.0, 0, -1};
    if (op == PJ_PROD) a.f = 1.0, a.i = 1;
    if (op == PJ_ALL) a.i = 1;
    return a;
}

/** a = a (+) b, where b folded elements that come after a's. */
void combine(int op, int cls, Acc* a, const Acc& b) {
    switch (op) {
        case PJ_SUM:
            if (cls == ACC_DOUBLE) a->f += b.f;
            else a->i = (int64_t)((uint64_t)a->i + (uint64_t)b.i);
            return;
        case PJ_PROD:
            if (cls == ACC_DOUBLE) a->f *= b.f;
            else a->i = (int64_t)((uint64_t)a->i * (uint64_t)b.i);
            return;
        case PJ_ANY: a->i = a->i | b.i; return;
        case PJ_ALL: a->i = a->i & b.i; return;
        default: break;
    }
    // MAX, MIN, ARGMAX, ARGMIN: index < 0 marks "no value yet"; earlier wins ties; NaN wins.
    if (b.index < 0) return;
    if (a->index < 0) {
        *a = b;
        return;
    }
    const bool is_max = op == PJ_MAX || op == PJ_ARGMAX;
    bool better;
    if (cls == ACC_DOUBLE) {
        if (a->f != a->f) return;
        if ((op == PJ_MAX || op == PJ_MIN) && b.f == a->f) {  // zeros: max keeps +0.0, min -0.0 (Java)
            uint64_t x, y;
            memcpy(&x, &a->f, 8);
            memcpy(&y, &b.f, 8);
            x = op == PJ_MAX ? (x & y) : (x | y);
            memcpy(&a->f, &x, 8);
            return;
        }
        better = b.f != b.f || (is_max ? b.f > a->f : b.f < a->f);
    } else {
        better = is_max ? b.i > a->i : b.i < a->i;
    }
    if (better) *a = b;
}

struct Reduction {
    int op;
    int cls;
    int out_dtype;
    RowReduce row;
    ColumnReduce column;
    Loop to_out;     // cast from the accumulator (double or int64) to out's dtype
    Loop x_to_acc;   // cast from x's dtype to the accumulator type (column strategy's first row)
    char* x_base;
    char* out_base;
    Dims kept;       // output dims (x and out strides)
    Dims red;        // reduced dims (x strides; out strides 0)
};

void write_acc(const Reduction& r, const Acc& a, char* dst) {
    int64_t zero_strides[2] = {0, 0};
    if (r.op == PJ_ARGMAX || r.op == PJ_ARGMIN) {
        memcpy(dst, &a.index, 8);  // out is int64
        return;
    }
    char* p[2] = {(char*)(r.cls == ACC_DOUBLE ? (const void*)&a.f : (const void*)&a.i), dst};
    r.to_out(p, zero_strides, 1);
}

/** Folds reduced elements [begin, end) (row-major over r.red) of the output whose x data starts at x. */
void fold_range(const Reduction& r, const char* x, int64_t begin, int64_t end, Acc* acc) {
    const int last = r.red.n - 1;
    const int64_t run = r.red.shape[last], run_stride = r.red.xs[last];
    int64_t t = begin;
    while (t < end) {
        int64_t row = t / run, col = t % run;
        int64_t x_off;
        r.red.offsets(row, last, &x_off, nullptr);
        int64_t n = run - col < end - t ? run - col : end - t;
        r.row(x + x_off + col * run_stride, run_stride, n, t, acc);
        t += n;
    }
}

void row_strategy(const Reduction& r) {
    const int64_t outputs = r.kept.count, reduced = r.red.count;
    const int64_t blocks = reduced > kBlock ? (reduced + kBlock - 1) / kBlock : 1;
    const int64_t per_item = reduced < kBlock ? (reduced > 0 ? reduced : 1) : kBlock;
    const int64_t min_items = kParallelElements / per_item > 0 ? kParallelElements / per_item : 1;
    if (blocks == 1) {
        auto body = [&](int64_t b, int64_t e) {
            for (int64_t o = b; o < e; o++) {
                int64_t x_off, o_off;
                r.kept.offsets(o, r.kept.n, &x_off, &o_off);
                Acc acc = identity(r.op);
                fold_range(r, r.x_base + x_off, 0, reduced, &acc);
                write_acc(r, acc, r.out_base + o_off);
            }
        };
        parallel_for(outputs, min_items, body);
        return;
    }
    std::vector<Acc> partial(outputs * blocks, identity(r.op));
    auto body = [&](int64_t b, int64_t e) {
        for (int64_t item = b; item < e; item++) {
            int64_t o = item / blocks, k = item % blocks, x_off;
            r.kept.offsets(o, r.kept.n, &x_off, nullptr);
            int64_t end = (k + 1) * kBlock < reduced ? (k + 1) * kBlock : reduced;
            fold_range(r, r.x_base + x_off, k * kBlock, end, &partial[item]);
        }
    };
    parallel_for(outputs * blocks, min_items, body);
    for (int64_t o = 0; o < outputs; o++) {
        Acc acc = partial[o * blocks];
        for (int64_t k = 1; k < blocks; k++) combine(r.op, r.cls, &acc, partial[o * blocks + k]);
        int64_t x_off, o_off;
        r.kept.offsets(o, r.kept.n, &x_off, &o_off);
        write_acc(r, acc, r.out_base + o_off);
    }
}

void column_strategy(const Reduction& r, int x_itemsize) {
    const int last = r.kept.n - 1;
    const int64_t width = r.kept.shape[last], out_stride = r.kept.os[last];
    const int64_t tiles = (width + kColumnTile - 1) / kColumnTile;
    const int64_t outer = r.kept.count / width, reduced = r.red.count;
    const bool from_first_row = r.op == PJ_MAX || r.op == PJ_MIN;
    auto body = [&](int64_t b, int64_t e) {
        alignas(64) int64_t acc_words[kColumnTile];  // double[] or int64_t[] by class: both 8 bytes
        for (int64_t item = b; item < e; item++) {
            int64_t o = item / tiles, tile = item % tiles;
            int64_t x_off, o_off;
            r.kept.offsets(o, last, &x_off, &o_off);
            const int64_t col0 = tile * kColumnTile;
            const int64_t n = width - col0 < kColumnTile ? width - col0 : kColumnTile;
            const char* x = r.x_base + x_off + col0 * x_itemsize;
            int64_t first = 0;
            if (from_first_row) {
                char* p[2] = {(char*)x, (char*)acc_words};
                int64_t s[2] = {x_itemsize, 8};
                r.x_to_acc(p, s, n);
                first = 1;
            } else {
                Acc id = identity(r.op);
                for (int64_t j = 0; j < n; j++) {
                    if (r.cls == ACC_DOUBLE) memcpy(&acc_words[j], &id.f, 8);
                    else acc_words[j] = id.i;
                }
            }
            for (int64_t row = first; row < reduced; row++) {
                int64_t row_off;
                r.red.offsets(row, r.red.n, &row_off, nullptr);
                r.column(x + row_off, n, acc_words);
            }
            char* p[2] = {(char*)acc_words, r.out_base + o_off + col0 * out_stride};
            int64_t s[2] = {8, out_stride};
            r.to_out(p, s, n);
        }
    };
    const int64_t per_item = reduced * (width < kColumnTile ? width : kColumnTile);
    parallel_for(outer * tiles, per_item > 0 && kParallelElements / per_item > 0 ? kParallelElements / per_item : 1, body);
}

void validate(int op, const pj_tensor* x, const int32_t* axes, int32_t naxes, const pj_tensor* out, bool* reduced_dim) {
    if (op < 0 || op >= PJ_REDUCE_OP_COUNT)
        fail(PJ_ERR_ARGUMENT, "reduce: expected an op code in [0, " + std::to_string(PJ_REDUCE_OP_COUNT) +
                                  "). Received: op=" + std::to_string(op));
    const std::string name = std::string("reduce ") + reduce_name(op);
    check_operands(name, {{"x", x, false}, {"out", out, true}}, false);
    if (naxes < 0 || naxes > x->rank || (naxes > 0 && axes == nullptr))
        fail(PJ_ERR_ARGUMENT, name + ": expected between 0 and rank(x)=" + std::to_string(x->rank) +
                                  " axes. Received: naxes=" + std::to_string(naxes));
    std::string axes_text = "[";
    for (int i = 0; i < naxes; i++) axes_text += (i ? ", " : "") + std::to_string(axes[i]);
    axes_text += "]";
    for (int d = 0; d < x->rank; d++) reduced_dim[d] = false;
    for (int i = 0; i < naxes; i++) {
        if (axes[i] < 0 || axes[i] >= x->rank || (i > 0 && axes[i] <= axes[i - 1]))
            fail(PJ_ERR_ARGUMENT, name + ": expected sorted, distinct axes in [0, " + std::to_string(x->rank) +
                                      "). Received: axes=" + axes_text + ", x=" + describe(*x));
        reduced_dim[axes[i]] = true;
    }
    const bool arg = op == PJ_ARGMAX || op == PJ_ARGMIN;
    if (arg && naxes != 1)
        fail(PJ_ERR_ARGUMENT, name + ": expected exactly one axis. Received: axes=" + axes_text);
    bool shape_ok = out->rank == x->rank;
    for (int d = 0; shape_ok && d < x->rank; d++) shape_ok = out->shape[d] == (reduced_dim[d] ? 1 : x->shape[d]);
    if (!shape_ok)
        fail_shape(name, "out of x's shape with the reduced axes " + axes_text + " set to 1", {{"x", x}, {"out", out}});
    if (arg && out->dtype != PJ_INT64) fail_dtype(name, "an int64 output", {{"x", x}, {"out", out}});
    if ((op == PJ_MAX || op == PJ_MIN) && out->dtype != x->dtype)
        fail_dtype(name, "an output of the input's dtype", {{"x", x}, {"out", out}});
    if ((op == PJ_ANY || op == PJ_ALL) && out->dtype != PJ_BOOL) fail_dtype(name, "a bool output", {{"x", x}, {"out", out}});
    if ((op == PJ_SUM || op == PJ_PROD) && !is_float(out->dtype) && is_float(x->dtype))
        fail_dtype(name, "a float output for a float input", {{"x", x}, {"out", out}});
    if ((op == PJ_SUM || op == PJ_PROD) && out->dtype == PJ_BOOL && x->dtype != PJ_BOOL)
        fail_dtype(name, "a numeric output", {{"x", x}, {"out", out}});
    int64_t reduced = 1;
    for (int d = 0; d < x->rank; d++)
        if (reduced_dim[d]) reduced *= x->shape[d];
    if (reduced == 0 && numel(*out) > 0 && op >= PJ_MAX && op <= PJ_ARGMIN)
        fail_shape(name, "a non-empty reduction (it has no identity)", {{"x", x}, {"out", out}});
}

}  // namespace

extern "C" int pj_cpu_reduce(int32_t op, const pj_tensor* x, const int32_t* axes, int32_t naxes, const pj_tensor* out) {
    return guarded("reduce", [&] {
        bool reduced_dim[PJ_MAX_RANK];
        validate(op, x, axes, naxes, out, reduced_dim);
        if (numel(*out) == 0) return;
        const KernelTable& k = kernels();
        Reduction r;
        r.op = op;
        r.cls = acc_class(op, *x, *out);
        r.out_dtype = out->dtype;
        r.row = k.row_reduce[op][x->dtype][r.cls];
        r.column = k.column_reduce[op][x->dtype][r.cls];
        r.to_out = k.cast[r.cls == ACC_DOUBLE ? PJ_FLOAT64 : PJ_INT64][out->dtype];
        r.x_to_acc = k.cast[x->dtype][r.cls == ACC_DOUBLE ? PJ_FLOAT64 : PJ_INT64];
        if (r.row == nullptr)
            fail_dtype(std::string("reduce ") + reduce_name(op), "a dtype this op takes", {{"x", x}, {"out", out}});
        const int xsize = itemsize(x->dtype), osize = itemsize(out->dtype);
        r.x_base = (char*)x->data + x->offset * xsize;
        r.out_base = (char*)out->data + out->offset * osize;
        const bool arg = op == PJ_ARGMAX || op == PJ_ARGMIN;
        for (int d = 0; d < x->rank; d++) {
            if (x->shape[d] == 1) continue;
            if (reduced_dim[d]) r.red.add(x->shape[d], x->strides[d] * xsize, 0);
            else r.kept.add(x->shape[d], x->strides[d] * xsize, out->strides[d] * osize);
        }
        if (!arg) r.red.sort_by_x_stride();  // ARGMAX/ARGMIN keep the axis order: indices count along it
        r.red.merge();
        r.kept.sort_by_x_stride();
        r.kept.merge();
        if (r.red.n == 0) r.red.add(1, 0, 0);  // reduce over nothing (or size-1 axes): one element each
        const bool rows_contiguous = r.red.xs[r.red.n - 1] == xsize;
        const bool columns_contiguous = r.kept.n > 0 && r.kept.xs[r.kept.n - 1] == xsize && r.kept.shape[r.kept.n - 1] >= 16;
        if (!rows_contiguous && columns_contiguous && r.column != nullptr && r.red.count > 0) column_strategy(r, xsize);
        else row_strategy(r);
    });
}
