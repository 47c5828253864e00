#include "nd_iter.h"

#include <stdlib.h>

#include "../common/tensor.h"
#include "thread_pool.h"

namespace pj::cpu {

NdPlan plan_nd(const pj_tensor* const* tensors, int nops, bool keep_order) {
    NdPlan p;
    p.nops = nops;
    const pj_tensor& out = *tensors[nops - 1];
    int dims[PJ_MAX_RANK];
    int rank = 0;
    p.size = 1;
    for (int d = 0; d < out.rank; d++) {
        p.size *= out.shape[d];
        if (out.shape[d] != 1) dims[rank++] = d;
    }
    for (int k = 0; k < nops; k++)
        p.base[k] = static_cast<char*>(tensors[k]->data) + tensors[k]->offset * itemsize(tensors[k]->dtype);
    if (!keep_order) {
        // Innermost = smallest output stride (stable insertion sort by |stride|, descending).
        for (int i = 1; i < rank; i++) {
            int d = dims[i], j = i;
            while (j > 0 && llabs(out.strides[dims[j - 1]]) < llabs(out.strides[d])) {
                dims[j] = dims[j - 1];
                j--;
            }
            dims[j] = d;
        }
    }
    for (int i = 0; i < rank; i++) {
        int d = dims[i];
        p.shape[i] = out.shape[d];
        bool flip = !keep_order && out.strides[d] < 0;
        for (int k = 0; k < nops; k++) {
            int64_t s = tensors[k]->strides[d] * itemsize(tensors[k]->dtype);
            if (flip) {
                p.base[k] += (out.shape[d] - 1) * s;
                s = -s;
            }
            p.strides[k][i] = s;
        }
    }
    // Merge dim i into i+1 (its inner neighbour) when every operand steps through both as one.
    int merged = 0;
    for (int i = 0; i < rank; i++) {
        if (merged > 0) {
            bool ok = true;
            for (int k = 0; k < nops && ok; k++) ok = p.strides[k][merged - 1] == p.strides[k][i] * p.shape[i];
            if (ok) {
                p.shape[merged - 1] *= p.shape[i];
                for (int k = 0; k < nops; k++) p.strides[k][merged - 1] = p.strides[k][i];
                continue;
            }
        }
        p.shape[merged] = p.shape[i];
        for (int k = 0; k < nops; k++) p.strides[k][merged] = p.strides[k][i];
        merged++;
    }
    if (merged == 0) {  // a single element
        p.shape[0] = 1;
        for (int k = 0; k < nops; k++) p.strides[k][0] = 0;
        merged = 1;
    }
    p.rank = merged;
    return p;
}

namespace {

struct RangeJob {
    const NdPlan* plan;
    RunFn fn;
    void* ctx;
};

void run_range(const NdPlan& p, RunFn fn, void* ctx, int64_t begin, int64_t end) {
    const int r = p.rank, nops = p.nops;
    const int64_t inner = p.shape[r - 1];
    int64_t index[PJ_MAX_RANK] = {0};
    int64_t row = begin / inner, col = begin % inner;
    for (int d = r - 2; d >= 0; d--) {
        index[d] = row % p.shape[d];
        row /= p.shape[d];
    }
    char* row_start[kMaxOperands];
    char* ptr[kMaxOperands];
    int64_t inner_strides[kMaxOperands];
    for (int k = 0; k < nops; k++) {
        row_start[k] = p.base[k];
        for (int d = 0; d < r - 1; d++) row_start[k] += index[d] * p.strides[k][d];
        inner_strides[k] = p.strides[k][r - 1];
    }
    int64_t pos = begin;
    while (true) {
        int64_t n = inner - col < end - pos ? inner - col : end - pos;
        for (int k = 0; k < nops; k++) ptr[k] = row_start[k] + col * inner_strides[k];
        fn(ctx, ptr, inner_strides, n, pos);
        pos += n;
        if (pos >= end) return;
        col = 0;
        for (int d = r - 2; d >= 0; d--) {  // next row: odometer step with carry
            if (++index[d] < p.shape[d]) {
                for (int k = 0; k < nops; k++) row_start[k] += p.strides[k][d];
                break;
            }
            index[d] = 0;
            for (int k = 0; k < nops; k++) row_start[k] -= (p.shape[d] - 1) * p.strides[k][d];
        }
    }
}

void call_loop(void* ctx, char* const* p, const int64_t* s, int64_t n, int64_t) { (*static_cast<Loop*>(ctx))(p, s, n); }

}  // namespace

void run_nd(const NdPlan& plan, RunFn fn, void* ctx, int64_t min_parallel) {
    if (plan.size == 0) return;
    if (plan.size < min_parallel) {
        run_range(plan, fn, ctx, 0, plan.size);
        return;
    }
    RangeJob job{&plan, fn, ctx};
    parallel_for(
        plan.size, min_parallel / 2,
        [](void* c, int64_t b, int64_t e) {
            RangeJob* j = static_cast<RangeJob*>(c);
            run_range(*j->plan, j->fn, j->ctx, b, e);
        },
        &job);
}

void run_loop(const NdPlan& plan, Loop loop, int64_t min_parallel) { run_nd(plan, call_loop, &loop, min_parallel); }

void copy_tensor(const pj_tensor& src, const pj_tensor& dst) {
    const pj_tensor* ts[2] = {&src, &dst};
    run_loop(plan_nd(ts, 2, false), kernels().cast[src.dtype][dst.dtype], kParallelElements);
}

}  // namespace pj::cpu
