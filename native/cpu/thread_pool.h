// A small fixed pool for data-parallel loops: the calling thread plus (threads - 1) workers claim
// contiguous parts of a range until none are left, so a worker that the OS has not scheduled costs
// nothing but a part it already holds. One loop runs at a time; a caller that finds the pool busy
// (another Java thread) or that is itself a worker runs its loop alone, so the pool never
// oversubscribes.
#pragma once

#include <stdint.h>

namespace pj::cpu {

/** Threads a parallel loop uses (1 = single-threaded). */
int num_threads();

/** Sets the thread count (>= 1); the pool is rebuilt at the next loop. */
void set_num_threads(int n);

/** CPUs this process may run on. */
int available_cpus();

typedef void (*RangeFn)(void* ctx, int64_t begin, int64_t end);

/**
 * Calls fn over [0, n) in up to 4 * num_threads() contiguous parts, each of at least min_part items
 * (one part, on the calling thread, when n < 2 * min_part), and returns when all are done. Part
 * boundaries depend on the thread count: results must not depend on them. fn must not throw.
 */
void parallel_for(int64_t n, int64_t min_part, RangeFn fn, void* ctx);

/** Convenience over a lambda or functor taking (begin, end). */
template <class F>
void parallel_for(int64_t n, int64_t min_part, F& f) {
    parallel_for(n, min_part, [](void* c, int64_t b, int64_t e) { (*static_cast<F*>(c))(b, e); }, &f);
}

}  // namespace pj::cpu
