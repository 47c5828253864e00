// N-d iteration for elementwise ops: operands of one shape are reduced to the fewest dimensions
// (size-1 dims dropped, dims merged where every operand's strides allow), then walked row by row
// so the inner loop sees the longest contiguous run; large ranges are split across threads.
#pragma once

#include <stdint.h>

#include "kernels.h"
#include "pyj4_abi.h"

namespace pj::cpu {

constexpr int kMaxOperands = 4;

/**
 * Elements below which an elementwise op stays on one thread (a part is at least half of it). Below
 * ~128K float32 elements an op takes under ~15 us on one core: a second thread would save a few
 * microseconds, and on a busy machine a worker that is descheduled holding a part costs far more.
 */
constexpr int64_t kParallelElements = 65536;

struct NdPlan {
    int nops = 0;   // the output is the last operand
    int rank = 0;   // >= 1
    int64_t size = 0;
    int64_t shape[PJ_MAX_RANK];
    char* base[kMaxOperands];
    int64_t strides[kMaxOperands][PJ_MAX_RANK];  // in bytes
};

/**
 * Plans a walk over tensors of one shape (checked by the caller). Unless keep_order, dims are
 * reordered by the output's strides and flipped where it runs backwards (fine for elementwise
 * maps); with keep_order the walk follows the output's row-major order, and the linear index
 * passed to callbacks is the element's row-major position.
 */
NdPlan plan_nd(const pj_tensor* const* tensors, int nops, bool keep_order);

/** Called per run of n elements: p/s as for Loop; `linear` is the run's first row-major index. */
typedef void (*RunFn)(void* ctx, char* const* p, const int64_t* s, int64_t n, int64_t linear);

/** Walks the plan, split over threads when it has at least min_parallel elements. */
void run_nd(const NdPlan& plan, RunFn fn, void* ctx, int64_t min_parallel);

/** Walks the plan calling an elementwise inner loop. */
void run_loop(const NdPlan& plan, Loop loop, int64_t min_parallel);

/** dst = src converted to dst's dtype, for checked tensors of one shape (no validation here). */
void copy_tensor(const pj_tensor& src, const pj_tensor& dst);

}  // namespace pj::cpu
